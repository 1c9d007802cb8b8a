"""The console's wording of the `jsonschema` library's errors, by keyword and path.

``"items[0].name: must be a string"``, ``"missing required property 'name'"``: each error
is worded from its keyword (``error.validator``), the keyword's value in the schema and
where in the value it is (``error.absolute_path``); nothing is checked again here. A
wrong type hides what else the same schema says of that value; duplicates are folded,
and the problems are sorted into the value's own order.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from jsonschema.exceptions import ValidationError

MAX_MESSAGES = 50

_TYPE_WORDS = {
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "an object",
    "null": "null",
}
_FORMAT_WORDS = {
    "date": "must be a date such as 2024-01-31",
    "date-time": "must be a date and time such as 2024-01-31T12:00:00Z",
    "time": "must be a time such as 12:00:00Z",
    "uuid": "must be a UUID such as 3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "email": "must be an email address",
    "idn-email": "must be an email address",
    "uri": "must be an absolute URI such as https://example.com/",
    "uri-reference": "must be a URI or a relative reference",
    "ipv4": "must be an IPv4 address",
    "ipv6": "must be an IPv6 address",
    "hostname": "must be a host name",
    "idn-hostname": "must be a host name",
    "int32": "must fit in 32 bits (-2147483648 to 2147483647)",
    "int64": "must fit in 64 bits",
    "float": "must be a number",
    "double": "must be a number",
    "byte": "must be base64-encoded",
}


@dataclass(frozen=True)
class Problem:
    """One reason a value does not match its schema.

    `path` leads from the value's root to the part at fault (property names and list
    indexes); `keyword` is the schema keyword that failed; `message` is for people.
    """

    path: tuple[str | int, ...]
    keyword: str
    message: str

    @property
    def where(self) -> str:
        """The path as people read it: ``items[0].name`` (empty for the root)."""
        out = ""
        for part in self.path:
            out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
        return out

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.path else self.message


def _show(value: Any) -> str:
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return str(value)


def _count(n: Any, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _type_message(error: ValidationError, nullable: bool = False) -> str:
    kinds = error.validator_value
    kinds = [kinds] if isinstance(kinds, str) else [k for k in kinds if isinstance(k, str)]
    if nullable and error.schema.get("nullable") is True and "null" not in kinds:
        kinds.append("null")
    return "must be " + " or ".join(_TYPE_WORDS.get(k, k) for k in kinds)


def _bound_message(error: ValidationError) -> str:
    keyword, bound = error.validator, error.validator_value
    if keyword == "minimum":
        exclusive = (
            getattr(error, "exclusive", None) or error.schema.get("exclusiveMinimum") is True
        )
        return f"must be {'greater than' if exclusive else 'at least'} {_show(bound)}"
    if keyword == "maximum":
        exclusive = (
            getattr(error, "exclusive", None) or error.schema.get("exclusiveMaximum") is True
        )
        return f"must be {'less than' if exclusive else 'at most'} {_show(bound)}"
    if keyword == "exclusiveMinimum":
        return f"must be greater than {_show(bound)}"
    return f"must be less than {_show(bound)}"


def _combination_message(error: ValidationError) -> str:
    if error.validator == "oneOf" and not error.context:
        return "matches more than one of the allowed shapes"
    count = len(error.validator_value) if isinstance(error.validator_value, list) else 0
    return f"does not match any of the {count} allowed shapes"


def _dependent_message(error: ValidationError) -> str:
    # The library's message names both properties as Python reprs; say it plainly.
    wanted, _, given = error.message.partition(" is a dependency of ")
    return f"must also have property {wanted} when it has {given}"


_MESSAGES: dict[str | None, Callable[[ValidationError], str]] = {
    None: lambda e: "is not allowed",  # the `false` schema
    "type": _type_message,
    "enum": lambda e: "must be one of: " + ", ".join(_show(v) for v in e.validator_value[:20]),
    "const": lambda e: f"must be {_show(e.validator_value)}",
    "minimum": _bound_message,
    "maximum": _bound_message,
    "exclusiveMinimum": _bound_message,
    "exclusiveMaximum": _bound_message,
    "multipleOf": lambda e: f"must be a multiple of {_show(e.validator_value)}",
    "minLength": lambda e: (
        f"must be at least {_count(e.validator_value, 'character', 'characters')} long"
    ),
    "maxLength": lambda e: (
        f"must be at most {_count(e.validator_value, 'character', 'characters')} long"
    ),
    "pattern": lambda e: f"must match the pattern {e.validator_value}",
    "format": lambda e: _FORMAT_WORDS.get(
        e.validator_value, f"must be a valid {e.validator_value}"
    ),
    "minItems": lambda e: f"must have at least {_count(e.validator_value, 'item', 'items')}",
    "maxItems": lambda e: f"must have at most {_count(e.validator_value, 'item', 'items')}",
    "uniqueItems": lambda e: "must not repeat items",
    "items": lambda e: "is not allowed",
    "additionalItems": lambda e: "has more items than allowed",
    "unevaluatedItems": lambda e: "has more items than allowed",
    "contains": lambda e: "must contain at least one matching item",
    "minContains": lambda e: (
        f"must contain at least {_count(e.validator_value, 'matching item', 'matching items')}"
    ),
    "maxContains": lambda e: (
        f"must contain at most {_count(e.validator_value, 'matching item', 'matching items')}"
    ),
    "required": lambda e: f"missing required property '{e.property_name}'",
    "additionalProperties": lambda e: f"has unexpected property '{e.property_name}'",
    "unevaluatedProperties": lambda e: "has properties the schema does not allow",
    "minProperties": lambda e: (
        f"must have at least {_count(e.validator_value, 'property', 'properties')}"
    ),
    "maxProperties": lambda e: (
        f"must have at most {_count(e.validator_value, 'property', 'properties')}"
    ),
    "dependentRequired": _dependent_message,
    "dependencies": _dependent_message,
    "anyOf": _combination_message,
    "oneOf": _combination_message,
    "not": lambda e: "is not allowed here",
}


def _message(error: ValidationError, nullable: bool) -> str:
    keyword = error.validator
    try:
        if keyword == "type":
            return _type_message(error, nullable)
        return _MESSAGES[keyword](error)
    except (KeyError, TypeError, ValueError, AttributeError):
        return f"does not satisfy {keyword}"


def _path(error: ValidationError) -> tuple[str | int, ...]:
    path = tuple(error.absolute_path)
    if error.validator == "items" and error.validator_value is False:
        # Point at the first item past those allowed, as a person would look for it.
        prefix = error.schema.get("prefixItems")
        return (*path, len(prefix) if isinstance(prefix, list) else 0)
    return path


def _order(value: Any, path: Iterable[Any]) -> list[int]:
    """Where a path sits in the value, for sorting problems into the value's order."""
    out: list[int] = []
    node = value
    for part in path:
        if isinstance(node, dict) and part in node:
            out.append(list(node).index(part))
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            out.append(part)
            node = node[part]
        else:
            out.append(-1)
            node = None
    return out


