"""Form fields from parameters, and submitted strings turned into typed values."""

from __future__ import annotations

from typing import Any

import pytest

from console.specs.engine.fields import (
    FieldSpec,
    field_for_parameter,
    fields_for_operation,
    parse_field_value,
)
from console.specs.engine.markup import render_markdown
from console.specs.engine.operation import Parameter, load_operation


def field(
    schema: dict[str, Any], *, required: bool = False, location: str = "query", **kw: Any
) -> FieldSpec:
    return field_for_parameter(
        Parameter(name="p", location=location, required=required, schema=schema, **kw)
    )


def test_petstore_list_fields(petstore: dict[str, Any]) -> None:
    fields = fields_for_operation(load_operation(petstore, "GET", "/pets"))
    # The Accept header parameter is ignored, as OpenAPI says.
    assert [(f.location, f.name, f.widget) for f in fields] == [
        ("query", "limit", "integer"),
        ("query", "tags", "text"),
        ("query", "status", "select"),
    ]
    limit, tags, status = fields
    assert (limit.minimum, limit.maximum) == (1, 100)
    assert limit.attrs == {
        "type": "number",
        "step": "1",
        "inputmode": "numeric",
        "min": "1",
        "max": "100",
        "placeholder": "1",
    }
    assert limit.description_html == "<p>How many items to return at one time (max 100)</p>"
    assert tags.multiple is True
    assert tags.attrs["placeholder"] == "comma-separated values"
    assert status.choices == [
        ("", "—"),
        ("available", "available"),
        ("pending", "pending"),
        ("sold", "sold"),
    ]
    assert status.initial == "available"
    assert status.key == ("query", "status")
    assert status.html_name == "query:status"


def test_path_fields_come_first_and_are_required(petstore: dict[str, Any]) -> None:
    fields = fields_for_operation(load_operation(petstore, "DELETE", "/pets/{petId}"))
    assert [(f.location, f.name) for f in fields] == [
        ("path", "petId"),
        ("query", "force"),
        ("header", "X-Request-Id"),
    ]
    assert fields[0].required is True
    assert fields[0].attrs["required"] is True
    assert fields[1].widget == "boolean select"
    assert fields[2].widget == "uuid"
    assert fields[2].attrs["pattern"].startswith("[0-9a-fA-F]{8}")


@pytest.mark.parametrize(
    ("schema", "widget", "input_type"),
    [
        ({"type": "string"}, "text", "text"),
        ({"type": "string", "format": "date"}, "date", "date"),
        ({"type": "string", "format": "date-time"}, "datetime-local", "datetime-local"),
        ({"type": "string", "format": "email"}, "email", "email"),
        ({"type": "string", "format": "uuid"}, "uuid", "text"),
        ({"type": "string", "format": "binary"}, "file", "file"),
        ({"type": "string", "format": "uri"}, "text", "url"),
        ({"type": "integer"}, "integer", "number"),
        ({"type": "number"}, "number", "number"),
        ({"type": ["number", "null"]}, "number", "number"),
        ({"type": "boolean"}, "boolean select", "select"),
        ({"type": "string", "enum": ["a", "b"]}, "select", "select"),
        ({"type": "object"}, "textarea", "textarea"),
        ({"type": "array", "items": {"type": "object"}}, "textarea", "textarea"),
        ({"type": "array", "items": {"type": "integer"}}, "text", "text"),
        ({"allOf": [{"type": "integer"}, {"minimum": 3}]}, "integer", "number"),
        ({"oneOf": [{"type": "null"}, {"type": "string", "format": "date"}]}, "date", "date"),
        ({}, "text", "text"),
        ({"type": 5}, "text", "text"),
    ],
)
def test_widgets(schema: dict[str, Any], widget: str, input_type: str) -> None:
    spec = field(schema)
    assert (spec.widget, spec.input_type) == (widget, input_type)


