"""Indexing: every usable operation listed, broken ones skipped with readable problems."""

from __future__ import annotations

import time
from typing import Any

from console.specs.engine.errors import Problem
from console.specs.engine.index import document_info, index_operations


def test_petstore_operations(petstore: dict[str, Any]) -> None:
    result = index_operations(petstore)
    assert result.problems == []
    assert result.skipped == []
    assert [(op.method, op.path, op.operation_id) for op in result.operations] == [
        ("GET", "/pets", "listPets"),
        ("POST", "/pets", "createPet"),
        ("GET", "/pets/{petId}", "showPetById"),
        ("DELETE", "/pets/{petId}", "delete /pets/{petId}"),
    ]
    by_id = {op.operation_id: op for op in result.operations}
    assert by_id["listPets"].summary == "List all pets"
    assert by_id["listPets"].tags == ["pets"]
    assert by_id["listPets"].scopes == ["pets:read"]  # the document's default
    assert by_id["createPet"].scopes == ["pets:write", "pets:read"]
    deleted = by_id["delete /pets/{petId}"]
    assert deleted.deprecated is True
    assert deleted.declared_id is False
    assert deleted.scopes == []  # `security: []` turns authentication off
    assert deleted.key == ("DELETE", "/pets/{petId}")


def test_defaults_in_31_document(meters: dict[str, Any]) -> None:
    ops = {(op.method, op.path): op for op in index_operations(meters).operations}
    created = ops[("POST", "/meters")]
    assert created.operation_id == "post /meters"
    assert created.tags == ["meters"]
    assert ops[("GET", "/meters/{meterId}")].tags == ["default"]
    assert ops[("GET", "/meters/{meterId}")].scopes == ["meters:read"]
    assert ops[("GET", "/units")].scopes == []


def test_problems_are_located_and_broken_operations_skipped(problems: dict[str, Any]) -> None:
    result = index_operations(problems)
    errors = {(p.pointer, p.message) for p in result.errors}
    assert (
        "paths./bad-in.get.parameters[1]",
        "'in' must be one of query, header, path, cookie",
    ) in errors
    assert ("paths./bad-in.get.parameters[2]", "the parameter has no 'name'") in errors
    assert (
        "paths./items/{itemId}.get",
        "path parameter 'itemId' in the path template is not declared",
    ) in errors
    assert ("paths./not-an-object.get", "an operation must be an object") in errors
    assert any(
        p.pointer == "paths./refs.get.parameters[0]" and "#/components/parameters/Nope" in p.message
        for p in result.errors
    )
    assert any(p.pointer == "paths./refs.post.requestBody" for p in result.errors)
    assert any(p.pointer == "paths./broken-path-level/{id}.parameters[0]" for p in result.errors)
    assert result.skipped == [
        ("GET", "/bad-in"),
        ("GET", "/items/{itemId}"),
        ("GET", "/refs"),
        ("POST", "/refs"),
        ("GET", "/not-an-object"),
        ("GET", "/broken-path-level/{id}"),
    ]


def test_warnings_keep_the_operation(problems: dict[str, Any]) -> None:
    result = index_operations(problems)
    ops = {(op.method, op.path): op for op in result.operations}
    good = ops[("GET", "/good")]
    assert good.operation_id == "good"
    assert [w.message for w in good.warnings] == [
        "The reference #/components/schemas/Missing points at nothing: 'Missing' is missing."
    ]
    duplicate = ops[("PUT", "/not-an-object")]
    assert duplicate.operation_id == "put /not-an-object"
    assert "also used by GET /good" in duplicate.warnings[0].message
    assert all(w.severity == "warning" for w in result.warnings)


def test_external_refs_are_warnings(external: dict[str, Any]) -> None:
    result = index_operations(external)
    assert [op.operation_id for op in result.operations] == ["createThing"]
    assert result.errors == []
    assert len(result.warnings) == 3
    assert all("external reference" in w.message for w in result.warnings)


def test_problem_reads_well() -> None:
    problem = Problem(
        "paths./meters.get.parameters[2]", "'in' must be one of query, header, path, cookie"
    )
    assert str(problem) == (
        "paths./meters.get.parameters[2]: 'in' must be one of query, header, path, cookie"
    )


def test_operation_parameters_override_path_parameters(petstore: dict[str, Any]) -> None:
    # DELETE redeclares petId (as an integer): no duplicate, no problem.
    assert index_operations(petstore).problems == []


