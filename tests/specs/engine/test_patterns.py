"""Patterns from specs run on RE2: linear on any input; what RE2 lacks is named, not run."""

from __future__ import annotations

import pytest

from console.specs.engine import patterns
from console.specs.engine.examples import example_for_schema, pattern_example
from console.specs.engine.index import pattern_problems
from console.specs.engine.validation import validate_value


@pytest.mark.parametrize(
    ("pattern", "text", "found"),
    [
        ("^(a+)+$", "a" * 10_000 + "!", False),
        ("^(a+)+$", "a" * 10_000, True),
        ("(x+x+)+y", "x" * 10_000, False),
        ("(x+x+)+y", "x" * 10_000 + "y", True),
        ("[0-9]", "abc", False),  # JSON Schema patterns are not anchored
        ("[0-9]", "ab3c", True),
        (r"^\d+$", "٣", False),  # \d is ASCII, as in ECMA-262
        ("^é+$", "éé", True),
    ],
)
def test_matches_runs_on_re2(pattern: str, text: str, found: bool) -> None:
    assert patterns.matches(pattern, text) is found


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("^(?!admin).+$", "uses look-around, which RE2 does not support"),
        ("(?<=@)x", "uses look-around, which RE2 does not support"),
        (r"^(a)\1$", "uses a back-reference, which RE2 does not support"),
        ("(broken", "is not a valid regular expression"),
        ("(a{1000}){1000}", "is too large or uses syntax RE2 does not support"),
    ],
)
def test_what_re2_cannot_run_is_said_and_skipped(pattern: str, reason: str) -> None:
    assert patterns.unsupported_reason(pattern) == reason
    assert patterns.matches(pattern, "anything") is None
    # Validation skips the keyword; example generation makes nothing from it.
    assert validate_value({"type": "string", "pattern": pattern}, "anything") == []
    assert pattern_example(pattern) is None


def test_supported_patterns_have_no_reason() -> None:
    assert patterns.unsupported_reason("^[a-z]{2,8}$") is None


def test_pattern_properties_run_on_re2() -> None:
    schema = {"patternProperties": {"^(a+)+$": {"type": "integer"}}, "additionalProperties": False}
    name = "a" * 5_000 + "!"
    assert validate_value(schema, {name: 1}) == [f"has unexpected property '{name}'"]
    assert validate_value(schema, {"aaa": "x"}) == ["aaa: must be a whole number"]


def test_a_subschema_naming_another_draft_keeps_re2() -> None:
    """A "$schema" inside a schema must not hand its patterns to the library's own
    draft-07 validator (which runs Python's re): on re this would not return."""
    schema = {
        "properties": {
            "a": {"$schema": "http://json-schema.org/draft-07/schema#", "pattern": "^(a+)+$"}
        }
    }
    assert validate_value(schema, {"a": "a" * 10_000 + "!"}) == [
        "a: must match the pattern ^(a+)+$"
    ]


def test_unevaluated_properties_match_pattern_properties_on_re2() -> None:
    schema = {"patternProperties": {"^(a+)+$": {}}, "unevaluatedProperties": False}
    assert validate_value(schema, {"aaaa": 1}) == []
    assert validate_value(schema, {"a" * 5_000 + "!": 1}) == [
        "has properties the schema does not allow"
    ]


def test_examples_match_their_pattern_through_re2() -> None:
    assert patterns.matches("^[A-Z]{3}-\\d{2}$", pattern_example("^[A-Z]{3}-\\d{2}$") or "")
    example = example_for_schema({"type": "string", "pattern": "^(?=x)x+$"})
    assert isinstance(example, str)  # a plain string, not one claimed to match


@pytest.mark.parametrize(
    ("pattern", "safe"),
    [
        ("^[a-z]+$", True),
        (r"^\d{4}-\d{2}$", True),
        ("^(ab|cd)+$", True),
        ("^(a+)+$", False),
        ("^(x+x+)+y$", False),
        ("^((ab)*c)*$", False),
        ("^(?!admin).+$", False),  # RE2 cannot confirm it either
    ],
)
def test_browser_safe(pattern: str, safe: bool) -> None:
    assert patterns.browser_safe(pattern) is safe


def test_notices_name_each_pattern_once_and_skip_data() -> None:
    schema = {
        "properties": {
            "a": {"type": "string", "pattern": "(?=x)"},
            "b": {"type": "string", "pattern": "(?=x)"},
            "c": {"patternProperties": {r"(a)\1": {}}},
            "d": {"type": "string", "example": {"pattern": "(?=not-a-schema)"}},
        }
    }
    assert patterns.pattern_notices([schema]) == [
        "The pattern (?=x) uses look-around, which RE2 does not support; values are not "
        "checked against it.",
        r"The pattern (a)\1 uses a back-reference, which RE2 does not support; values are "
        "not checked against it.",
    ]


def test_import_warnings_point_at_each_pattern_and_are_capped() -> None:
    document = {
        "components": {
            "schemas": {f"S{i}": {"type": "string", "pattern": f"^(?!x{i})"} for i in range(25)}
        }
    }
    found = pattern_problems(document)
    assert len(found) == patterns.MAX_NOTICES + 1
    assert found[0].pointer == "components.schemas.S0.pattern"
    assert found[0].severity == "warning"
    assert found[-1].message.startswith("5 more patterns RE2 cannot run")