@dataclass
class Raw:
    """An error from another engine (jsonschema-rs) in the shape `translated` reads from
    the library's: the keyword, its value, the schema node it sits in, where in the value."""

    validator: str | None
    validator_value: Any
    schema: Any
    absolute_path: tuple[Any, ...]
    absolute_schema_path: tuple[Any, ...]
    context: list[Any] = field(default_factory=list)
    property_name: Any = None
    message: str = ""
    exclusive: bool | None = None  # a 3.0 minimum/maximum that excludes its bound


# The engine's own names for what the console calls by the keyword's (fastcheck.py).
_KEYWORD_NAMES = {
    "x-console-pattern": "pattern",
    "x-console-format": "format",
    "x-console-multiple-of": "multipleOf",
}


def _schema_rank(error: Any) -> tuple[tuple[int, Any], ...]:
    """The error's place in the schema, comparable across engines: the keywords and
    indexes that lead to it (references passed through left out)."""
    out = []
    for part in error.absolute_schema_path:
        if part == "$ref":
            continue
        if isinstance(part, int):
            out.append((0, part))
        else:
            out.append((1, _KEYWORD_NAMES.get(part, part)))
    return tuple(out)


def _detail(error: Any) -> int:
    if error.validator == "required":
        names = error.schema.get("required") if isinstance(error.schema, dict) else None
        if isinstance(names, list) and error.property_name in names:
            return names.index(error.property_name)
    return 0


def translated(errors: list[Any], value: Any, limit: int, *, nullable: bool) -> list[Problem]:
    """The problems `errors` (the library's, or `Raw` ones) describe, in the value's order
    (ties: the schema's), without duplicates; at most `limit`."""
    # When a value has the wrong type, what else its schema says of it is noise.
    mistyped = {(id(e.schema), tuple(e.absolute_path)) for e in errors if e.validator == "type"}
    ranked: list[tuple[Any, Problem]] = []
    for error in errors:
        at = (id(error.schema), tuple(error.absolute_path))
        if error.validator != "type" and at in mistyped:
            continue
        keyword = error.validator
        message = _message(error, nullable)
        path = _path(error)
        sort_path = (*path, error.property_name) if keyword == "additionalProperties" else path
        key = (_order(value, sort_path), _schema_rank(error), _detail(error))
        ranked.append((key, Problem(path, str(keyword or "false"), message)))
    ranked.sort(key=lambda pair: pair[0])
    out: list[Problem] = []
    seen: set[tuple[tuple[Any, ...], str]] = set()
    for _, problem in ranked:
        if (problem.path, problem.message) in seen:
            continue
        seen.add((problem.path, problem.message))
        out.append(problem)
        if len(out) >= limit:
            break
    return out
