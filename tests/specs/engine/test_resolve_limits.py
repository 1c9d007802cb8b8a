"""Hostile sizes the resolver bounds whatever the document is written like (issue 14).

A data value (example, enum, default…) over `DATA_MAX_VALUES` values is left out with a
warning; an inline schema is cut at `max_nodes` like one built from references; each
cut says so once in `warnings`. Sizes and counts only: nothing here is timed.
"""

from __future__ import annotations

from typing import Any

import pytest

from console.specs.engine.examples import example_for_schema, variants_for_schema
from console.specs.engine.fields import (
    MAX_FORM_FIELDS,
    fields_for_object_schema,
    is_flat_object,
    too_many_fields,
)
from console.specs.engine.operation import FORM_MAX_NODES, load_operation
from console.specs.engine.refs import DATA_BUDGET_PER_NODE, DATA_MAX_VALUES, MAX_NESTING, resolve
from console.specs.engine.schemas import COMBINATION_LIMIT

TOO_LARGE = (
    f"The schema is larger than {FORM_MAX_NODES:,} values: the rest is not shown or checked."
)


def values(node: Any) -> int:
    """Every dict, list and scalar in `node`, counted without recursion."""
    count, stack = 0, [node]
    while stack:
        current = stack.pop()
        count += 1
        if isinstance(current, dict):
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
    return count


