"""engine.diff: operations added, removed and changed between two documents."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from console.specs.engine.diff import (
    OPERATION,
    PARAMETERS,
    REQUEST_BODY,
    RESPONSES,
    diff_documents,
    normalise_schema,
    schema_differences,
)
from console.specs.engine.loading import load_document


def _base() -> dict[str, Any]:
    """A small API with shared components, so changes reach operations through $ref."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "Meters", "version": "1"},
        "security": [{"oauth": ["meters:read"]}],
        "paths": {
            "/meters": {
                "get": {
                    "operationId": "listMeters",
                    "summary": "List meters",
                    "parameters": [
                        {"$ref": "#/components/parameters/limit"},
                        {"name": "tag", "in": "query", "schema": {"type": "string"}},
                    ],
                    "responses": {
                        "200": {
                            "description": "The meters",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Meter"},
                                    }
                                }
                            },
                        }
                    },
                },
                "post": {
                    "operationId": "createMeter",
                    "summary": "Create a meter",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/NewMeter"}
                            }
                        },
                    },
                    "responses": {
                        "201": {
                            "description": "Created",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Meter"}
                                }
                            },
                        }
                    },
                },
            },
            "/meters/{id}": {
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "get": {
                    "operationId": "getMeter",
                    "responses": {
                        "200": {
                            "description": "One meter",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Meter"}
                                }
                            },
                        },
                        "404": {"description": "Not found"},
                    },
                },
                "delete": {
                    "operationId": "deleteMeter",
                    "responses": {"204": {"description": "Gone"}},
                },
            },
            "/streams": {
                "get": {"operationId": "listStreams", "responses": {"200": {"description": "ok"}}}
            },
        },
        "components": {
            "parameters": {
                "limit": {
                    "name": "limit",
                    "in": "query",
                    "description": "Page size",
                    "schema": {"type": "integer", "maximum": 100},
                }
            },
            "schemas": {
                "NewMeter": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {"name": {"type": "string"}, "unit": {"type": "string"}},
                },
                "Meter": {
                    "allOf": [
                        {"$ref": "#/components/schemas/NewMeter"},
                        {"type": "object", "properties": {"id": {"type": "string"}}},
                    ]
                },
                "Tree": {
                    "type": "object",
                    "properties": {
                        "children": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/Tree"},
                        }
                    },
                },
            },
        },
    }


def _changes(diff: Any, method: str, path: str) -> list[Any]:
    for change in diff.changed:
        if change.operation.key == (method, path):
            return change.changes
    raise AssertionError(f"{method} {path} is not among the changed operations")


def _texts(changes: list[Any], area: str | None = None) -> list[str]:
    return [c.text for c in changes if area is None or c.area == area]


def test_identical_documents_have_no_changes():
    diff = diff_documents(_base(), _base())
    assert diff.is_empty
    assert diff.unchanged == 5
    assert diff.problems == []


def test_added_and_removed_operations_are_listed_in_document_order():
    old, new = _base(), _base()
    del new["paths"]["/streams"]
    new["paths"]["/meters/{id}"]["patch"] = {
        "operationId": "updateMeter",
        "summary": "Change a meter",
        "responses": {"200": {"description": "ok"}},
    }
    new["paths"]["/usage"] = {"get": {"responses": {"200": {"description": "ok"}}}}
    diff = diff_documents(old, new)
    assert [(o.method, o.path, o.operation_id) for o in diff.added] == [
        ("PATCH", "/meters/{id}", "updateMeter"),
        ("GET", "/usage", "get /usage"),
    ]
    assert diff.added[0].summary == "Change a meter"
    assert [o.key for o in diff.removed] == [("GET", "/streams")]
    assert diff.changed == []
    assert diff.unchanged == 4


def test_documentation_only_edits_are_not_changes():
    new = _base()
    meters = new["paths"]["/meters"]["get"]
    meters["summary"] = "List every meter"
    meters["description"] = "Now with **Markdown**."
    new["components"]["parameters"]["limit"]["description"] = "How many at once"
    new["components"]["schemas"]["NewMeter"]["properties"]["name"]["description"] = "A name"
    new["components"]["schemas"]["NewMeter"]["properties"]["name"]["example"] = "Gas"
    new["components"]["schemas"]["Meter"]["title"] = "A meter"
    new["components"]["schemas"]["Meter"]["x-internal"] = True
    diff = diff_documents(_base(), new)
    assert diff.is_empty
    assert diff.unchanged == 5


