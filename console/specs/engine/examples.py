"""Example values generated from (resolved) schemas, for prefilling forms and bodies.

Works for OpenAPI 3.0 (``nullable``, boolean ``exclusiveMinimum``) and 3.1 (type lists,
numeric ``exclusiveMinimum``, ``examples`` arrays, ``const``, ``prefixItems``). Never
raises: a schema that makes no sense yields None.
"""

from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass
from re import _constants as sre_c
from re import _parser as sre_parse
from typing import Any

from . import patterns
from .schemas import (
    COMBINATION_LIMIT,
    CUT_INSIDE_MARKERS,
    is_finite_number,
    main_type,
    merge_all_of,
    merge_schemas,
    not_in_direction,
    schema_types,
)

RECURSIVE_MARKER = "<recursive: {}>"

FORMAT_EXAMPLES: dict[str, str] = {
    "date": "2024-01-31",
    "date-time": "2024-01-31T12:00:00Z",
    "time": "12:00:00Z",
    "duration": "P1D",
    "uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "email": "user@example.com",
    "idn-email": "user@example.com",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "iri": "https://example.com/",
    "uri-reference": "https://example.com/",
    "iri-reference": "https://example.com/",
    "uri-template": "https://example.com/{id}",
    "hostname": "example.com",
    "idn-hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "byte": "ZXhhbXBsZQ==",
    "binary": "",
    "password": "password",
    "json-pointer": "/example",
    "regex": ".*",
}


@dataclass
class Variant:
    """One choice of a ``oneOf``/``anyOf``: its title and the full schema to use for it."""

    index: int
    title: str
    schema: dict[str, Any]
    kind: str  # "oneOf" or "anyOf"
    of: int = 0  # how many choices the keyword lists (only the first COMBINATION_LIMIT are offered)

    @property
    def note(self) -> str:
        """What the picker says when it lists only some of the choices, else ``""``."""
        if self.of <= COMBINATION_LIMIT:
            return ""
        return f"The first {COMBINATION_LIMIT} of {self.of:,} shapes are listed."


def _variant_title(schema: dict[str, Any], index: int) -> str:
    for key in ("title", "x-circular-ref", "x-truncated-ref", "x-external-ref"):
        value = schema.get(key)
        if isinstance(value, str) and value:
            return value.rsplit("/", 1)[-1] if key != "title" else value
    kind = main_type(schema)
    if kind:
        fmt = schema.get("format")
        return f"{kind} ({fmt})" if isinstance(fmt, str) and fmt else kind
    return f"Option {index + 1}"


def variants_for_schema(schema: Any) -> list[Variant]:
    """The choices of a schema's ``oneOf`` (or else ``anyOf``), each merged with the rest."""
    if not isinstance(schema, dict):
        return []
    schema = merge_all_of(schema)
    for kind in ("oneOf", "anyOf"):
        choices = schema.get(kind)
        if isinstance(choices, list) and choices:
            base = {k: v for k, v in schema.items() if k not in ("oneOf", "anyOf")}
            variants = []
            for index, choice in enumerate(choices[:COMBINATION_LIMIT]):
                if not isinstance(choice, dict):
                    continue
                title = _variant_title(choice, index)
                merged = merge_schemas(base, choice)
                variants.append(Variant(index, title, merged, kind, of=len(choices)))
            return variants
    return []


def _first_example(schema: dict[str, Any]) -> tuple[bool, Any]:
    if "example" in schema:
        return True, schema["example"]
    examples = schema.get("examples")
    if isinstance(examples, list) and examples:
        return True, examples[0]
    if isinstance(examples, dict) and examples:
        first = next(iter(examples.values()))
        if isinstance(first, dict) and "value" in first:
            return True, first["value"]
    if "default" in schema:
        return True, schema["default"]
    if "const" in schema:
        return True, schema["const"]
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        for value in enum:
            if value is not None:
                return True, value
        return True, enum[0]
    return False, None


