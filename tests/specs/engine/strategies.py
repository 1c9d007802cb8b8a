"""Hypothesis strategies: JSON-schema-like dicts that can be satisfied, and values for them."""

from __future__ import annotations

import math
import re
import string
from typing import Any

from hypothesis import strategies as st

FORMAT_VALUES: dict[str, list[str]] = {
    "date": ["2024-01-31", "1999-12-01", "2000-02-29"],
    "date-time": ["2024-01-31T12:00:00Z", "2001-02-03T04:05:06.789+01:00"],
    "uuid": ["3fa85f64-5717-4562-b3fc-2c963f66afa6", "00000000-0000-0000-0000-000000000000"],
    "email": ["a@b.example", "first.last@example.com"],
    "uri": ["https://example.com/", "urn:isbn:0451450523"],
    "ipv4": ["192.0.2.1", "10.0.0.255"],
    "byte": ["ZXhhbXBsZQ==", ""],
}
PATTERNS = [
    r"^[a-z]+$",
    r"^[A-Z]{3}$",
    r"^\d{4}-\d{2}$",
    r"^(eu|us)-[a-z0-9]{1,5}$",
    r"^v[0-9]+(\.[0-9]+)?$",
    r"^[^/?#]+$",
    r"abc",
]
NAMES = st.sampled_from(
    ["id", "name", "unit", "kind", "value", "tags", "a b", "x-y", "ünï", "$ref"]
)


def _nullable(schema: dict[str, Any], dialect: str) -> dict[str, Any]:
    if isinstance(schema.get("enum"), list):
        # An enum restricts null as any value (in 3.0 too, as 3.0.3 clarified): list it.
        schema = {**schema, "enum": [*schema["enum"], None]}
    if dialect == "3.0":
        return {**schema, "nullable": True}
    kind = schema.get("type")
    if isinstance(kind, str):
        return {**schema, "type": [kind, "null"]}
    return schema


@st.composite
def string_schemas(draw: st.DrawFn) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    choice = draw(st.sampled_from(["plain", "format", "pattern", "lengths", "enum"]))
    if choice == "format":
        schema["format"] = draw(st.sampled_from(sorted(FORMAT_VALUES)))
    elif choice == "pattern":
        schema["pattern"] = draw(st.sampled_from(PATTERNS))
    elif choice == "lengths":
        low = draw(st.integers(0, 8))
        schema["minLength"] = low
        if draw(st.booleans()):
            schema["maxLength"] = draw(st.integers(max(low, 1), 12))
    elif choice == "enum":
        schema["enum"] = draw(st.lists(st.text(max_size=6), min_size=1, max_size=4, unique=True))
    return schema


@st.composite
def number_schemas(draw: st.DrawFn, dialect: str = "3.1") -> dict[str, Any]:
    integer = draw(st.booleans())
    schema: dict[str, Any] = {"type": "integer" if integer else "number"}
    if draw(st.booleans()):
        schema["format"] = draw(
            st.sampled_from(["int32", "int64"] if integer else ["float", "double"])
        )
    numbers = st.integers(-1000, 1000) if integer else st.floats(-1000, 1000, allow_nan=False)
    low = draw(st.none() | numbers)
    high = draw(st.none() | numbers)
    step = draw(st.none() | st.sampled_from([1, 2, 5]))
    if low is not None and high is not None:
        low, high = min(low, high), max(low, high)
        high = high + 20  # always room for a multiple strictly inside
    if step is not None:
        schema["multipleOf"] = step
    # Exclusive bounds are booleans beside minimum/maximum in 3.0, numbers of their own in 3.1.
    exclusive = draw(st.sampled_from(["none", dialect]))
    if low is not None:
        if exclusive == "3.1":
            schema["exclusiveMinimum"] = low
        else:
            schema["minimum"] = low
            if exclusive == "3.0":
                schema["exclusiveMinimum"] = True
    if high is not None:
        if exclusive == "3.1":
            schema["exclusiveMaximum"] = high
        else:
            schema["maximum"] = high
            if exclusive == "3.0":
                schema["exclusiveMaximum"] = True
    if draw(st.booleans()) and low is None and high is None and step is None:
        values = draw(st.lists(numbers, min_size=1, max_size=3, unique=True))
        schema["enum"] = values
    return schema