def test_a_changed_component_marks_every_operation_that_reaches_it():
    new = _base()
    new["components"]["schemas"]["NewMeter"]["properties"]["unit"]["enum"] = ["kWh", "m3"]
    diff = diff_documents(_base(), new)
    changed = [c.operation.key for c in diff.changed]
    # NewMeter is reached by the POST body and, through Meter, by three responses.
    assert changed == [("GET", "/meters"), ("POST", "/meters"), ("GET", "/meters/{id}")]
    assert diff.unchanged == 2
    post = _changes(diff, "POST", "/meters")
    assert _texts(post, REQUEST_BODY) == ["request body schema changed (application/json)"]
    assert post[0].details == ("properties.unit.enum: added 'kWh', 'm3'",)
    assert _texts(post, RESPONSES) == ["response 201 schema changed (application/json)"]
    listing = _changes(diff, "GET", "/meters")
    assert listing[0].details == ("items.allOf[0].properties.unit.enum: added 'kWh', 'm3'",)


def test_parameter_changes():
    new = _base()
    params = new["paths"]["/meters"]["get"]["parameters"]
    params[1] = {"name": "tag", "in": "query", "required": True, "schema": {"type": "integer"}}
    params.append({"name": "X-Trace", "in": "header", "schema": {"type": "string"}})
    new["components"]["parameters"]["limit"]["style"] = "form"
    new["components"]["parameters"]["limit"]["explode"] = False
    new["paths"]["/meters/{id}"]["parameters"][0]["schema"] = {"type": "string", "format": "uuid"}
    diff = diff_documents(_base(), new)
    listing = _texts(_changes(diff, "GET", "/meters"), PARAMETERS)
    assert listing == [
        "query parameter 'limit' is serialised differently: style form, explode true"
        " → style form, explode false",
        "query parameter 'tag' is now required",
        "query parameter 'tag' schema changed",
        "header parameter 'X-Trace' added",
    ]
    tag = next(c for c in _changes(diff, "GET", "/meters") if c.text.endswith("schema changed"))
    assert tag.details == ("type: 'string' → 'integer'",)
    # A path-level parameter changes every operation of the path.
    for method in ("GET", "DELETE"):
        (change,) = _changes(diff, method, "/meters/{id}")
        assert change.text == "path parameter 'id' schema changed"
        assert change.details == ("format: added 'uuid'",)


def test_a_removed_parameter_and_a_new_required_one():
    new = _base()
    new["paths"]["/meters"]["get"]["parameters"] = [
        {"name": "cursor", "in": "query", "required": True, "schema": {"type": "string"}}
    ]
    texts = _texts(_changes(diff_documents(_base(), new), "GET", "/meters"))
    assert texts == [
        "query parameter 'limit' removed",
        "query parameter 'tag' removed",
        "query parameter 'cursor' added (required)",
    ]


def test_request_body_changes():
    new = _base()
    body = new["paths"]["/meters"]["post"]["requestBody"]
    body["required"] = False
    body["content"]["application/x-www-form-urlencoded"] = {
        "schema": {"$ref": "#/components/schemas/NewMeter"}
    }
    new["paths"]["/meters/{id}"]["delete"]["requestBody"] = {
        "content": {"application/json": {"schema": {"type": "object"}}}
    }
    diff = diff_documents(_base(), new)
    assert _texts(_changes(diff, "POST", "/meters")) == [
        "the request body is now optional",
        "request body: content type application/x-www-form-urlencoded added",
    ]
    assert _texts(_changes(diff, "DELETE", "/meters/{id}")) == [
        "request body added: application/json"
    ]
    del new["paths"]["/meters"]["post"]["requestBody"]
    assert _texts(_changes(diff_documents(_base(), new), "POST", "/meters")) == [
        "request body removed"
    ]


def test_response_changes():
    new = _base()
    get = new["paths"]["/meters/{id}"]["get"]
    del get["responses"]["404"]
    get["responses"]["410"] = {
        "description": "Gone",
        "content": {"application/problem+json": {"schema": {"type": "object"}}},
    }
    get["responses"]["200"]["content"]["text/csv"] = {"schema": {"type": "string"}}
    texts = _texts(_changes(diff_documents(_base(), new), "GET", "/meters/{id}"), RESPONSES)
    assert texts == [
        "response 404 removed",
        "response 200: content type text/csv added",
        "response 410 added (application/problem+json)",
    ]


def test_operation_level_changes():
    new = _base()
    op = new["paths"]["/streams"]["get"]
    op["deprecated"] = True
    op["operationId"] = "streamsList"
    op["security"] = [{"oauth": ["streams:read"]}]
    texts = _texts(_changes(diff_documents(_base(), new), "GET", "/streams"), OPERATION)
    assert texts == [
        "the operation is now deprecated",
        "operationId 'listStreams' → 'streamsList'",
        "scopes: now needs streams:read; no longer needs meters:read",
    ]


def test_a_change_of_the_default_security_reaches_operations_without_their_own():
    new = _base()
    new["security"] = [{"oauth": ["meters:read", "meters:write"]}]
    new["paths"]["/streams"]["get"]["security"] = [{"oauth": ["meters:read"]}]
    diff = diff_documents(_base(), new)
    assert [c.operation.key for c in diff.changed] == [
        ("GET", "/meters"),
        ("POST", "/meters"),
        ("GET", "/meters/{id}"),
        ("DELETE", "/meters/{id}"),
    ]
    assert _texts(_changes(diff, "GET", "/meters")) == ["scopes: now needs meters:write"]


