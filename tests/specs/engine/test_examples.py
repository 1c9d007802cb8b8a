"""Example values from schemas: explicit examples first, then built from the schema."""

from __future__ import annotations

import re
from typing import Any

import pytest

from console.specs.engine.examples import (
    example_for_schema,
    pattern_example,
    variants_for_schema,
)
from console.specs.engine.operation import load_operation
from console.specs.engine.validation import validate_value


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": "string", "example": "given", "default": "d"}, "given"),
        ({"type": "string", "examples": ["first", "second"], "default": "d"}, "first"),
        ({"type": "string", "default": "d", "enum": ["a"]}, "d"),
        ({"const": 7, "enum": [1]}, 7),
        ({"type": "string", "enum": ["a", "b"]}, "a"),
        ({"type": ["string", "null"], "enum": [None, "x"]}, "x"),
        ({"type": "string", "example": None}, None),
    ],
)
def test_explicit_values_win(schema: dict[str, Any], expected: Any) -> None:
    assert example_for_schema(schema) == expected


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("date", "2024-01-31"),
        ("date-time", "2024-01-31T12:00:00Z"),
        ("uuid", "3fa85f64-5717-4562-b3fc-2c963f66afa6"),
        ("email", "user@example.com"),
        ("uri", "https://example.com/"),
        ("byte", "ZXhhbXBsZQ=="),
        ("binary", ""),
        ("something-else", "string"),
    ],
)
def test_string_formats(fmt: str, expected: str) -> None:
    schema = {"type": "string", "format": fmt}
    assert example_for_schema(schema) == expected
    assert validate_value(schema, expected) == []


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": "integer", "format": "int32"}, 0),
        ({"type": "integer", "format": "int64", "minimum": 5}, 5),
        ({"type": "integer", "minimum": 5, "exclusiveMinimum": True}, 6),
        ({"type": "integer", "exclusiveMinimum": 5}, 6),
        ({"type": "integer", "maximum": -3}, -3),
        ({"type": "integer", "minimum": 1, "multipleOf": 5}, 5),
        ({"type": "number", "format": "double"}, 0),
        ({"type": "number", "minimum": 0.5}, 0.5),
        ({"format": "float"}, 0),
        ({"type": "boolean"}, True),
        ({"type": "null"}, None),
    ],
)
def test_numbers_and_scalars(schema: dict[str, Any], expected: Any) -> None:
    value = example_for_schema(schema)
    assert value == expected
    assert validate_value(schema, value) == []


def test_string_lengths_and_patterns() -> None:
    assert example_for_schema({"type": "string", "minLength": 10}) == "stringxxxx"
    assert example_for_schema({"type": "string", "maxLength": 3}) == "str"
    for pattern in [
        r"^[A-Z]{3}$",
        r"^\d{4}-\d{2}$",
        r"^(eu|us)-[a-z]+$",
        r"^[^/]+$",
        r"^v\d+(\.\d+)?$",
    ]:
        value = example_for_schema({"type": "string", "pattern": pattern})
        assert re.search(pattern, value), (pattern, value)
    assert pattern_example("(") is None
    assert pattern_example(r"^(?=x)y$") is None


def test_objects_list_required_first_and_all_properties() -> None:
    schema = {
        "type": "object",
        "required": ["b"],
        "properties": {"a": {"type": "integer"}, "b": {"type": "string"}},
    }
    value = example_for_schema(schema)
    assert list(value) == ["b", "a"]
    assert value == {"b": "string", "a": 0}


def test_additional_properties_map() -> None:
    schema = {"type": "object", "additionalProperties": {"type": "integer"}}
    assert example_for_schema(schema) == {"key1": 0}


def test_arrays() -> None:
    assert example_for_schema({"type": "array", "items": {"type": "string"}}) == ["string"]
    assert example_for_schema(
        {"type": "array", "items": {"type": "integer"}, "minItems": 3, "uniqueItems": True}
    ) == [0, 1, 2]
    assert example_for_schema({"type": "array", "maxItems": 0, "items": {"type": "string"}}) == []
    assert example_for_schema(
        {"type": "array", "prefixItems": [{"type": "integer"}, {"type": "boolean"}], "items": False}
    ) == [0, True]


def test_all_of_is_merged(petstore: dict[str, Any]) -> None:
    op = load_operation(petstore, "GET", "/pets/{petId}")
    schema = op.responses["200"].content["application/json"].schema
    value = example_for_schema(schema)
    assert value == {"name": "string", "id": 0, "tag": "string", "birthday": "2024-01-31"}
    assert validate_value(schema, value) == []
    assert "id" not in example_for_schema(schema, direction="request")