def _scalars(dialect: str) -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(
        string_schemas(),
        number_schemas(dialect),
        st.just({"type": "boolean"}),
        st.just({"type": "boolean", "default": False}),
    )


def _containers(
    children: st.SearchStrategy[dict[str, Any]], dialect: str
) -> st.SearchStrategy[dict[str, Any]]:
    @st.composite
    def objects(draw: st.DrawFn) -> dict[str, Any]:
        props = draw(st.dictionaries(NAMES, children, max_size=4))
        schema: dict[str, Any] = {"type": "object", "properties": props}
        if props:
            schema["required"] = draw(st.lists(st.sampled_from(sorted(props)), unique=True))
        if draw(st.booleans()):
            schema["additionalProperties"] = False
        return schema

    @st.composite
    def arrays(draw: st.DrawFn) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "array", "items": draw(children)}
        low = draw(st.integers(0, 3))
        if low:
            schema["minItems"] = low
        if draw(st.booleans()):
            schema["maxItems"] = low + draw(st.integers(0, 3)) or 1
        return schema

    @st.composite
    def all_ofs(draw: st.DrawFn) -> dict[str, Any]:
        # Parts with disjoint property names, so the whole can be satisfied.
        names = draw(st.lists(NAMES, min_size=1, max_size=4, unique=True))
        split = draw(st.integers(0, len(names)))
        parts = []
        for group in (names[:split], names[split:]):
            props = {name: draw(children) for name in group}
            parts.append({"type": "object", "properties": props, "required": list(props)[:1]})
        return {"allOf": parts}

    @st.composite
    def one_ofs(draw: st.DrawFn) -> dict[str, Any]:
        # Choices of different types, so exactly one matches any value.
        kinds = draw(
            st.lists(
                st.sampled_from(["string", "integer", "boolean", "object", "array"]),
                min_size=1,
                max_size=3,
                unique=True,
            )
        )
        choices: list[dict[str, Any]] = []
        for kind in kinds:
            if kind == "string":
                choices.append({"type": "string", "title": "Text"})
            elif kind == "integer":
                integers = number_schemas(dialect).filter(lambda s: s["type"] == "integer")
                choices.append(draw(integers))
            elif kind == "boolean":
                choices.append({"type": "boolean"})
            elif kind == "object":
                choices.append({"type": "object", "properties": {"v": draw(children)}})
            else:
                choices.append({"type": "array", "items": draw(children)})
        return {draw(st.sampled_from(["oneOf", "anyOf"])): choices}

    return st.one_of(objects(), arrays(), all_ofs(), one_ofs())


@st.composite
def _maybe_nullable(
    draw: st.DrawFn, base: st.SearchStrategy[dict[str, Any]], dialect: str
) -> dict[str, Any]:
    schema = draw(base)
    if "type" in schema and draw(st.integers(0, 4)) == 0:
        return _nullable(schema, dialect)
    return schema


def schemas(max_leaves: int = 12, dialect: str = "3.1") -> st.SearchStrategy[dict[str, Any]]:
    """Satisfiable schemas of one OpenAPI dialect ("3.0" or "3.1"): scalars with
    formats/patterns/bounds, objects, arrays, allOf, oneOf."""
    tree = st.recursive(
        _scalars(dialect), lambda inner: _containers(inner, dialect), max_leaves=max_leaves
    )
    return _maybe_nullable(tree, dialect)


def dialect_schemas(max_leaves: int = 12) -> st.SearchStrategy[tuple[str, dict[str, Any]]]:
    """``(dialect, schema)``: a dialect drawn, then a schema written in it."""
    return st.sampled_from(["3.0", "3.1"]).flatmap(
        lambda dialect: schemas(max_leaves, dialect).map(lambda schema: (dialect, schema))
    )


KEYWORDS = [
    "type", "format", "enum", "const", "default", "example", "examples", "items", "prefixItems",
    "properties", "required", "additionalProperties", "allOf", "oneOf", "anyOf", "not",
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength",
    "maxLength", "pattern", "minItems", "maxItems", "uniqueItems", "nullable", "$ref",
    "x-circular-ref", "readOnly", "title",
]  # fmt: skip
JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.sampled_from(
        ["string", "integer", "number", "object", "array", "null", "date", "uuid", "(", "^a+$"]
    ),
)