def body_document(schema: dict[str, Any], **media: Any) -> dict[str, Any]:
    """One operation, POST /things, whose JSON body is `schema` (plus media type keys)."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "Limits", "version": "1"},
        "paths": {
            "/things": {
                "post": {
                    "requestBody": {"content": {"application/json": {"schema": schema, **media}}},
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
    }


def body_schema(doc: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    op = load_operation(doc, "POST", "/things")
    assert op.request_body is not None
    return op.request_body.content["application/json"].schema, op.warnings


# --- data values ---------------------------------------------------------------------------


def test_an_example_over_the_limit_is_left_out_with_one_warning() -> None:
    huge = [{} for _ in range(DATA_MAX_VALUES + 1)]  # with the list itself: limit + 2
    schema = {"type": "array", "items": {"type": "object"}, "example": huge}
    doc = body_document(schema, example=huge)

    resolved, warnings = body_schema(doc)
    op = load_operation(doc, "POST", "/things")

    assert "example" not in resolved
    assert op.request_body.content["application/json"].example is None
    assert warnings == [f"An example of more than {DATA_MAX_VALUES:,} values was left out."]
    assert example_for_schema(resolved, direction="request") == [{}]  # built from the schema


def test_an_example_at_the_limit_is_kept_whole() -> None:
    example = list(range(DATA_MAX_VALUES - 1))  # with the list itself: exactly the limit
    resolved, warnings = body_schema(body_document({"type": "array", "example": example}))
    assert resolved["example"] == example
    assert warnings == []


def test_a_deep_example_is_counted_to_its_leaves() -> None:
    wide_leaves = {"a": [{"b": list(range(DATA_MAX_VALUES))}]}
    resolved, warnings = body_schema(body_document({"type": "object", "default": wide_leaves}))
    assert "default" not in resolved
    assert warnings == [f"A default of more than {DATA_MAX_VALUES:,} values was left out."]


def test_an_enum_over_the_limit_is_left_out_and_says_it_is_not_checked() -> None:
    doc = body_document({"type": "string", "enum": [f"v{i}" for i in range(DATA_MAX_VALUES)]})
    resolved, warnings = body_schema(doc)
    assert resolved == {"type": "string"}
    assert warnings == [
        f"An enum of more than {DATA_MAX_VALUES:,} values was left out: its values are not "
        "offered or checked."
    ]


def test_the_same_warning_is_given_once_for_many_big_values() -> None:
    big = list(range(DATA_MAX_VALUES + 1))
    props = {f"p{i}": {"type": "array", "example": big} for i in range(5)}
    _, warnings = body_schema(body_document({"type": "object", "properties": props}))
    assert warnings == [f"An example of more than {DATA_MAX_VALUES:,} values was left out."]


# --- inline schemas --------------------------------------------------------------------------


def inline_object(count: int) -> dict[str, Any]:
    props = {f"p{i}": {"type": "string", "maxLength": 40} for i in range(count)}
    return {"type": "object", "required": ["p0"], "properties": props}


def test_an_inline_schema_is_cut_at_the_node_limit_with_one_warning() -> None:
    resolved, warnings = body_schema(body_document(inline_object(3 * FORM_MAX_NODES)))

    assert values(resolved) <= FORM_MAX_NODES
    assert resolved["x-truncated"] == "too large"  # the object is not whole
    assert len(resolved["properties"]) < FORM_MAX_NODES // 2
    assert warnings == [TOO_LARGE]
    assert not is_flat_object(resolved)


def test_objects_cut_by_the_limit_are_marked() -> None:
    doc = {"components": {}}
    node = {"oneOf": [{"type": "object", "properties": {"a": {}}} for _ in range(50)]}
    warnings: list[str] = []

    resolved = resolve(doc, node, max_nodes=20, warnings=warnings)

    assert len(resolved["oneOf"]) < 50
    assert resolved["oneOf"][-1]["x-truncated"] == "too large"  # the one the limit fell in
    assert resolved["x-truncated"] == "too large"
    assert warnings == ["The schema is larger than 20 values: the rest is not shown or checked."]


def test_a_map_of_names_is_never_cut_into_a_property_named_x_truncated() -> None:
    doc = {"components": {}}
    node = {"type": "object", "x-a": 1, "x-b": 2, "properties": {"p": {"type": "string"}}}

    resolved = resolve(doc, node, max_nodes=3)

    assert "x-truncated" not in resolved.get("properties", {})


def test_a_small_inline_schema_is_untouched() -> None:
    schema = inline_object(50)
    resolved, warnings = body_schema(body_document(schema))
    assert resolved == schema
    assert warnings == []


def test_references_cut_by_the_node_limit_are_warned_about() -> None:
    # 10 references a level, 5 levels: 111,111 schemas once expanded.
    schemas: dict[str, Any] = {"L5": {"type": "string"}}
    for level in range(4, -1, -1):
        ref = {"$ref": f"#/components/schemas/L{level + 1}"}
        schemas[f"L{level}"] = {
            "type": "object",
            "properties": {f"c{i}": dict(ref) for i in range(10)},
        }
    doc = body_document({"$ref": "#/components/schemas/L0"})
    doc["components"] = {"schemas": schemas}

    resolved, warnings = body_schema(doc)

    assert values(resolved) <= FORM_MAX_NODES
    assert resolved["x-truncated"] == "too large"
    assert warnings == [TOO_LARGE]


def test_references_cut_by_the_depth_limit_are_warned_about() -> None:
    schemas = {
        f"S{i}": {
            "type": "object",
            "properties": {"next": {"$ref": f"#/components/schemas/S{i + 1}"}},
        }
        for i in range(60)
    }
    schemas["S60"] = {"type": "string"}
    warnings: list[str] = []

    resolve(
        {"components": {"schemas": schemas}},
        {"$ref": "#/components/schemas/S0"},
        max_depth=5,
        warnings=warnings,
    )

    assert warnings == ["References nest more than 5 deep: deeper ones are not shown or checked."]


def test_nesting_past_the_limit_is_warned_about() -> None:
    node: dict[str, Any] = {"type": "string"}
    for _ in range(MAX_NESTING + 10):
        node = {"type": "array", "items": node}
    warnings: list[str] = []

    resolved = resolve({}, node, warnings=warnings)

    assert "nested too deeply" in str(resolved)
    assert warnings == [
        f"The schema is nested more than {MAX_NESTING} levels deep: deeper parts are not "
        "shown or checked."
    ]


# --- forms of many properties ----------------------------------------------------------------


@pytest.mark.parametrize(("count", "flat"), [(MAX_FORM_FIELDS, True), (MAX_FORM_FIELDS + 1, False)])
def test_a_form_is_offered_for_at_most_max_form_fields_properties(count: int, flat: bool) -> None:
    schema = inline_object(count)
    assert is_flat_object(schema) is flat
    assert too_many_fields(schema) == (0 if flat else count)


def test_fields_for_a_wide_object_stop_at_the_form_limit() -> None:
    fields = fields_for_object_schema(inline_object(MAX_FORM_FIELDS * 3))
    assert len(fields) == MAX_FORM_FIELDS


# --- variants ---------------------------------------------------------------------------------


def test_the_variant_picker_says_it_lists_only_the_first_shapes() -> None:
    shapes = [{"title": f"Shape {i}", "type": "object"} for i in range(5_000)]
    variants = variants_for_schema({"oneOf": shapes})
    assert len(variants) == COMBINATION_LIMIT
    assert variants[0].note == f"The first {COMBINATION_LIMIT} of 5,000 shapes are listed."


def test_a_picker_of_every_shape_says_nothing() -> None:
    shapes = [{"title": f"Shape {i}", "type": "object"} for i in range(COMBINATION_LIMIT)]
    assert variants_for_schema({"oneOf": shapes})[0].note == ""


def test_data_repeated_by_references_is_bounded_in_total():
    """One 9,000-value example behind 5,000 references: copied until the data budget is
    spent (ten values per value of the resolve limit), not 45 million times over."""
    document = {"components": {"schemas": {"E": {"type": "object", "example": list(range(9000))}}}}
    node = {
        "type": "object",
        "properties": {f"p{i}": {"$ref": "#/components/schemas/E"} for i in range(5000)},
    }
    warnings: list[str] = []
    resolved = resolve(document, node, max_nodes=20_000, warnings=warnings)
    examples = [p["example"] for p in resolved["properties"].values() if "example" in p]
    budget = 20_000 * DATA_BUDGET_PER_NODE
    assert 0 < sum(values(e) for e in examples) <= budget
    assert (
        f"The examples, enums and defaults hold more than {budget:,} values together: the "
        "rest were left out."
    ) in warnings
