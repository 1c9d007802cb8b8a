"""Schema validation with messages a person can act on, for 3.0 and 3.1 schemas."""

from __future__ import annotations

from typing import Any

import pytest

from console.specs.engine.validation import dialect_for, validate_value


@pytest.mark.parametrize(
    ("schema", "value", "messages"),
    [
        ({"type": "string"}, "x", []),
        ({"type": "string"}, 5, ["must be a string"]),
        ({"type": "integer"}, 5.0, []),
        ({"type": "integer"}, 5.5, ["must be a whole number"]),
        ({"type": "integer"}, True, ["must be a whole number"]),
        ({"type": "number"}, False, ["must be a number"]),
        ({"type": "boolean"}, "true", ["must be true or false"]),
        ({"type": "array"}, {}, ["must be a list"]),
        ({"type": "object"}, [], ["must be an object"]),
        ({"type": "string"}, None, ["must be a string"]),
        ({"type": ["string", "null"]}, None, []),
        ({"type": ["string", "integer"]}, 1.5, ["must be a string or a whole number"]),
        ({"enum": ["a", "b"]}, "c", ["must be one of: a, b"]),
        ({"enum": [1, 2]}, True, ["must be one of: 1, 2"]),
        ({"const": "x"}, "y", ["must be x"]),
        ({"minimum": 1}, 0, ["must be at least 1"]),
        ({"maximum": 10}, 11, ["must be at most 10"]),
        ({"exclusiveMinimum": 0}, 0, ["must be greater than 0"]),
        ({"exclusiveMaximum": 5}, 5.0, ["must be less than 5"]),
        ({"multipleOf": 0.1}, 0.3, []),
        ({"multipleOf": 5}, 7, ["must be a multiple of 5"]),
        ({"minLength": 2}, "a", ["must be at least 2 characters long"]),
        ({"maxLength": 1}, "ab", ["must be at most 1 character long"]),
        ({"minLength": 2}, "😀😀", []),
        ({"pattern": "^[a-z]+$"}, "abc", []),
        ({"pattern": "[0-9]"}, "abc", ["must match the pattern [0-9]"]),
        ({"pattern": "(broken"}, "abc", []),
        ({"format": "date"}, "2024-02-29", []),
        ({"format": "date"}, "2023-02-29", ["must be a date such as 2024-01-31"]),
        ({"format": "date-time"}, "2024-01-31T12:00:00Z", []),
        ({"format": "date-time"}, "2024-01-31T12:00:00.123+01:00", []),
        (
            {"format": "date-time"},
            "2024-01-31 12:00",
            ["must be a date and time such as 2024-01-31T12:00:00Z"],
        ),
        ({"format": "uuid"}, "3fa85f64-5717-4562-b3fc-2c963f66afa6", []),
        (
            {"format": "uuid"},
            "3fa85f645717-4562-b3fc-2c963f66afa6a",
            ["must be a UUID such as 3fa85f64-5717-4562-b3fc-2c963f66afa6"],
        ),
        ({"format": "email"}, "someone@example.com", []),
        ({"format": "email"}, "someone", ["must be an email address"]),
        ({"format": "ipv4"}, "192.0.2.1", []),
        ({"format": "ipv6"}, "192.0.2.1", ["must be an IPv6 address"]),
        ({"format": "uri"}, "https://example.com/x", []),
        ({"format": "uri"}, "/relative", ["must be an absolute URI such as https://example.com/"]),
        ({"format": "unknown"}, "anything", []),
        ({"minItems": 1}, [], ["must have at least 1 item"]),
        ({"maxItems": 2}, [1, 2, 3], ["must have at most 2 items"]),
        ({"uniqueItems": True}, [1, 2, 1], ["must not repeat items"]),
        ({"uniqueItems": True}, [1, True], []),
        ({"items": {"type": "integer"}}, [1, "x"], ["[1]: must be a whole number"]),
        ({"prefixItems": [{"type": "string"}], "items": False}, ["a", 1], ["[1]: is not allowed"]),
    ],
)
def test_keywords(schema: dict[str, Any], value: Any, messages: list[str]) -> None:
    assert validate_value(schema, value) == messages


@pytest.mark.parametrize(
    ("schema", "value", "messages"),
    [
        ({"type": "string", "nullable": True}, None, []),
        ({"type": "string", "nullable": True}, 5, ["must be a string or null"]),
        ({"type": "string"}, None, ["must be a string"]),
        ({"minimum": 1, "exclusiveMinimum": True}, 1, ["must be greater than 1"]),
        ({"minimum": 1, "exclusiveMinimum": False}, 1, []),
        ({"maximum": 1, "exclusiveMaximum": True}, 1, ["must be less than 1"]),
        (
            {"type": "integer", "format": "int32"},
            2**31,
            ["must fit in 32 bits (-2147483648 to 2147483647)"],
        ),
        ({"type": "string", "format": "byte"}, "not base64!", ["must be base64-encoded"]),
        ({"type": "integer"}, 5.0, []),  # as in 3.1 (Draft 4 alone would refuse it)
        ({"type": "integer"}, 5.5, ["must be a whole number"]),
    ],
)
def test_openapi_30_dialect(schema: dict[str, Any], value: Any, messages: list[str]) -> None:
    """OpenAPI 3.0 documents (and Swagger 2.0 ones, converted) use 3.0's own keywords."""
    assert validate_value(schema, value, dialect="3.0") == messages