def test_recursive_schemas_compare_without_looping():
    old, new = _base(), _base()
    for doc in (old, new):
        doc["paths"]["/trees"] = {
            "get": {
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Tree"}}
                        },
                    }
                }
            }
        }
    assert diff_documents(old, new).is_empty
    new["components"]["schemas"]["Tree"]["properties"]["name"] = {"type": "string"}
    (change,) = _changes(diff_documents(old, new), "GET", "/trees")
    assert change.details == ("properties.name: added",)


def test_a_path_item_reference_is_followed():
    old, new = _base(), _base()
    for doc in (old, new):
        doc["paths"]["/alias"] = {"$ref": "#/paths/~1streams"}
    new["paths"]["/streams"]["get"]["responses"]["500"] = {"description": "Broken"}
    diff = diff_documents(old, new)
    assert [c.operation.key for c in diff.changed] == [("GET", "/streams"), ("GET", "/alias")]


def test_an_operation_unusable_in_the_new_version_counts_as_removed():
    new = _base()
    new["paths"]["/streams"]["get"]["parameters"] = [{"name": "x", "in": "body"}]
    diff = diff_documents(_base(), new)
    assert [o.key for o in diff.removed] == [("GET", "/streams")]


def test_swagger_2_and_openapi_3_descriptions_of_the_same_api_compare_equal():
    swagger = {
        "swagger": "2.0",
        "info": {"title": "T", "version": "1"},
        "paths": {
            "/things": {
                "get": {
                    "operationId": "listThings",
                    "produces": ["application/json"],
                    "parameters": [{"name": "q", "in": "query", "type": "string"}],
                    "responses": {"200": {"description": "ok", "schema": {"type": "array"}}},
                }
            }
        },
    }
    openapi = {
        "openapi": "3.0.3",
        "info": {"title": "T", "version": "2"},
        "paths": {
            "/things": {
                "get": {
                    "operationId": "listThings",
                    "parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}}],
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {"schema": {"type": "array"}}},
                        }
                    },
                }
            }
        },
    }
    diff = diff_documents(load_document(json.dumps(swagger)), load_document(json.dumps(openapi)))
    assert diff.is_empty, diff.changed
    assert diff.unchanged == 1


def test_the_documents_are_not_modified():
    old, new = _base(), _base()
    new["components"]["schemas"]["NewMeter"]["required"] = ["name", "unit"]
    old_copy, new_copy = copy.deepcopy(old), copy.deepcopy(new)
    diff_documents(old, new)
    assert (old, new) == (old_copy, new_copy)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ({"type": "string"}, {"type": "string"}, []),
        ({"type": "string"}, {"type": "integer"}, ["type: 'string' → 'integer'"]),
        ({"required": ["a"]}, {"required": ["a", "b"]}, ["required: added 'b'"]),
        ({"enum": [1, 2]}, {"enum": [2]}, ["enum: removed 1"]),
        ({"enum": [1, 2]}, {"enum": [2, 1]}, ["enum: order changed"]),
        (
            {"properties": {"a": {}, "b": {}}},
            {"properties": {"a": {}, "c": {}}},
            ["properties.b: removed", "properties.c: added"],
        ),
        ({"oneOf": [{"type": "a"}]}, {"oneOf": [{"type": "b"}]}, ["oneOf[0].type: 'a' → 'b'"]),
        ({"oneOf": [{}]}, {"oneOf": [{}, {}]}, ["oneOf: a list of 1 → a list of 2"]),
        ({"type": "string"}, ["x"], ["(the schema): an object → a list of 1"]),
    ],
)
def test_schema_differences(old, new, expected):
    assert schema_differences(old, new) == expected


def test_schema_differences_are_capped():
    old = {"properties": {f"p{i}": {"type": "string"} for i in range(10)}}
    new = {"properties": {f"p{i}": {"type": "integer"} for i in range(10)}}
    lines = schema_differences(old, new, limit=3)
    assert len(lines) == 4
    assert lines[-1] == "… and 7 more"


def test_normalise_schema_keeps_property_names_that_look_like_keywords():
    schema = {
        "type": "object",
        "description": "gone",
        "properties": {"description": {"type": "string", "example": "x"}, "x-id": {}},
        "default": {"description": "data stays"},
        "x-circular-ref": "#/components/schemas/Tree",
        "x-vendor": 1,
    }
    assert normalise_schema(schema) == {
        "type": "object",
        "properties": {"description": {"type": "string"}, "x-id": {}},
        "default": {"description": "data stays"},
        "x-circular-ref": "#/components/schemas/Tree",
    }
