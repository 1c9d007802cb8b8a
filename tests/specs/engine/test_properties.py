"""Property tests: the engine never crashes on schemas, and what it builds stays valid."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.specs.engine.examples import example_for_schema, variants_for_schema
from console.specs.engine.fields import field_for_parameter, form_string, parse_field_value
from console.specs.engine.operation import MediaType, Operation, Parameter, RequestBody
from console.specs.engine.request import build_request
from console.specs.engine.validation import validate_value

from .strategies import (
    PATH_LITERALS,
    SEGMENT_TEXT,
    dialect_schemas,
    garbage_schemas,
    values,
)

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    database=None,  # nothing written to disk
    # Health checks time generation; on a loaded 2-core CI machine they fail by chance.
    suppress_health_check=list(HealthCheck),
)


@SETTINGS
@given(garbage_schemas())
def test_nothing_crashes_on_garbage(schema: Any) -> None:
    example = example_for_schema(schema)
    json.dumps(example, allow_nan=True)
    variants_for_schema(schema)
    validate_value(schema, example)
    validate_value(schema, {"a": [1, "x", None]})
    if isinstance(schema, dict):
        spec = field_for_parameter(Parameter(name="p", location="query", schema=schema))
        parse_field_value(spec, "1")
        parse_field_value(spec, ["a", "b"])


@SETTINGS
@given(dialect_schemas())
def test_examples_are_valid_for_their_schema(case: tuple[str, dict[str, Any]]) -> None:
    dialect, schema = case
    example = example_for_schema(schema, max_depth=50)
    json.dumps(example)
    assert validate_value(schema, example, dialect=dialect) == [], (schema, example)


@SETTINGS
@given(dialect_schemas())
def test_every_variant_has_a_valid_example(case: tuple[str, dict[str, Any]]) -> None:
    dialect, schema = case
    for variant in variants_for_schema(schema):
        example = example_for_schema(variant.schema, max_depth=50)
        assert validate_value(variant.schema, example, dialect=dialect) == [], (variant, example)


@st.composite
def schema_and_value(draw: st.DrawFn) -> tuple[str, dict[str, Any], Any]:
    dialect, schema = draw(dialect_schemas())
    return dialect, schema, draw(values(schema))


@SETTINGS
@given(schema_and_value())
def test_generated_values_validate_and_survive_the_request_body(
    case: tuple[str, dict[str, Any], Any],
) -> None:
    dialect, schema, value = case
    assert validate_value(schema, value, dialect=dialect) == [], (schema, value)
    op = Operation(
        method="POST",
        path="/things",
        operation_id="create",
        request_body=RequestBody(
            required=True, content={"application/json": MediaType("application/json", schema)}
        ),
    )
    if value is None:
        return  # "no body"
    built = build_request(op, {}, value if isinstance(value, (dict, list)) else json.dumps(value))
    assert built.content_type == "application/json"
    assert built.body is not None
    sent = json.loads(built.body)
    assert sent == value
    assert validate_value(schema, sent, dialect=dialect) == []


SCALAR_KINDS = ("string", "integer", "number", "boolean")


@SETTINGS
@given(schema_and_value())
def test_form_strings_parse_back_to_the_value(case: tuple[str, dict[str, Any], Any]) -> None:
    dialect, schema, value = case
    kind = schema.get("type")
    kind = next((t for t in kind if t != "null"), None) if isinstance(kind, list) else kind
    if kind not in SCALAR_KINDS or value is None or "oneOf" in schema or "anyOf" in schema:
        return
    if isinstance(value, str) and (
        value.strip() == "" or (value != value.strip() and "enum" not in schema)
    ):
        return  # blank means "not given"
    spec = field_for_parameter(Parameter(name="p", location="query", schema=schema), dialect)
    parsed, error = parse_field_value(spec, form_string(value))
    assert error is None, (schema, value, spec.widget, error)
    assert parsed == value
    assert type(parsed) is type(value) or kind == "number"


@st.composite
def path_cases(draw: st.DrawFn) -> tuple[str, list[Parameter], dict[tuple[str, str], Any]]:
    count = draw(st.integers(1, 3))
    segments: list[str] = []
    params: list[Parameter] = []
    value_map: dict[tuple[str, str], Any] = {}
    for index in range(count):
        name = f"p{index}"
        literal = draw(st.sampled_from(["", "", "file.", "v-"]))
        segments.append(draw(PATH_LITERALS))
        segments.append(literal + "{" + name + "}" + draw(st.sampled_from(["", ".json"])))
        style = draw(st.sampled_from(["simple", "label", "matrix"]))
        explode = draw(st.booleans())
        params.append(
            Parameter(name=name, location="path", required=True, style=style, explode=explode)
        )
        value = draw(
            st.one_of(
                SEGMENT_TEXT.filter(bool),
                st.integers(),
                st.lists(SEGMENT_TEXT, min_size=1, max_size=3),
                st.dictionaries(SEGMENT_TEXT.filter(bool), SEGMENT_TEXT, min_size=1, max_size=3),
            )
        )
        value_map[("path", name)] = value
    return "/" + "/".join(segments), params, value_map


@SETTINGS
@given(path_cases())
def test_path_values_never_change_the_path_structure(
    case: tuple[str, list[Parameter], dict[tuple[str, str], Any]],
) -> None:
    template, params, value_map = case
    op = Operation(method="GET", path=template, operation_id="x", parameters=params)
    built = build_request(op, value_map)
    built_segments = built.path.split("/")
    template_segments = template.split("/")
    assert len(built_segments) == len(template_segments)
    assert "?" not in built.path
    assert "#" not in built.path
    assert "\\" not in built.path
    assert all(ord(c) < 128 and not c.isspace() for c in built.path)
    for built_segment, template_segment in zip(built_segments, template_segments, strict=True):
        assert built_segment not in (".", "..")
        assert unquote(built_segment) not in (".", "..") or built_segment.startswith("%2E")
        if "{" not in template_segment:
            assert built_segment == template_segment


@SETTINGS
@given(SEGMENT_TEXT.filter(bool))
def test_simple_path_values_round_trip(value: str) -> None:
    op = Operation(
        method="GET",
        path="/items/{id}",
        operation_id="x",
        parameters=[
            Parameter(name="id", location="path", required=True, style="simple", explode=False)
        ],
    )
    segment = build_request(op, {("path", "id"): value}).path.split("/")[2]
    assert unquote(segment) == value
