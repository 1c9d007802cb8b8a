"""Opening one operation: parameters merged and resolved, body, responses, servers, scopes."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from console.specs.engine.errors import SpecError
from console.specs.engine.operation import load_operation


def test_parameters_merged_and_resolved(petstore: dict[str, Any]) -> None:
    op = load_operation(petstore, "get", "/pets")
    assert [(p.location, p.name) for p in op.parameters] == [
        ("query", "limit"),
        ("query", "tags"),
        ("query", "status"),
        ("header", "Accept"),
    ]
    limit = op.parameter("query", "limit")
    assert limit is not None
    assert limit.schema == {"type": "integer", "format": "int32", "minimum": 1, "maximum": 100}
    assert (limit.style, limit.explode, limit.required) == ("form", True, False)
    tags = op.parameter("query", "tags")
    assert tags is not None
    assert (tags.style, tags.explode) == ("form", False)


def test_operation_overrides_path_level_parameter(petstore: dict[str, Any]) -> None:
    shown = load_operation(petstore, "GET", "/pets/{petId}")
    assert shown.parameters[0].schema == {"type": "string"}
    assert shown.parameters[0].description == "The pet's id"
    assert (shown.parameters[0].style, shown.parameters[0].explode) == ("simple", False)
    deleted = load_operation(petstore, "DELETE", "/pets/{petId}")
    assert [p.name for p in deleted.parameters] == ["petId", "X-Request-Id", "force"]
    assert deleted.parameters[0].schema["type"] == "integer"
    assert deleted.deprecated is True
    assert deleted.operation_id == "delete /pets/{petId}"


def test_request_body(petstore: dict[str, Any]) -> None:
    op = load_operation(petstore, "POST", "/pets")
    body = op.request_body
    assert body is not None
    assert body.required is True
    assert body.content_types == ["application/json", "application/x-www-form-urlencoded"]
    media = body.content["application/json"]
    assert media.schema["required"] == ["name"]
    assert media.examples == {
        "cat": {"name": "Tom", "tag": "cat"},
        "shared": {"name": "Rex", "tag": "dog"},
    }


def test_responses(petstore: dict[str, Any]) -> None:
    op = load_operation(petstore, "GET", "/pets")
    assert list(op.responses) == ["200", "default"]
    ok = op.responses["200"]
    assert ok.description == "A page of pets"
    assert ok.headers["X-Next"]["schema"] == {"type": "string"}
    items = ok.content["application/json"].schema["items"]
    assert len(items["allOf"]) == 2
    assert op.responses["default"].content["application/json"].schema["required"] == [
        "code",
        "message",
    ]


def test_servers_scopes_and_version(petstore: dict[str, Any], meters: dict[str, Any]) -> None:
    op = load_operation(petstore, "POST", "/pets")
    assert op.servers[0]["url"] == "https://petstore.example.com/v1"
    assert op.scopes == ["pets:write", "pets:read"]
    assert op.openapi_version == "3.0.3"
    units = load_operation(meters, "GET", "/units")
    assert units.scopes == []
    assert units.servers[0]["variables"]["version"]["default"] == "v2"
    doc = {"openapi": "3.0.0", "paths": {"/x": {"servers": [{"url": "/p"}], "get": {}}}}
    assert load_operation(doc, "GET", "/x").servers[0]["url"] == "/p"
    bare = {"openapi": "3.0.0", "paths": {"/x": {"get": {}}}}
    assert load_operation(bare, "GET", "/x").servers == [
        {"url": "/", "description": "", "variables": {}}
    ]


def test_escaped_pointers(meters: dict[str, Any]) -> None:
    units = load_operation(meters, "GET", "/units")
    schema = units.responses["200"].content["application/json"].schema
    assert schema == {"type": "string", "enum": ["bytes", "seconds", "events"]}
    escaped = load_operation(meters, "GET", "/escaped")
    assert escaped.responses["200"].content["application/json"].schema["properties"] == {
        "value": {"type": "integer", "maximum": 100}
    }


def test_circular_schema_is_cut(circular: dict[str, Any]) -> None:
    op = load_operation(circular, "POST", "/nodes")
    assert op.request_body is not None
    schema = op.request_body.content["application/json"].schema
    assert schema["properties"]["parent"]["x-circular-ref"] == "#/components/schemas/Node"


def test_warnings_for_external_refs(external: dict[str, Any]) -> None:
    op = load_operation(external, "POST", "/things")
    assert len(op.warnings) == 3


def test_missing_or_broken_operations(petstore: dict[str, Any], problems: dict[str, Any]) -> None:
    with pytest.raises(SpecError, match="no path /nope"):
        load_operation(petstore, "GET", "/nope")
    with pytest.raises(SpecError, match="no operation PATCH /pets"):
        load_operation(petstore, "PATCH", "/pets")
    with pytest.raises(SpecError, match="not an HTTP method"):
        load_operation(petstore, "FETCH", "/pets")
    with pytest.raises(SpecError, match="'in' must be one of"):
        load_operation(problems, "GET", "/bad-in")
    with pytest.raises(SpecError, match="request body"):
        load_operation(problems, "POST", "/refs")


def test_document_is_not_modified(petstore: dict[str, Any]) -> None:
    before = copy.deepcopy(petstore)
    op = load_operation(petstore, "POST", "/pets")
    assert op.request_body is not None
    op.request_body.content["application/json"].schema["properties"].clear()
    assert petstore == before


def test_parameter_with_content() -> None:
    doc = {
        "openapi": "3.1.0",
        "paths": {
            "/search": {
                "get": {
                    "parameters": [
                        {
                            "name": "q",
                            "in": "query",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {"a": {"type": "integer"}},
                                    },
                                    "example": {"a": 1},
                                }
                            },
                        }
                    ]
                }
            }
        },
    }
    param = load_operation(doc, "GET", "/search").parameters[0]
    assert param.content_type == "application/json"
    assert param.schema["type"] == "object"
    assert param.example == {"a": 1}
