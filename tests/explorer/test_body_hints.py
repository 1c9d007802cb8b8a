"""The completion schema the body editor gets (console/explorer/body_hints.py)."""

from __future__ import annotations

from console.explorer.body_hints import completion_schema
from console.sandbox.openapi import build_openapi
from console.specs.engine.operation import load_operation


def test_sandbox_create_meter_type_keeps_what_completion_uses() -> None:
    document = build_openapi("http://sandbox.invalid")
    op = load_operation(document, "POST", "/metering/v1/meter-types")
    hints = completion_schema(op.request_body.content["application/json"].schema)

    assert hints["type"] == "object"
    assert hints["required"] == ["name", "unit", "aggregation"]
    assert set(hints["properties"]) >= {"name", "unit", "aggregation", "resetSchedule"}
    aggregation = hints["properties"]["aggregation"]
    assert aggregation["required"] == ["type"]
    assert sorted(aggregation["properties"]["type"]["enum"]) == ["increment", "last", "max", "sum"]
    assert hints["properties"]["description"] == {"type": "string", "nullable": True}
    assert "example" not in str(hints)  # only what completion uses


def test_read_only_left_out_all_of_merged_unions_united() -> None:
    schema = {
        "allOf": [
            {"type": "object", "properties": {"id": {"type": "string", "readOnly": True}}},
            {"properties": {"name": {"type": "string"}}, "required": ["name"]},
        ],
        "properties": {
            "shape": {
                "oneOf": [
                    {
                        "type": "object",
                        "properties": {"side": {"type": "number"}},
                        "required": ["side"],
                    },
                    {"type": "object", "properties": {"radius": {"type": "number"}}},
                ]
            },
            "tags": {"type": "array", "items": {"enum": ["a", "b", {"not": "scalar"}]}},
        },
    }
    hints = completion_schema(schema)

    assert set(hints["properties"]) == {"name", "shape", "tags"}
    assert hints["required"] == ["name"]
    shape = hints["properties"]["shape"]
    assert set(shape["properties"]) == {"side", "radius"}
    assert "required" not in shape or shape["required"] == []
    assert hints["properties"]["tags"]["items"]["enum"] == ["a", "b"]


def test_depth_and_size_are_limited() -> None:
    deep: dict = {"type": "string"}
    for n in range(20):
        deep = {"type": "object", "properties": {f"p{n}": deep}}
    hints = completion_schema(deep, max_depth=3)
    node, depth = hints, 0
    while "properties" in node:
        node = next(iter(node["properties"].values()))
        depth += 1
    assert depth == 3

    wide = {"type": "object", "properties": {f"p{n}": {"type": "string"} for n in range(5000)}}
    assert len(completion_schema(wide, max_nodes=100)["properties"]) < 150
    assert completion_schema("not a schema") == {}
    assert completion_schema({"description": "x" * 500})["description"].endswith("…")