def test_one_of_takes_the_first_and_variants_are_listed() -> None:
    schema = {
        "type": "object",
        "properties": {"kind": {"type": "string"}},
        "oneOf": [
            {"title": "Counter", "properties": {"count": {"type": "integer"}}},
            {"$comment": "untitled", "properties": {"gauge": {"type": "number"}}},
            {"type": "null"},
        ],
    }
    assert example_for_schema(schema) == {"kind": "string", "count": 0}
    variants = variants_for_schema(schema)
    assert [v.title for v in variants] == ["Counter", "object", "null"]
    assert variants[1].schema["properties"] == {
        "kind": {"type": "string"},
        "gauge": {"type": "number"},
    }
    assert (
        variants_for_schema(
            {"anyOf": [{"type": "string"}, {"type": "integer", "format": "int64"}]}
        )[1].title
        == "integer (int64)"
    )
    assert variants_for_schema({"type": "string"}) == []
    assert example_for_schema({"anyOf": [{"type": "null"}, {"type": "integer"}]}) == 0


def test_nullable_31_and_30() -> None:
    assert example_for_schema({"type": ["null", "string"], "format": "date"}) == "2024-01-31"
    assert example_for_schema({"type": "integer", "nullable": True}) == 0


def test_circular_refs_are_cut_or_marked(circular: dict[str, Any]) -> None:
    op = load_operation(circular, "POST", "/nodes")
    assert op.request_body is not None
    node = op.request_body.content["application/json"].schema
    # Optional recursion is left out: no marker where it is not needed.
    assert example_for_schema(node) == {"value": "string", "children": []}
    required = {**node, "required": ["parent"]}
    assert example_for_schema(required)["parent"] == "<recursive: Node>"
    assert (
        example_for_schema({"x-circular-ref": "#/components/schemas/Node"}) == "<recursive: Node>"
    )


def test_depth_limit() -> None:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(20):
        schema = {"type": "object", "required": ["x"], "properties": {"x": schema}}
    value = example_for_schema(schema, max_depth=3)
    assert value == {"x": {"x": {"x": {}}}}


def test_31_document_examples(meters: dict[str, Any]) -> None:
    op = load_operation(meters, "POST", "/meters")
    assert op.request_body is not None
    schema = op.request_body.content["application/json"].schema
    value = example_for_schema(schema, direction="request")
    assert value == {
        "name": "Data volume",
        "unit": "bytes",
        "description": "string",
        "threshold": 1,
        "createdAt": "2024-03-01T10:00:00Z",
        "version": 2,
    }
    assert validate_value(schema, value) == []


GARBAGE: list[Any] = [
    None,
    True,
    False,
    5,
    "string",
    [],
    {},
    {"type": 5},
    {"type": ["string", 5, None]},
    {"type": []},
    {"items": []},
    {"items": 5},
    {"type": "array", "items": "x", "minItems": "3"},
    {"type": "array", "minItems": 10**9, "items": {"type": "string"}},
    {"type": "object", "properties": []},
    {"type": "object", "properties": {"a": 5}, "required": "a"},
    {"type": "object", "required": [1, None, "x"]},
    {"type": "object", "additionalProperties": 5, "minProperties": 10**9},
    {"allOf": 5},
    {"allOf": [5, None, {"type": "string"}]},
    {"oneOf": []},
    {"oneOf": [5]},
    {"anyOf": "x"},
    {"enum": []},
    {"enum": "abc"},
    {"examples": {}},
    {"type": "integer", "minimum": "1", "maximum": None, "multipleOf": 0},
    {"type": "integer", "minimum": float("inf")},
    {"type": "number", "minimum": 10, "maximum": 1},
    {"type": "number", "multipleOf": -2},
    {"type": "string", "pattern": "(unclosed"},
    {"type": "string", "pattern": 5, "minLength": -1, "maxLength": "3"},
    {"type": "string", "pattern": "a{1000000}"},
    {"type": "string", "format": 5},
    {"properties": {"a": {"$ref": "#/x"}}},
    {"x-circular-ref": 5},
    {"prefixItems": "x", "type": "array"},
]


@pytest.mark.parametrize("schema", GARBAGE, ids=[repr(g)[:40] for g in GARBAGE])
def test_never_crashes_on_garbage(schema: Any) -> None:
    example_for_schema(schema)
    variants_for_schema(schema)