def test_missing_and_odd_paths() -> None:
    assert index_operations({"openapi": "3.1.0"}).operations == []
    result = index_operations({"openapi": "3.0.0"})
    assert [p.message for p in result.warnings] == ["the document has no 'paths'"]
    result = index_operations(
        {"openapi": "3.0.0", "paths": {"noslash": {"get": {}}, "/x": "text", "/y": None}}
    )
    assert [op.path for op in result.operations] == ["noslash"]
    assert {p.pointer for p in result.problems} == {"paths.noslash", "paths./x", "paths./y"}


def test_path_item_ref() -> None:
    doc = {
        "openapi": "3.1.0",
        "paths": {"/a": {"$ref": "#/components/pathItems/A"}, "/b": {"$ref": "#/nope"}},
        "components": {"pathItems": {"A": {"get": {"operationId": "a"}}}},
    }
    result = index_operations(doc)
    assert [op.operation_id for op in result.operations] == ["a"]
    assert [p.pointer for p in result.errors] == ["paths./b"]


def test_document_info(petstore: dict[str, Any], meters: dict[str, Any]) -> None:
    info = document_info(petstore)
    assert info["title"] == "Petstore"
    assert info["version"] == "1.2.0"
    assert info["openapi"] == "3.0.3"
    assert info["servers"] == [
        {"url": "https://petstore.example.com/v1", "description": "Production", "variables": {}}
    ]
    assert info["tags"] == [
        {"name": "pets", "description": "Everything about pets"},
        {"name": "store", "description": "Orders"},
    ]
    oauth = info["security_schemes"]["oauth"]
    assert oauth["type"] == "oauth2"
    assert oauth["scopes"] == {"pets:read": "Read pets", "pets:write": "Change pets"}
    assert oauth["flows"]["clientCredentials"]["token_url"] == "https://auth.example.com/token"
    assert info["security_schemes"]["key"]["in"] == "header"
    assert info["security"] == [{"oauth": ["pets:read"]}]
    servers = document_info(meters)["servers"]
    assert servers[0]["variables"]["region"] == {
        "default": "eu",
        "enum": ["eu", "us"],
        "description": "",
    }
    assert document_info({"openapi": "3.0.0"})["title"] == "Untitled API"


def big_document(operations: int) -> dict[str, Any]:
    """A document shaped like large real ones: shared schemas and parameters, many refs."""
    schemas: dict[str, Any] = {}
    for i in range(400):
        schemas[f"S{i}"] = {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "owner": {"$ref": f"#/components/schemas/S{(i + 1) % 400}"},
                "items": {
                    "type": "array",
                    "items": {"$ref": f"#/components/schemas/S{(i + 7) % 400}"},
                },
                **{f"f{j}": {"type": "string", "description": "text " * 10} for j in range(20)},
            },
        }
    paths: dict[str, Any] = {}
    for i in range(operations // 2):
        paths[f"/repos/{{owner}}/{{repo}}/things{i}/{{id}}"] = {
            "parameters": [
                {"$ref": "#/components/parameters/owner"},
                {"$ref": "#/components/parameters/repo"},
            ],
            "get": {
                "operationId": f"things/get-{i}",
                "tags": ["things"],
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}},
                    {"$ref": "#/components/parameters/per_page"},
                ],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": f"#/components/schemas/S{i % 400}"}
                            }
                        },
                    },
                    "404": {"$ref": "#/components/responses/not_found"},
                },
            },
            "patch": {
                "operationId": f"things/update-{i}",
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
                ],
                "requestBody": {
                    "content": {
                        "application/json": {
                            "schema": {"$ref": f"#/components/schemas/S{(i + 3) % 400}"}
                        }
                    }
                },
                "responses": {"200": {"$ref": "#/components/responses/not_found"}},
            },
        }
    return {
        "openapi": "3.0.3",
        "info": {"title": "big", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "parameters": {
                "owner": {
                    "name": "owner",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string"},
                },
                "repo": {
                    "name": "repo",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string"},
                },
                "per_page": {"name": "per_page", "in": "query", "schema": {"type": "integer"}},
            },
            "responses": {"not_found": {"description": "Not found"}},
        },
    }


def test_indexing_is_fast_and_shallow() -> None:
    doc = big_document(1_200)
    started = time.perf_counter()
    result = index_operations(doc)
    elapsed = time.perf_counter() - started
    assert len(result.operations) == 1_200
    assert result.problems == []
    assert elapsed < 1.0, f"indexing 1,200 operations took {elapsed:.2f}s"


def test_problems_name_their_operation(problems: dict[str, Any]) -> None:
    result = index_operations(problems)
    by_operation = {p.operation for p in result.problems}
    assert ("GET", "/bad-in") in by_operation
    assert ("PUT", "/not-an-object") in by_operation
    path_level = [p for p in result.problems if p.pointer.endswith("{id}.parameters[0]")]
    assert path_level[0].operation is None  # a path-level parameter belongs to no one operation
