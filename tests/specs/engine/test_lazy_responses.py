"""Responses are resolved when first read: opening an operation's form does not pay for
them, and what they resolve to is what eager resolution gave."""

from __future__ import annotations

from typing import Any

import pytest

from console.specs.engine import refs
from console.specs.engine.operation import FORM_MAX_NODES, LazyResponses, load_operation
from console.specs.engine.refs import resolve


def _document() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/things": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "ok",
                            "headers": {"X-Next": {"schema": {"type": "string"}}},
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Thing"}
                                }
                            },
                        },
                        "404": {"$ref": "#/components/responses/NotFound"},
                        "410": "not an object",
                        "500": {"$ref": "#/components/responses/Gone"},
                        "502": {"$ref": "https://example.com/errors.json"},
                        "default": {"description": "error"},
                    }
                }
            }
        },
        "components": {
            "responses": {
                "NotFound": {
                    "description": "missing",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Err"}}
                    },
                }
            },
            "schemas": {
                "Thing": {
                    "type": "object",
                    "properties": {"id": {"type": "string"}, "err": {"$ref": "#/x/y"}},
                },
                "Err": {"type": "object", "required": ["code"]},
            },
        },
    }


@pytest.fixture
def resolve_calls(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every node the operation module asks `refs.resolve` to resolve."""
    calls: list[Any] = []

    def counting(document: Any, node: Any, **kwargs: Any) -> Any:
        calls.append(node)
        return resolve(document, node, **kwargs)

    monkeypatch.setattr("console.specs.engine.operation.resolve", counting)
    return calls


def test_opening_an_operation_resolves_no_response(resolve_calls):
    op = load_operation(_document(), "GET", "/things")
    assert isinstance(op.responses, LazyResponses)
    assert resolve_calls == []
    # The statuses are known without resolving anything; a non-object is left out.
    assert list(op.responses) == ["200", "404", "500", "502", "default"]
    assert len(op.responses) == 5
    assert "410" not in op.responses
    assert resolve_calls == []


def test_a_response_is_resolved_once_when_read(resolve_calls):
    op = load_operation(_document(), "GET", "/things")
    ok = op.responses["200"]
    assert len(resolve_calls) == 1
    assert ok.content["application/json"].schema["properties"]["id"] == {"type": "string"}
    assert ok.headers["X-Next"]["schema"] == {"type": "string"}
    assert op.responses["200"] is ok
    assert len(resolve_calls) == 1
    not_found = op.responses.get("404")
    assert not_found.description == "missing"
    assert not_found.content["application/json"].schema == {"type": "object", "required": ["code"]}
    with pytest.raises(KeyError):
        op.responses["418"]


def test_the_same_as_eager_resolution(resolve_calls):
    op = load_operation(_document(), "GET", "/things")
    eager = {status: op.responses[status] for status in op.responses}
    assert eager["500"].content == {}  # a reference to nothing resolves to a marker
    assert eager["502"].description == ""
    assert dict(op.responses.items()) == eager
    assert op.responses == eager


def test_direct_references_are_warned_about_at_once_deeper_ones_when_read():
    op = load_operation(_document(), "GET", "/things")
    assert op.warnings == [
        "The reference #/components/responses/Gone points at nothing: 'Gone' is missing.",
        "The external reference https://example.com/errors.json was not followed.",
    ]
    op.responses["200"]
    assert op.warnings[-1] == "The reference #/x/y points at nothing: 'x' is missing."
    op.responses["200"]
    assert len(op.warnings) == 3  # not repeated


def test_request_side_resolution_has_a_bounded_budget(monkeypatch):
    # Each level references the next ten times: 10**7 values if fully expanded.
    schemas: dict[str, Any] = {"L7": {"type": "string"}}
    for level in range(6, -1, -1):
        schemas[f"L{level}"] = {
            "type": "object",
            "properties": {
                f"p{i}": {"$ref": f"#/components/schemas/L{level + 1}"} for i in range(10)
            },
        }
    doc = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/big": {
                "post": {
                    "requestBody": {
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/L0"}}
                        }
                    },
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
        "components": {"schemas": schemas},
    }
    seen: list[int] = []
    original = refs._Resolver.copy

    def spy(self: Any, node: Any, nesting: int, in_name_map: bool = False) -> Any:
        if nesting == 0:
            seen.append(self.max_nodes)
        return original(self, node, nesting, in_name_map)

    monkeypatch.setattr(refs._Resolver, "copy", spy)
    op = load_operation(doc, "POST", "/big")
    assert seen == [FORM_MAX_NODES]
    assert "x-truncated-ref" in str(op.request_body.content["application/json"].schema)
