"""The JSON Schema Test Suite, run through the engine's validator (issue 14).

The vendored files (``json_schema_test_suite/``, see its README) are the suite's cases for the
keywords OpenAPI schemas use: ``draft2020-12`` ones run in the "3.1" dialect and ``draft4`` ones
in OpenAPI 3.0's dialect. Each case passes when ``problems()`` is empty exactly when the suite
says the instance is valid. Cases that do not apply to the console are skipped by the rules in
``SKIPS`` below, each with its reason; nothing else is skipped.

``.venv/bin/python -m tests.specs.engine.test_json_schema_suite`` prints the counts.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import re2
from openapi_schema_validator import OAS30Validator

from console.specs.engine.validation import problems

SUITE = Path(__file__).parent / "json_schema_test_suite"
# The suite's draft directory -> the dialect name problems() takes.
DIALECTS = {"draft2020-12": "3.1", "draft4": "3.0"}


@dataclass(frozen=True)
class Case:
    """One test of the suite: a schema, an instance and whether the instance is valid."""

    draft: str
    file: str  # relative to the draft directory, e.g. "optional/format/date.json"
    group: str
    test: str
    schema: Any
    data: Any
    valid: bool

    @property
    def id(self) -> str:
        """The pytest id: "draft2020-12/minLength.json: <group> / <test>"."""
        return f"{self.draft}/{self.file}: {self.group} / {self.test}"


# The only skips. First matching rule gives the reason; test_every_skip_rule_is_used keeps the
# table honest (a rule that no longer matches anything should go).
SKIPS: tuple[tuple[str, Callable[[Case], bool]], ...] = (
    (
        "uses $ref/$id/$defs/$anchor/$dynamicRef/definitions: the console resolves references "
        "before validating, so validation never sees these keywords",
        lambda case: bool(_keywords(case.schema) & REFERENCE_KEYWORDS),
    ),
    (
        "pattern RE2 cannot compile (look-around, back-references, long Unicode property "
        "names such as \\p{Letter}): such patterns are treated as matching, so cannot reject",
        lambda case: not case.valid and any(not _re2_compiles(p) for p in _patterns(case.schema)),
    ),
    (
        "format as annotation only: the console asserts `format` (that behaviour is what "
        "optional/format/*.json tests)",
        lambda case: case.file == "format.json" and "only an annotation by default" in case.test,
    ),
    (
        "OpenAPI 3.0 has no `patternProperties` (OAS30Validator ignores it)",
        lambda case: _oas30(case) and "patternProperties" in _keywords(case.schema),
    ),
    (
        "OpenAPI 3.0 has no `additionalItems` (OAS30Validator ignores it)",
        lambda case: _oas30(case) and "additionalItems" in _keywords(case.schema),
    ),
    (
        "OpenAPI 3.0 has no `null` type (it has `nullable: true` instead)",
        lambda case: _oas30(case) and "null" in _type_values(case.schema),
    ),
    (
        "OpenAPI 3.0's `type` must be a single string, not an array",
        lambda case: _oas30(case) and any(isinstance(t, list) for t in _types(case.schema)),
    ),
    (
        "OpenAPI 3.0's `items` must be a schema object, not an array of schemas",
        lambda case: _oas30(case) and any(isinstance(i, list) for i in _items(case.schema)),
    ),
    # Two optional format cases where the kept checker the console uses differs from the
    # suite; neither is worth a hand-written checker of our own.
    (
        "leap second (23:59:60): rfc3339-validator, jsonschema's date-time checker, rejects it",
        lambda case: (
            case.file == "optional/format/date-time.json"
            and case.valid
            and "leap second" in case.test
        ),
    ),
    (
        "IPv4 with a leading zero inside an IPv6 literal: rfc3986-validator, jsonschema's uri "
        "checker, accepts it",
        lambda case: case.file == "optional/format/uri.json" and "leading zero" in case.test,
    ),
)
# The OpenAPI 3.0 keywords skipped above; test_oas30_lacks_skipped_keywords checks the dialect.
OAS30_MISSING = ("patternProperties", "additionalItems")

REFERENCE_KEYWORDS = frozenset(
    {
        "$ref",
        "$id",
        "$defs",
        "$anchor",
        "$dynamicRef",
        "$dynamicAnchor",
        "$recursiveRef",
        "$recursiveAnchor",
        "definitions",
        "id",  # Draft 4's $id
    }
)
# Keywords whose value is a map of names to schemas / a list of schemas / one schema (or, for
# items and dependencies, either). Only these are walked: enum/const/default values are data.
_SCHEMA_MAPS = frozenset(
    {"properties", "patternProperties", "dependentSchemas", "$defs", "definitions", "dependencies"}
)
_SCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems", "items"})
_SCHEMA_ONES = frozenset(
    {
        "not",
        "items",
        "additionalItems",
        "additionalProperties",
        "contains",
        "if",
        "then",
        "else",
        "propertyNames",
        "unevaluatedProperties",
        "unevaluatedItems",
    }
)
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # a pattern that does not compile is an answer here, not noise


def _subschemas(schema: Any) -> Iterator[dict[str, Any]]:
    """Every schema object in ``schema``, itself included, walking only schema positions."""
    if not isinstance(schema, dict):
        return
    yield schema
    for keyword, value in schema.items():
        if keyword in _SCHEMA_MAPS and isinstance(value, dict):
            for child in value.values():
                yield from _subschemas(child)
        elif keyword in _SCHEMA_LISTS and isinstance(value, list):
            for child in value:
                yield from _subschemas(child)
        elif keyword in _SCHEMA_ONES:
            yield from _subschemas(value)


def _keywords(schema: Any) -> set[str]:
    """All keywords used anywhere in ``schema`` (property names are not keywords)."""
    return {keyword for sub in _subschemas(schema) for keyword in sub}


def _types(schema: Any) -> list[Any]:
    """Every ``type`` value in ``schema``, as written."""
    return [sub["type"] for sub in _subschemas(schema) if "type" in sub]


def _type_values(schema: Any) -> set[str]:
    """Every type name in ``schema``, from single types and type arrays."""
    names: set[str] = set()
    for value in _types(schema):
        names.update(value if isinstance(value, list) else [value])
    return names


def _items(schema: Any) -> list[Any]:
    """Every ``items`` value in ``schema``."""
    return [sub["items"] for sub in _subschemas(schema) if "items" in sub]


def _patterns(schema: Any) -> list[str]:
    """Every regular expression in ``schema``: ``pattern`` values and ``patternProperties`` keys."""
    found: list[str] = []
    for sub in _subschemas(schema):
        if isinstance(sub.get("pattern"), str):
            found.append(sub["pattern"])
        if isinstance(sub.get("patternProperties"), dict):
            found.extend(sub["patternProperties"])
    return found


def _re2_compiles(pattern: str) -> bool:
    """Whether RE2, the engine's regex library, accepts ``pattern``."""
    try:
        re2.compile(pattern, options=_RE2_OPTIONS)
    except re2.error:
        return False
    return True


