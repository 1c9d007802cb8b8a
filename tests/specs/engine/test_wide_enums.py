"""An enum too long for a select (`MAX_CHOICES`) is typed, and still checked (issue 14)."""

from __future__ import annotations

from typing import Any

from console.specs.engine.fields import MAX_CHOICES, field_for_parameter, parse_field_value
from console.specs.engine.operation import Parameter


def param(schema: dict[str, Any], *, required: bool = False) -> Parameter:
    return Parameter(name="pick", location="query", required=required, schema=schema)


def words(count: int) -> list[str]:
    return [f"v{i}" for i in range(count)]


def test_an_enum_of_max_choices_is_still_a_select() -> None:
    spec = field_for_parameter(param({"type": "string", "enum": words(MAX_CHOICES)}))
    assert spec.widget == "select"
    assert len(spec.choices) == MAX_CHOICES + 1  # and "—" for an optional one


def test_a_wider_enum_is_a_text_input_that_says_how_many_values_it_allows() -> None:
    spec = field_for_parameter(param({"type": "string", "enum": words(MAX_CHOICES + 1)}))

    assert spec.widget == "text"
    assert spec.choices == []
    assert spec.attrs["placeholder"] == f"one of {MAX_CHOICES + 1:,} values"
    assert f"One of {MAX_CHOICES + 1:,} allowed values" in spec.description_html


def test_a_typed_value_of_a_wide_enum_is_checked() -> None:
    spec = field_for_parameter(param({"type": "string", "enum": words(5_000)}))

    assert parse_field_value(spec, "v4999") == ("v4999", None)
    value, error = parse_field_value(spec, "v5000")
    assert value is None
    assert error is not None
    assert error.startswith("must be one of the 5,000 allowed values")
    assert parse_field_value(spec, "v5000", check=False) == ("v5000", None)  # Send anyway


def test_a_wide_enum_of_integers_gives_integers() -> None:
    spec = field_for_parameter(param({"type": "integer", "enum": list(range(1_000))}))
    assert spec.widget == "integer"
    assert parse_field_value(spec, "999") == (999, None)
    assert parse_field_value(spec, "1000")[1] is not None


def test_a_wide_enum_of_array_items_is_typed_as_a_list() -> None:
    schema = {"type": "array", "items": {"type": "string", "enum": words(2_000)}}
    spec = field_for_parameter(param(schema))

    assert spec.widget == "text"
    assert spec.multiple
    assert spec.choices == []
    assert "One of 2,000 allowed values" in spec.description_html
    assert parse_field_value(spec, "v1, v1999") == (["v1", "v1999"], None)
    assert parse_field_value(spec, "v1, nope")[1].startswith("item 2 must be one of the 2,000")


def test_an_example_still_fills_the_placeholder() -> None:
    schema = {"type": "string", "enum": words(1_000)}
    spec = field_for_parameter(
        Parameter(name="pick", location="query", schema=schema, example="v7")
    )
    assert spec.attrs["placeholder"] == "v7"
