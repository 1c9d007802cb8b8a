"""jsonschema-rs may only say "valid" where jsonschema says so too (fastcheck.py).

The fast check decides nothing a person reads: it only lets a valid value skip the slower
walk. So the one property that matters is that it never accepts what jsonschema rejects.
It is checked on generated schemas (both dialects, shared subtrees, readOnly/writeOnly)
with valid and random values, and on every case of the JSON Schema Test Suite the
console runs; and, so the check is not vacuous, that it does confirm most valid values.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.specs.engine import fastcheck
from console.specs.engine.formats import FORMAT_CHECKERS
from console.specs.engine.validation import DIRECTIONS, multiple_ok, problems, validate_value

from .strategies import JSON_SCALARS, dialect_schemas, values
from .test_json_schema_suite import CASES, DIALECTS, SKIPS

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
_keys = itertools.count()

NAMES = st.sampled_from(["id", "name", "unit", "tags", "v", "a b"])
JSON_VALUES = st.recursive(
    JSON_SCALARS.filter(lambda v: not (isinstance(v, float) and v != v))
    | st.integers(-1000, 1000).map(float),  # 5.0: a whole number to both engines
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(NAMES, inner, max_size=4)),
    max_leaves=10,
)


def _fast(schema: Any, value: Any, dialect: str, direction: str | None = None) -> bool:
    """Whether jsonschema-rs itself finds `value` valid (no problems, no hand-over)."""
    return _fast_problems(schema, value, dialect, direction) == []


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, dict[str, Any], Any, str | None]:
    dialect, schema = draw(dialect_schemas())
    if draw(st.booleans()):
        # The resolver shares subtrees: the same object in two places.
        schema = {"type": "object", "properties": {"a": schema, "b": schema}}
        value = {"a": draw(values(schema["properties"]["a"]))} if draw(st.booleans()) else {}
    else:
        value = draw(values(schema) | JSON_VALUES)
    return dialect, schema, value, draw(st.sampled_from(DIRECTIONS))


@SETTINGS
@given(cases())
def test_never_valid_where_jsonschema_finds_a_problem(case) -> None:
    dialect, schema, value, direction = case
    if _fast(schema, value, dialect, direction):
        assert problems(schema, value, dialect=dialect, direction=direction) == [], (
            json.dumps(schema),
            value,
        )


def _fast_problems(schema: Any, value: Any, dialect: str, direction: str | None = None):
    return fastcheck.problems(
        ("test", next(_keys)),
        schema,
        value,
        dialect=dialect,
        direction=direction,
        format_ok=FORMAT_CHECKERS[dialect].conforms,
        multiple_ok=multiple_ok,
        limit=50,
    )


@SETTINGS
@given(cases())
def test_messages_from_rust_are_the_ones_jsonschema_gives(case) -> None:
    """Where jsonschema-rs words the problems itself, they are jsonschema's, in order."""
    dialect, schema, value, direction = case
    fast = _fast_problems(schema, value, dialect, direction)
    if fast is not None:
        slow = problems(schema, value, dialect=dialect, direction=direction)
        assert fast == slow, (json.dumps(schema), value)


def test_messages_from_rust_match_on_the_json_schema_test_suite() -> None:
    worded = differ = 0
    for case in _runnable():
        if case.valid:
            continue
        schema, dialect = _without_dialect(case.schema), DIALECTS[case.draft]
        fast = _fast_problems(schema, case.data, dialect)
        if fast is None:
            continue
        worded += 1
        if fast != problems(schema, case.data, dialect=dialect):
            differ += 1
            print(case.id, fast, problems(schema, case.data, dialect=dialect))
    assert differ == 0
    assert worded > 300  # most invalid cases are worded from Rust's errors


def _runnable() -> list[Any]:
    return [c for c in CASES if not any(rule(c) for _, rule in SKIPS)]


def test_never_valid_where_the_json_schema_test_suite_says_invalid() -> None:
    wrong = [
        c.id
        for c in _runnable()
        if not c.valid
        and (
            _fast(c.schema, c.data, DIALECTS[c.draft])
            or _fast(_without_dialect(c.schema), c.data, DIALECTS[c.draft])
        )
    ]
    assert wrong == []


def _without_dialect(schema: Any) -> Any:
    # The suite names its draft at the top; resolved OpenAPI schemas never do.
    return (
        {k: v for k, v in schema.items() if k != "$schema"} if isinstance(schema, dict) else schema
    )