class _Generator:
    def __init__(self, max_depth: int, direction: str | None) -> None:
        self.max_depth = max_depth
        self.direction = direction

    def value(self, schema: Any, depth: int) -> Any:
        if not isinstance(schema, dict):
            return None
        for marker in ("x-circular-ref", "x-truncated-ref"):
            if marker in schema and "properties" not in schema:
                name = schema.get("title") or str(schema[marker]).rsplit("/", 1)[-1]
                return RECURSIVE_MARKER.format(name)
        if "x-external-ref" in schema or "x-unresolved-ref" in schema:
            return None
        found, example = _first_example(schema)
        if found:
            return copy.deepcopy(example)
        if "allOf" in schema:
            merged = merge_all_of(schema)
            merged.pop("allOf", None)
            return self.value(merged, depth)
        for kind in ("oneOf", "anyOf"):
            choices = schema.get(kind)
            if isinstance(choices, list) and choices:
                base = {k: v for k, v in schema.items() if k not in ("oneOf", "anyOf")}
                dict_choices = [c for c in choices if isinstance(c, dict)]
                non_null = [c for c in dict_choices if schema_types(c) != ["null"]]
                pick = (non_null or dict_choices or [{}])[0]
                return self.value(merge_schemas(base, pick), depth)
        kind = main_type(schema)
        if kind == "object":
            return self.object(schema, depth)
        if kind == "array":
            return self.array(schema, depth)
        if kind == "string":
            return string_example(schema)
        if kind in ("integer", "number"):
            return number_example(schema, integer=kind == "integer")
        if kind == "boolean":
            return True
        return None

    def object(self, schema: dict[str, Any], depth: int) -> dict[str, Any]:
        if depth >= self.max_depth:
            return {}
        props = schema.get("properties")
        props = props if isinstance(props, dict) else {}
        required = schema.get("required")
        required = [r for r in required if isinstance(r, str)] if isinstance(required, list) else []
        out: dict[str, Any] = {}
        for name in required:
            if name in props:
                if not not_in_direction(props[name], self.direction):
                    out[name] = self.value(props[name], depth + 1)
            else:
                out[name] = "string"
        for name, sub in props.items():
            if name not in out and not not_in_direction(sub, self.direction) and not _is_cut(sub):
                out[name] = self.value(sub, depth + 1)
        extra = schema.get("additionalProperties")
        min_props = schema.get("minProperties")
        wanted = min_props if isinstance(min_props, int) and not isinstance(min_props, bool) else 0
        if extra is not False and (wanted > len(out) or (not props and isinstance(extra, dict))):
            item = self.value(extra, depth + 1) if isinstance(extra, dict) else "string"
            index = 1
            while len(out) < max(wanted, 1) and index <= 20:
                out.setdefault(f"key{index}", copy.deepcopy(item))
                index += 1
        return out

    def array(self, schema: dict[str, Any], depth: int) -> list[Any]:
        if depth >= self.max_depth:
            return []
        items = schema.get("items")
        prefix = schema.get("prefixItems")
        if isinstance(items, list):  # draft-4 style tuple
            prefix, items = items, schema.get("additionalItems")
        out: list[Any] = []
        if isinstance(prefix, list):
            out = [self.value(sub, depth + 1) for sub in prefix[:COMBINATION_LIMIT]]
        min_items = schema.get("minItems")
        max_items = schema.get("maxItems")
        count = 1
        if isinstance(min_items, int) and not isinstance(min_items, bool):
            count = max(count, min(min_items, 20))
        if isinstance(max_items, int) and not isinstance(max_items, bool):
            count = max(0, min(count, max_items))
        if not isinstance(items, dict) and items is not True:
            if len(out) < count and items is not False and not prefix:
                out += ["string"] * (count - len(out))
            return out
        if _is_cut(items) and not (isinstance(min_items, int) and min_items > 0):
            return out
        item = self.value(items, depth + 1) if isinstance(items, dict) else "string"
        unique = schema.get("uniqueItems") is True
        while len(out) < count:
            out.append(_vary(item, len(out)) if unique else copy.deepcopy(item))
        return out


