"""Local $ref resolution: pointers, cycles, external and missing references, and limits."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from console.specs.engine.refs import (
    RefError,
    escape_token,
    follow,
    lookup,
    pointer_tokens,
    resolve,
)

DOC: dict[str, Any] = {
    "components": {
        "schemas": {
            "a/b": {"type": "string", "title": "Slashed"},
            "t~x": {"type": "integer"},
            "Per Cent": {"type": "boolean"},
            "Wrapper": {
                "type": "object",
                "properties": {
                    "inner": {"$ref": "#/components/schemas/a~1b"},
                    "$ref": {"type": "string", "description": "a property named $ref"},
                },
                "example": {"$ref": "#/not/followed"},
            },
            "Alias": {"$ref": "#/components/schemas/Wrapper"},
        }
    },
    "list": [{"v": 1}, {"v": 2}],
}


def test_pointer_tokens_unescape() -> None:
    assert pointer_tokens("#/components/schemas/a~1b") == ["components", "schemas", "a/b"]
    assert pointer_tokens("#/x/t~0x") == ["x", "t~x"]
    assert pointer_tokens("#/x/Per%20Cent") == ["x", "Per Cent"]
    assert pointer_tokens("#") == []
    assert escape_token("a/b~c") == "a~1b~0c"


def test_lookup() -> None:
    assert lookup(DOC, "#/components/schemas/t~0x") == {"type": "integer"}
    assert lookup(DOC, "#/components/schemas/Per%20Cent") == {"type": "boolean"}
    assert lookup(DOC, "#/list/1") == {"v": 2}
    with pytest.raises(RefError, match="points at nothing"):
        lookup(DOC, "#/components/schemas/Nope")
    with pytest.raises(RefError):
        lookup(DOC, "#/list/7")
    with pytest.raises(RefError):
        lookup(DOC, "other.yaml#/x")


def test_follow_chain_and_loops() -> None:
    target, ref = follow(DOC, {"$ref": "#/components/schemas/Alias"})
    assert ref == "#/components/schemas/Wrapper"
    assert target["type"] == "object"
    assert follow(DOC, {"type": "x"}) == ({"type": "x"}, None)
    loop = {"a": {"$ref": "#/b"}, "b": {"$ref": "#/a"}}
    with pytest.raises(RefError, match="refers to itself"):
        follow(loop, {"$ref": "#/a"})


def test_resolve_inlines_and_copies() -> None:
    before = copy.deepcopy(DOC)
    resolved = resolve(DOC, {"$ref": "#/components/schemas/Alias"})
    assert resolved["properties"]["inner"] == {"type": "string", "title": "Slashed"}
    # A property called "$ref" is a name, not a reference; example values are data.
    assert resolved["properties"]["$ref"]["description"] == "a property named $ref"
    assert resolved["example"] == {"$ref": "#/not/followed"}
    resolved["properties"]["inner"]["type"] = "changed"
    assert before == DOC


def test_siblings_override_target() -> None:
    node = {"$ref": "#/components/schemas/a~1b", "description": "Overridden"}
    assert resolve(DOC, node) == {"type": "string", "title": "Slashed", "description": "Overridden"}


def test_circular_refs_are_cut(circular: dict[str, Any]) -> None:
    node = resolve(circular, {"$ref": "#/components/schemas/Node"})
    assert node["properties"]["value"] == {"type": "string"}
    cut = {"x-circular-ref": "#/components/schemas/Node", "type": "object", "title": "Node"}
    assert node["properties"]["parent"] == cut
    assert node["properties"]["children"]["items"] == cut


def test_mutual_recursion(circular: dict[str, Any]) -> None:
    a = resolve(circular, {"$ref": "#/components/schemas/A"})
    b = a["properties"]["b"]
    assert b["properties"]["name"] == {"type": "string"}
    assert b["properties"]["a"] == {
        "x-circular-ref": "#/components/schemas/A",
        "type": "object",
        "title": "A",
    }


def test_ref_to_ref_loop(circular: dict[str, Any]) -> None:
    loop = resolve(circular, {"$ref": "#/components/schemas/Loop1"})
    assert loop == {"x-circular-ref": "#/components/schemas/Loop1", "title": "Loop1"}


def test_external_refs_are_reported_not_fetched(external: dict[str, Any]) -> None:
    warnings: list[str] = []
    op = external["paths"]["/things"]["post"]
    resolved = resolve(external, op, warnings=warnings)
    schema = resolved["requestBody"]["content"]["application/json"]["schema"]
    assert schema == {"x-external-ref": "other.yaml#/components/schemas/Thing"}
    mode = resolved["parameters"][0]["schema"]
    assert mode == {"x-external-ref": "https://schemas.example.com/mode.json"}
    response = resolved["responses"]["200"]["content"]["application/json"]["schema"]
    assert response["properties"]["local"] == {"type": "string"}
    assert response["properties"]["remote"] == {"x-external-ref": "./common.json#/Remote"}
    assert len(warnings) == 3
    assert all("was not followed" in w for w in warnings)


def test_missing_refs_are_marked() -> None:
    warnings: list[str] = []
    resolved = resolve(DOC, {"items": {"$ref": "#/components/schemas/Gone"}}, warnings=warnings)
    assert resolved == {"items": {"x-unresolved-ref": "#/components/schemas/Gone"}}
    assert warnings == [
        "The reference #/components/schemas/Gone points at nothing: 'Gone' is missing."
    ]


def test_blow_up_is_bounded() -> None:
    # Each level references the next one ten times: 10**8 nodes if fully expanded.
    schemas: dict[str, Any] = {"L8": {"type": "string"}}
    for level in range(7, -1, -1):
        schemas[f"L{level}"] = {
            "type": "object",
            "properties": {
                f"p{i}": {"$ref": f"#/components/schemas/L{level + 1}"} for i in range(10)
            },
        }
    doc = {"components": {"schemas": schemas}}
    resolved = resolve(doc, {"$ref": "#/components/schemas/L0"}, max_nodes=5_000)

    def count(node: Any) -> int:
        if isinstance(node, dict):
            return 1 + sum(count(v) for v in node.values())
        if isinstance(node, list):
            return 1 + sum(count(v) for v in node)
        return 1

    assert count(resolved) < 20_000
    assert "x-truncated" in str(resolved)


def test_max_depth_limits_nested_expansions() -> None:
    schemas = {
        f"S{i}": {
            "type": "object",
            "properties": {"next": {"$ref": f"#/components/schemas/S{i + 1}"}},
        }
        for i in range(50)
    }
    doc = {"components": {"schemas": schemas}}
    resolved = resolve(doc, {"$ref": "#/components/schemas/S0"}, max_depth=3)
    inner = resolved["properties"]["next"]["properties"]["next"]["properties"]["next"]
    assert inner["x-truncated-ref"] == "#/components/schemas/S3"