@pytest.mark.parametrize("dialect", ["3.0", "3.1"])
def test_a_discriminator_is_an_annotation(dialect: str) -> None:
    """References are resolved before validation: the discriminator's mapping is not
    followed, the oneOf decides (openapi-schema-validator alone would look #/… up)."""
    kinds = [
        {"type": "object", "properties": {"kind": {"enum": [k]}}, "required": ["kind"]}
        for k in ("a", "b")
    ]
    schema = {
        "oneOf": kinds,
        "discriminator": {"propertyName": "kind", "mapping": {"a": "#/components/schemas/A"}},
    }
    assert validate_value(schema, {"kind": "a"}, dialect=dialect) == []
    assert validate_value(schema, {"kind": "c"}, dialect=dialect) == [
        "does not match any of the 2 allowed shapes"
    ]


def test_nullable_is_no_keyword_in_31() -> None:
    assert validate_value({"type": "string", "nullable": True}, None) == ["must be a string"]


@pytest.mark.parametrize(
    ("version", "dialect"),
    [
        ("3.0.3", "3.0"),
        ("3.0.0", "3.0"),
        ("2.0", "3.0"),
        ("3.1.0", "3.1"),
        ("3.2.0", "3.1"),
        ("", "3.1"),
    ],
)
def test_dialect_for(version: str, dialect: str) -> None:
    assert dialect_for(version) == dialect


def test_objects() -> None:
    schema = {
        "type": "object",
        "required": ["name", "unit"],
        "additionalProperties": False,
        "properties": {
            "name": {"type": "string"},
            "unit": {"type": "string", "enum": ["bytes"]},
            "tags": {
                "type": "array",
                "items": {"type": "object", "properties": {"k": {"type": "string"}}},
            },
        },
    }
    assert validate_value(schema, {"name": "n", "unit": "bytes"}) == []
    assert validate_value(schema, {"unit": "kg", "extra": 1, "tags": [{"k": 5}]}) == [
        "missing required property 'name'",
        "unit: must be one of: bytes",
        "has unexpected property 'extra'",
        "tags[0].k: must be a string",
    ]
    assert validate_value({"additionalProperties": {"type": "integer"}}, {"a": "x"}) == [
        "a: must be a whole number"
    ]
    assert validate_value(
        {"patternProperties": {"^x-": {"type": "string"}}, "additionalProperties": False},
        {"x-a": "s", "b": 1},
    ) == ["has unexpected property 'b'"]
    assert validate_value({"minProperties": 1}, {}) == ["must have at least 1 property"]


def test_combinations() -> None:
    all_of = {"allOf": [{"required": ["a"]}, {"properties": {"a": {"type": "integer"}}}]}
    assert validate_value(all_of, {"a": 1}) == []
    assert validate_value(all_of, {}) == ["missing required property 'a'"]
    one_of = {"oneOf": [{"type": "string"}, {"type": "integer"}]}
    assert validate_value(one_of, 1) == []
    assert validate_value(one_of, 1.5) == ["does not match any of the 2 allowed shapes"]
    overlapping = {"oneOf": [{"type": "number"}, {"type": "integer"}]}
    assert validate_value(overlapping, 1) == ["matches more than one of the allowed shapes"]
    assert validate_value({"anyOf": [{"type": "number"}, {"type": "integer"}]}, 1) == []
    assert validate_value({"not": {"type": "string"}}, "x") == ["is not allowed here"]


@pytest.mark.parametrize("dialect", ["3.0", "3.1"])
def test_a_one_of_with_a_cut_branch_judges_only_the_known_ones(dialect: str) -> None:
    cut = {"x-truncated-ref": "#/components/schemas/Big", "type": "object", "title": "Big"}
    small = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    schema = {"oneOf": [small, cut]}
    assert validate_value(schema, {"n": 1}, dialect=dialect) == []  # small, and maybe Big
    assert validate_value(schema, {"other": True}, dialect=dialect) == []  # maybe Big
    assert validate_value(schema, "text", dialect=dialect) == [  # Big is an object too
        "does not match any of the 2 allowed shapes"
    ]
    twice = {"oneOf": [small, dict(small), cut]}
    assert validate_value(twice, {"n": 1}, dialect=dialect) == [
        "matches more than one of the allowed shapes"
    ]


def test_markers_accept_anything() -> None:
    assert validate_value({"x-circular-ref": "#/components/schemas/Node"}, {"anything": 1}) == []
    assert validate_value({"x-external-ref": "other.yaml"}, 5) == []


GARBAGE: list[Any] = [
    None,
    5,
    [],
    {"type": 5},
    {"type": ["string", 7]},
    {"enum": "x"},
    {"minimum": "1", "maximum": None, "multipleOf": 0},
    {"minLength": -1, "maxLength": "2", "pattern": 3},
    {"items": 5, "prefixItems": "x", "minItems": "1"},
    {"properties": [], "required": "a", "additionalProperties": 5},
    {"allOf": 5, "oneOf": [5], "anyOf": [], "not": 3},
    {"format": 5},
    {"patternProperties": {"(": {}}},
]


@pytest.mark.parametrize("schema", GARBAGE, ids=[repr(g)[:40] for g in GARBAGE])
def test_never_raises(schema: Any) -> None:
    for value in (None, 1, 1.5, "s", [1], {"a": 1}, True, float("inf")):
        validate_value(schema, value)


def test_message_cap_and_depth() -> None:
    schema = {"type": "array", "items": {"type": "string"}}
    assert len(validate_value(schema, list(range(500)))) == 50
    deep: Any = "x"
    for _ in range(400):
        deep = [deep]
    nested: dict[str, Any] = {"type": "string"}
    for _ in range(400):
        nested = {"type": "array", "items": nested}
    validate_value(nested, deep)