def garbage_schemas() -> st.SearchStrategy[Any]:
    """Anything JSON-like, keyed mostly by schema keywords: nonsense the engine must survive."""
    return st.recursive(
        JSON_SCALARS,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.dictionaries(st.sampled_from(KEYWORDS) | st.text(max_size=4), inner, max_size=6),
        ),
        max_leaves=20,
    )


# --- values ---------------------------------------------------------------------------


def _number_values(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    integer = schema.get("type") == "integer" or "integer" in (schema.get("type") or [])
    low, high = schema.get("minimum"), schema.get("maximum")
    low_open = schema.get("exclusiveMinimum") is True
    high_open = schema.get("exclusiveMaximum") is True
    if (
        isinstance(schema.get("exclusiveMinimum"), (int, float))
        and schema.get("exclusiveMinimum") is not True
    ):
        low, low_open = schema["exclusiveMinimum"], True
    if (
        isinstance(schema.get("exclusiveMaximum"), (int, float))
        and schema.get("exclusiveMaximum") is not True
    ):
        high, high_open = schema["exclusiveMaximum"], True
    step = schema.get("multipleOf")
    if step or integer:
        unit = step or 1
        lo = (
            None
            if low is None
            else math.floor(low / unit) + 1
            if low_open
            else math.ceil(low / unit)
        )
        if low is not None and not low_open and lo is not None and lo * unit < low:
            lo += 1
        hi = (
            None
            if high is None
            else math.ceil(high / unit) - 1
            if high_open
            else math.floor(high / unit)
        )
        width = {"int32": 31, "int64": 63}.get(schema.get("format"))
        if width:  # the format is checked: a value it does not fit is no valid value
            lo = max(lo, -(2**width) // unit) if lo is not None else -(2**width) // unit
            hi = min(hi, (2**width - 1) // unit) if hi is not None else (2**width - 1) // unit
        return st.integers(lo, hi).map(lambda k: k * unit)
    return st.floats(
        low,
        high,
        allow_nan=False,
        allow_infinity=False,
        exclude_min=low_open,
        exclude_max=high_open,
    )


def values(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values valid for a schema made by `schemas()`."""
    strategy = _values(schema)
    types = schema.get("type")
    if schema.get("nullable") is True or (isinstance(types, list) and "null" in types):
        return st.none() | strategy
    return strategy


def _values(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if "allOf" in schema:
        parts = [_values(part) for part in schema["allOf"]]
        return st.tuples(*parts).map(lambda dicts: {k: v for d in dicts for k, v in d.items()})
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return st.one_of(*[values(choice) for choice in schema[key]])
    types = schema.get("type")
    kind = next(t for t in types if t != "null") if isinstance(types, list) else types
    if kind == "string":
        if "format" in schema:
            return st.sampled_from(FORMAT_VALUES[schema["format"]])
        if "pattern" in schema:
            return st.from_regex(re.compile(schema["pattern"], re.ASCII), fullmatch=True)
        alphabet = st.characters(codec="utf-8", exclude_categories=("Cs",))
        return st.text(
            alphabet, min_size=schema.get("minLength", 0), max_size=schema.get("maxLength", 12)
        )
    if kind in ("integer", "number"):
        return _number_values(schema)
    if kind == "boolean":
        return st.booleans()
    if kind == "array":
        return st.lists(
            values(schema["items"]),
            min_size=schema.get("minItems", 0),
            max_size=schema.get("maxItems", 3),
        )
    if kind == "object":
        props = schema.get("properties", {})
        required = schema.get("required", [])
        return st.fixed_dictionaries(
            {name: values(props[name]) for name in required},
            optional={name: values(sub) for name, sub in props.items() if name not in required},
        )
    return st.none()


SEGMENT_TEXT = st.sampled_from([".", "..", "...", "%2F", "%2e", "../", "/", ""]) | st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",))
    | st.sampled_from(list("/?#%.;,=&[]{}\\ ")),
    max_size=12,
)
PATH_LITERALS = st.text(alphabet=string.ascii_lowercase + "-_", min_size=1, max_size=6)