def _oas30(case: Case) -> bool:
    """Whether the case runs in OpenAPI 3.0's dialect."""
    return DIALECTS[case.draft] == "3.0"


def skip_reason(case: Case) -> str | None:
    """The reason from ``SKIPS`` that applies to ``case``, or None if it runs."""
    for reason, applies in SKIPS:
        if applies(case):
            return reason
    return None


def load_cases() -> list[Case]:
    """Every case in the vendored files, in a stable order."""
    cases: list[Case] = []
    for draft in DIALECTS:
        root = SUITE / draft
        for path in sorted(root.rglob("*.json")):
            file = path.relative_to(root).as_posix()
            for group in json.loads(path.read_text(encoding="utf-8")):
                for test in group["tests"]:
                    cases.append(
                        Case(
                            draft=draft,
                            file=file,
                            group=group["description"],
                            test=test["description"],
                            schema=group["schema"],
                            data=test["data"],
                            valid=test["valid"],
                        )
                    )
    return cases


CASES = load_cases()


def _params() -> list[Any]:
    """The cases as pytest params, the skipped ones marked with their reason."""
    params = []
    seen: Counter[str] = Counter()
    for case in CASES:
        seen[case.id] += 1
        # The suite repeats a description now and then; keep ids unique and readable.
        case_id = case.id if seen[case.id] == 1 else f"{case.id} #{seen[case.id]}"
        reason = skip_reason(case)
        marks = [pytest.mark.skip(reason=reason)] if reason else []
        params.append(pytest.param(case, id=case_id, marks=marks))
    return params


def summary() -> str:
    """Files, cases, how many run and how many each skip rule takes."""
    reasons = Counter(skip_reason(case) for case in CASES)
    files = len({(case.draft, case.file) for case in CASES})
    lines = [f"{files} files, {len(CASES)} cases, {reasons.pop(None, 0)} run"]
    lines += [f"  skipped {count}: {reason}" for reason, count in reasons.most_common()]
    return "\n".join(lines)


@pytest.mark.parametrize("case", _params())
def test_suite_case(case: Case) -> None:
    """problems() is empty exactly when the suite says the instance is valid."""
    found = problems(
        copy.deepcopy(case.schema), copy.deepcopy(case.data), dialect=DIALECTS[case.draft]
    )
    assert (found == []) == case.valid, (
        f"schema={json.dumps(case.schema)} data={json.dumps(case.data)} "
        f"expected {'valid' if case.valid else 'invalid'}, problems={found!r}"
    )


def test_every_skip_rule_is_used() -> None:
    """Each rule in SKIPS skips at least one case, so the table holds no dead reasons."""
    unused = [reason for reason, applies in SKIPS if not any(applies(case) for case in CASES)]
    assert unused == []


def test_oas30_lacks_skipped_keywords() -> None:
    """The keywords skipped as absent from OpenAPI 3.0 really are absent from its validator."""
    assert [k for k in OAS30_MISSING if k in OAS30Validator.VALIDATORS] == []


def test_suite_is_vendored() -> None:
    """Both drafts are there and most of their cases run."""
    assert {case.draft for case in CASES} == set(DIALECTS)
    run = sum(1 for case in CASES if skip_reason(case) is None)
    assert run > 0.8 * len(CASES)


if __name__ == "__main__":
    print(summary())