def test_required_boolean_is_a_checkbox() -> None:
    spec = field({"type": "boolean"}, required=True)
    assert spec.widget == "checkbox"
    assert "required" not in spec.attrs
    assert parse_field_value(spec, "") == (False, None)
    assert parse_field_value(spec, "on") == (True, None)


def test_array_of_enums_is_a_multi_select() -> None:
    spec = field({"type": "array", "items": {"type": "string", "enum": ["id", "name"]}})
    assert (spec.widget, spec.multiple, spec.attrs["multiple"]) == ("select", True, True)
    assert spec.choices == [("id", "id"), ("name", "name")]
    assert parse_field_value(spec, ["id", "name"]) == (["id", "name"], None)
    assert parse_field_value(spec, ["id", "nope"]) == (None, "item 2 must be one of: id, name")


def test_anchored_patterns_become_html_patterns() -> None:
    assert field({"type": "string", "pattern": "^[a-z]+$"}).attrs["pattern"] == "^[a-z]+$"
    assert "pattern" not in field({"type": "string", "pattern": "[a-z]"}).attrs


def test_lengths_and_exclusive_bounds() -> None:
    text = field({"type": "string", "minLength": 2, "maxLength": 5})
    assert (text.attrs["minlength"], text.attrs["maxlength"]) == ("2", "5")
    whole = field({"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 10})
    assert (whole.minimum, whole.maximum) == (1, 9)
    old_style = field({"type": "integer", "minimum": 0, "exclusiveMinimum": True})
    assert old_style.minimum == 1


def test_examples_become_placeholders() -> None:
    assert field({"type": "string"}, example="meter-1").placeholder == "meter-1"
    assert field({"type": "string"}).placeholder == ""
    assert field({"type": "string", "format": "date"}).placeholder == "2024-01-31"
    obj = field({"type": "object", "properties": {"a": {"type": "integer"}}})
    assert obj.placeholder == '{"a": 0}'


def test_deprecated_and_defaults() -> None:
    spec = field(
        {"type": "array", "items": {"type": "integer"}, "default": [1, 2]}, deprecated=True
    )
    assert spec.deprecated is True
    assert spec.initial == "1, 2"
    assert field({"type": "object", "default": {"a": 1}}).initial == '{\n  "a": 1\n}'
    assert field({"type": "boolean", "default": False}).initial == "false"


def test_description_is_sanitised_markdown() -> None:
    spec = field(
        {"type": "string"},
        description="**Bold** <script>alert(1)</script> [x](javascript:alert(1)) "
        '<img src="https://t.example/p.gif"> <a href="https://ok.example" onclick="x()">ok</a>',
    )
    html = spec.description_html
    assert "<strong>Bold</strong>" in html
    assert "script" not in html
    assert "javascript" not in html
    assert "<img" not in html
    assert "onclick" not in html
    assert 'href="https://ok.example"' in html
    assert 'rel="noopener noreferrer nofollow"' in html
    assert render_markdown(None) == ""


@pytest.mark.parametrize(
    ("schema", "raw", "expected"),
    [
        ({"type": "integer"}, " 42 ", (42, None)),
        ({"type": "integer"}, "4.2", (None, "must be a whole number")),
        ({"type": "integer"}, "abc", (None, "must be a whole number")),
        ({"type": "integer", "minimum": 1}, "0", (None, "must be at least 1")),
        ({"type": "integer", "maximum": 10}, "11", (None, "must be at most 10")),
        ({"type": "number"}, "2.5", (2.5, None)),
        ({"type": "number"}, "1e3", (1000.0, None)),
        ({"type": "number"}, "3", (3, None)),
        ({"type": "number"}, "nan", (None, "must be a number")),
        ({"type": "boolean"}, "true", (True, None)),
        ({"type": "boolean"}, "false", (False, None)),
        ({"type": "string", "enum": ["a", "b"]}, "b", ("b", None)),
        ({"type": "string", "enum": ["a", "b"]}, "c", (None, "must be one of: a, b")),
        ({"type": "integer", "enum": [1, 2]}, "2", (2, None)),
        ({"type": "string"}, "", (None, None)),
        ({"type": "string"}, ["first", "last"], ("last", None)),
        ({"type": "string", "minLength": 3}, "ab", (None, "must be at least 3 characters long")),
        (
            {"type": "string", "pattern": "^[a-z]+$"},
            "AB",
            (None, "must match the pattern ^[a-z]+$"),
        ),
        (
            {"type": "string", "format": "uuid"},
            "nope",
            (None, "must be a UUID such as 3fa85f64-5717-4562-b3fc-2c963f66afa6"),
        ),
        (
            {"type": "string", "format": "date"},
            "2024-02-30",
            (None, "must be a date such as 2024-01-31"),
        ),
        (
            {"type": "string", "format": "date-time"},
            "2024-02-03T04:05",
            ("2024-02-03T04:05:00Z", None),
        ),
        (
            {"type": "string", "format": "date-time"},
            "2024-02-03T04:05:06+02:00",
            ("2024-02-03T04:05:06+02:00", None),
        ),
        ({"type": "string", "format": "email"}, "a@b.example", ("a@b.example", None)),
        ({"type": "string", "format": "email"}, "not-an-email", (None, "must be an email address")),
        ({"type": "object"}, '{"a": 1}', ({"a": 1}, None)),
        ({"type": "object"}, "[1]", (None, "must be an object")),
        (
            {"type": "object"},
            "{oops",
            (
                None,
                "is not valid JSON: Expecting property name enclosed in double quotes"
                " (line 1, column 2)",
            ),
        ),
        ({"type": "array", "items": {"type": "integer"}}, "1, 2,3", ([1, 2, 3], None)),
        ({"type": "array", "items": {"type": "integer"}}, ["4", "5"], ([4, 5], None)),
        ({"type": "array", "items": {"type": "integer"}}, "[6, 7]", ([6, 7], None)),
        (
            {"type": "array", "items": {"type": "integer"}},
            "1, x",
            (None, "item 2 must be a whole number"),
        ),
        (
            {"type": "array", "items": {"type": "string"}, "maxItems": 1},
            "a,b",
            (None, "must have at most 1 item"),
        ),
    ],
)
def test_parse_field_value(
    schema: dict[str, Any], raw: str | list[str], expected: tuple[Any, str | None]
) -> None:
    assert parse_field_value(field(schema), raw) == expected


def test_hostile_json_input() -> None:
    spec = field({"type": "object"})
    assert parse_field_value(spec, "[" * 100_000) == (None, "is nested too deeply")
    listed = field({"type": "array", "items": {"type": "string"}})
    assert parse_field_value(listed, "[" * 100_000) == (["[" * 100_000], None)


def test_required_fields() -> None:
    assert parse_field_value(field({"type": "string"}, required=True), "  ") == (
        None,
        "is required",
    )
    assert parse_field_value(
        field({"type": "array", "items": {"type": "string"}}, required=True), []
    ) == (None, "is required")
    assert parse_field_value(field({"type": "integer"}, required=True), None) == (
        None,
        "is required",
    )


def test_optional_boolean_select() -> None:
    spec = field({"type": "boolean"})
    assert parse_field_value(spec, "") == (None, None)
    assert parse_field_value(spec, "true") == (True, None)
    assert parse_field_value(spec, "maybe") == (None, "must be true or false")


def test_nullable_enum_choice() -> None:
    spec = field({"type": ["string", "null"], "enum": ["on", None]})
    assert spec.choices == [("", "—"), ("on", "on"), ("null", "null")]
    assert parse_field_value(spec, "null") == (None, None)


def test_json_content_parameter() -> None:
    spec = field(
        {"type": "object", "properties": {"a": {"type": "integer"}}},
        content_type="application/json",
    )
    assert spec.widget == "textarea"
    assert parse_field_value(spec, '{"a": "x"}') == (None, "a: must be a whole number")