def test_confirms_most_valid_cases_of_the_suite() -> None:
    valid = [c for c in _runnable() if c.valid]
    confirmed = [c for c in valid if _fast(_without_dialect(c.schema), c.data, DIALECTS[c.draft])]
    assert len(confirmed) > 0.8 * len(valid), (len(confirmed), len(valid))


def test_openapi_30_keywords_in_their_2020_12_form() -> None:
    schema = {"type": "integer", "nullable": True, "minimum": 1, "exclusiveMinimum": True}
    assert _fast(schema, None, "3.0")
    assert _fast(schema, 2, "3.0")
    assert not _fast(schema, 1, "3.0")
    assert not _fast({"type": "string"}, None, "3.0")
    # 3.0 has no const: it is no keyword there, as for openapi-schema-validator.
    assert _fast({"const": "x"}, "y", "3.0")
    assert not _fast({"const": "x"}, "y", "3.1")


def test_required_follows_the_direction() -> None:
    schema = {
        "type": "object",
        "required": ["id", "secret"],
        "properties": {"id": {"readOnly": True}, "secret": {"writeOnly": True}},
    }
    assert _fast(schema, {"secret": "s"}, "3.1", "request")
    assert _fast(schema, {"id": 1}, "3.1", "response")
    assert not _fast(schema, {"secret": "s"}, "3.1", None)


def test_the_console_s_patterns_formats_and_steps_run_from_rust() -> None:
    assert not _fast({"pattern": "^(a+)+$"}, "a" * 10_000 + "!", "3.1")  # RE2
    assert _fast({"pattern": "^(?!x)"}, "x", "3.1")  # RE2 cannot run it: not checked
    assert not _fast({"format": "email"}, "@example.com", "3.1")  # email-validator
    assert _fast({"format": "email"}, "someone@example.com", "3.1")
    assert _fast({"multipleOf": 0.1}, 0.3, "3.1")  # decimal
    assert _fast({"type": "string", "format": "date", "nullable": True}, None, "3.0")


@pytest.mark.parametrize(
    "schema",
    [
        {"$ref": "#/components/schemas/A"},
        {"patternProperties": {"^x": {}}},
        {"$schema": "http://json-schema.org/draft-04/schema#"},
        {"type": ["string", "null"], "nullable": True},  # a type list in 3.0
        {"properties": {"a": 5}},
        {"x-console-pattern": "^a$"},
    ],
)
def test_what_the_translation_is_unsure_of_is_left_to_jsonschema(schema: Any) -> None:
    assert not _fast(schema, {"a": 1}, "3.0")


def test_a_one_of_with_a_cut_branch_is_left_to_jsonschema_only_where_it_errs() -> None:
    cut = {"x-truncated-ref": "#/components/schemas/Big", "type": "object"}
    small = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    schema = {
        "type": "object",
        "properties": {"pick": {"oneOf": [small, cut]}, "name": {"type": "string"}},
    }
    # Elsewhere in the value: worded from Rust, as jsonschema would.
    wrong_name = {"pick": {"other": 1}, "name": 5}
    assert _fast_problems(schema, wrong_name, "3.1") == problems(schema, wrong_name)
    assert _fast_problems(schema, wrong_name, "3.1") is not None
    # Rust counts the cut branch too ("more than one"): jsonschema decides, and accepts.
    both = {"pick": {"n": 1}}
    assert _fast_problems(schema, both, "3.1") is None
    assert problems(schema, both) == []


def test_shared_subschemas_compile_once_as_defs() -> None:
    shared = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    schema = {"type": "array", "items": {"anyOf": [shared, {"allOf": [shared]}]}}
    translated = fastcheck._Translation("3.1", None).document(schema)
    assert list(translated["$defs"]) == ["s0"]
    assert _fast(schema, [{"n": 1}], "3.1")
    assert not _fast(schema, [{"n": "x"}], "3.1")


def test_a_key_is_compiled_once() -> None:
    fastcheck.cache_clear()
    schema = {"type": "string"}
    for _ in range(3):
        assert validate_value(schema, "x", key=("one",)) == []
    assert list(fastcheck._cache) == [(("one",), "3.1", None)]
    # An invalid value still gets jsonschema's messages.
    assert validate_value(schema, 5, key=("one",)) == ["must be a string"]