def _is_cut(schema: Any) -> bool:
    """A schema standing for a recursion cut (or truncation) rather than a shape."""
    return (
        isinstance(schema, dict)
        and any(k in schema for k in CUT_INSIDE_MARKERS)
        and "properties" not in schema
    )


def _vary(value: Any, index: int) -> Any:
    if index == 0:
        return copy.deepcopy(value)
    if isinstance(value, bool):
        return not value if index == 1 else value
    if isinstance(value, (int, float)):
        return value + index
    if isinstance(value, str):
        return f"{value}{index}"
    return copy.deepcopy(value)


def number_example(schema: dict[str, Any], *, integer: bool) -> int | float:
    """A number inside a schema's bounds (3.0 and 3.1 exclusive forms) and ``multipleOf``."""
    low, low_open = _bound(schema, "minimum", "exclusiveMinimum", lower=True)
    high, high_open = _bound(schema, "maximum", "exclusiveMaximum", lower=False)
    step = schema.get("multipleOf")
    step = step if is_finite_number(step) and step > 0 else None
    value: float = 0
    if low is not None and (value < low or (low_open and value <= low)):
        value = low
        if low_open:
            value = low + (step or 1)
    if high is not None and (value > high or (high_open and value >= high)):
        value = high - (step or 1) if high_open else high
        if low is not None and value < low:
            value = (low + high) / 2
    if integer:
        value = math.ceil(value) if low is not None and value >= low else math.floor(value)
    if step is not None:
        multiple = math.ceil(value / step) * step
        if high is not None and multiple > high:
            multiple = math.floor(value / step) * step
        value = multiple
    if integer or float(value).is_integer():
        return int(value)
    return value


def _bound(schema: dict[str, Any], plain: str, exclusive: str, *, lower: bool) -> tuple[Any, bool]:
    value = schema.get(plain)
    value = value if is_finite_number(value) else None
    flag = schema.get(exclusive)
    if flag is True:
        return value, value is not None
    if is_finite_number(flag) and (value is None or (flag >= value if lower else flag <= value)):
        return flag, True
    return value, False


def string_example(schema: dict[str, Any]) -> str:
    """A string honouring a schema's format, and its pattern and length limits where easy."""
    fmt = schema.get("format")
    text = FORMAT_EXAMPLES.get(fmt, "string") if isinstance(fmt, str) else "string"
    pattern = schema.get("pattern")
    if isinstance(pattern, str) and pattern:
        if not _matches(pattern, text):
            generated = pattern_example(pattern)
            if generated is not None:
                return generated
        return text
    min_len = schema.get("minLength")
    max_len = schema.get("maxLength")
    if isinstance(min_len, int) and not isinstance(min_len, bool) and len(text) < min_len:
        text = text + "x" * min(min_len - len(text), 10_000)
    if isinstance(max_len, int) and not isinstance(max_len, bool) and len(text) > max_len:
        text = text[: max(max_len, 0)]
    return text


def _matches(pattern: str, text: str) -> bool:
    # RE2, as validation: a spec's pattern never runs on the backtracking engine.
    return patterns.matches(pattern, text) is True


_CATEGORY_CHARS = {
    sre_c.CATEGORY_DIGIT: "0",
    sre_c.CATEGORY_NOT_DIGIT: "a",
    sre_c.CATEGORY_SPACE: " ",
    sre_c.CATEGORY_NOT_SPACE: "a",
    sre_c.CATEGORY_WORD: "a",
    sre_c.CATEGORY_NOT_WORD: "-",
}
_CANDIDATES = "a0A_-. xZ9:/@"


def pattern_example(pattern: str) -> str | None:
    """A string matching a (simple) regular expression, or None if none could be made (or
    RE2 cannot run the pattern, so nothing could confirm the string matches)."""
    if len(pattern) > 1000 or patterns.compile_pattern(pattern) is None:
        return None
    try:
        parsed = sre_parse.parse(pattern)
        text = _from_parsed(parsed, {}, 0)
    except (re.error, RecursionError, OverflowError, ValueError, TypeError, KeyError):
        return None
    return text if text is not None and _matches(pattern, text) else None


def _from_parsed(items: Any, groups: dict[int, str], depth: int) -> str | None:
    if depth > 50:
        return None
    out: list[str] = []
    for op, av in items:
        if op is sre_c.LITERAL:
            out.append(chr(av))
        elif op is sre_c.NOT_LITERAL:
            out.append("a" if av != ord("a") else "b")
        elif op is sre_c.ANY:
            out.append("a")
        elif op is sre_c.IN:
            char = _from_set(av)
            if char is None:
                return None
            out.append(char)
        elif op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, sre_c.POSSESSIVE_REPEAT):
            low, _high, sub = av
            if low > 1000:
                return None
            part = _from_parsed(sub, groups, depth + 1)
            if part is None:
                return None
            out.append(part * low)
        elif op is sre_c.SUBPATTERN:
            group, _add, _del, sub = av
            part = _from_parsed(sub, groups, depth + 1)
            if part is None:
                return None
            if group is not None:
                groups[group] = part
            out.append(part)
        elif op is sre_c.ATOMIC_GROUP:
            part = _from_parsed(av, groups, depth + 1)
            if part is None:
                return None
            out.append(part)
        elif op is sre_c.BRANCH:
            part = _from_parsed(av[1][0], groups, depth + 1)
            if part is None:
                return None
            out.append(part)
        elif op is sre_c.CATEGORY:
            out.append(_CATEGORY_CHARS.get(av, "a"))
        elif op is sre_c.GROUPREF:
            out.append(groups.get(av, ""))
        elif op in (sre_c.AT, sre_c.ASSERT, sre_c.ASSERT_NOT):
            continue
        else:
            return None
    return "".join(out)


def _in_set(items: Any, char: str) -> bool:
    code = ord(char)
    for op, av in items:
        if op is sre_c.LITERAL and av == code:
            return True
        if op is sre_c.RANGE and av[0] <= code <= av[1]:
            return True
        if op is sre_c.CATEGORY and re.match(_category_regex(av), char):
            return True
    return False


def _category_regex(category: Any) -> str:
    return {
        sre_c.CATEGORY_DIGIT: r"\d",
        sre_c.CATEGORY_NOT_DIGIT: r"\D",
        sre_c.CATEGORY_SPACE: r"\s",
        sre_c.CATEGORY_NOT_SPACE: r"\S",
        sre_c.CATEGORY_WORD: r"\w",
        sre_c.CATEGORY_NOT_WORD: r"\W",
    }.get(category, r"(?!)")


def _from_set(items: Any) -> str | None:
    negate = bool(items) and items[0][0] is sre_c.NEGATE
    if negate:
        rest = items[1:]
        for char in _CANDIDATES:
            if not _in_set(rest, char):
                return char
        return None
    for op, av in items:
        if op is sre_c.LITERAL:
            return chr(av)
        if op is sre_c.RANGE:
            return chr(av[0])
        if op is sre_c.CATEGORY:
            return _CATEGORY_CHARS.get(av, "a")
    return None


def example_for_schema(schema: Any, *, max_depth: int = 6, direction: str | None = None) -> Any:
    """An example value for a resolved schema.

    Order: ``example``, ``examples`` (first), ``default``, ``const``, ``enum`` (first
    non-null); then ``allOf`` merged, ``oneOf``/``anyOf`` first (non-null) choice, and
    finally built from the type: objects with every property (required first), arrays
    with one item (or ``minItems``), strings by ``format``/``pattern``/length, numbers
    within their bounds. Objects and arrays deeper than `max_depth` are left empty.
    A circular reference (``x-circular-ref`` from `refs.resolve`) is left out where it is
    optional (an optional property, an array's items) and written ``"<recursive: Name>"``
    where it is required. `direction` ``"request"`` leaves out
    ``readOnly`` properties, ``"response"`` leaves out ``writeOnly`` ones. Never raises.
    """
    try:
        return _Generator(max_depth, direction).value(schema, 0)
    except Exception:
        return None
