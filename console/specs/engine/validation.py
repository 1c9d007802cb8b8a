"""A small JSON Schema validator for the keywords a form needs, with messages for people.

Covers OpenAPI 3.0 schemas (``nullable``, boolean ``exclusiveMinimum``/``Maximum``) and
3.1 / JSON Schema 2020-12 ones (type lists, numeric exclusive bounds, ``const``,
``prefixItems``): type, enum, const, numeric bounds and ``multipleOf``, string lengths,
``pattern``, ``format`` (date, date-time, time, uuid, email, ipv4, ipv6, uri), array
length/uniqueness/items, required and additional properties, ``allOf``/``anyOf``/
``oneOf``/``not``. Unknown keywords are ignored; nonsense keyword values never raise.
"""

from __future__ import annotations

import ipaddress
import json
import math
import re
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from uuid import UUID

from .schemas import is_finite_number as _is_number
from .schemas import not_in_direction, schema_types

MAX_MESSAGES = 50
_MARKERS = ("x-circular-ref", "x-external-ref", "x-unresolved-ref", "x-truncated-ref")
MAX_DEPTH = 64

_TYPE_WORDS = {
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "an object",
    "null": "null",
}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
_TIME = re.compile(r"^\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$")


@lru_cache(maxsize=512)
def _compile(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except (re.error, RecursionError, OverflowError, ValueError):
        return None


def _type_ok(kind: str, value: Any) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        if isinstance(value, bool):
            return False
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "array":
        return isinstance(value, list)
    if kind == "object":
        return isinstance(value, dict)
    if kind == "null":
        return value is None
    return True


def _show(value: Any) -> str:
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return str(value)


def _format_error(fmt: str, value: str) -> str | None:
    if fmt == "date":
        if _DATE.match(value):
            try:
                date.fromisoformat(value)
            except ValueError:
                pass
            else:
                return None
        return "must be a date such as 2024-01-31"
    if fmt == "date-time":
        if _DATE_TIME.match(value):
            try:
                datetime.fromisoformat(value.replace("z", "Z").replace("t", "T"))
            except ValueError:
                pass
            else:
                return None
        return "must be a date and time such as 2024-01-31T12:00:00Z"
    if fmt == "time":
        return None if _TIME.match(value) else "must be a time such as 12:00:00Z"
    if fmt == "uuid":
        if len(value) == 36:
            try:
                UUID(value)
            except ValueError:
                pass
            else:
                return None
        return "must be a UUID such as 3fa85f64-5717-4562-b3fc-2c963f66afa6"
    if fmt in ("email", "idn-email"):
        return None if _EMAIL.match(value) else "must be an email address"
    if fmt in ("uri", "url", "iri"):
        return None if _URI.match(value) else "must be an absolute URI such as https://example.com/"
    if fmt in ("ipv4", "ipv6"):
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            address = None
        if address is not None and address.version == int(fmt[-1]):
            return None
        return f"must be an IP{fmt[2:]} address"
    return None


class _Validator:
    def __init__(self, direction: str | None = None) -> None:
        self.messages: list[str] = []
        self.direction = direction

    def add(self, where: str, message: str) -> None:
        if len(self.messages) < MAX_MESSAGES:
            self.messages.append(f"{where}: {message}" if where else message)

    def check(self, schema: Any, value: Any, where: str, depth: int) -> None:
        if not isinstance(schema, dict) or depth > MAX_DEPTH:
            if schema is False:
                self.add(where, "is not allowed")
            return
        if (
            any(k in schema for k in _MARKERS)
            and "properties" not in schema
            and "type" not in schema
        ):
            return
        types = schema_types(schema)
        if value is None and schema.get("nullable") is True:
            return
        if types and not any(_type_ok(t, value) for t in types):
            words = " or ".join(_TYPE_WORDS.get(t, t) for t in types)
            self.add(where, f"must be {words}")
            return
        if "const" in schema and not _equal(value, schema["const"]):
            self.add(where, f"must be {_show(schema['const'])}")
        enum = schema.get("enum")
        if isinstance(enum, list) and enum and not any(_equal(value, e) for e in enum):
            self.add(where, "must be one of: " + ", ".join(_show(e) for e in enum[:20]))
        if _is_number(value) or (isinstance(value, (int, float)) and not isinstance(value, bool)):
            self.number(schema, value, where)
        elif isinstance(value, str):
            self.string(schema, value, where)
        elif isinstance(value, list):
            self.array(schema, value, where, depth)
        elif isinstance(value, dict):
            self.object(schema, value, where, depth)
        self.combinations(schema, value, where, depth)

    def number(self, schema: dict[str, Any], value: float, where: str) -> None:
        if isinstance(value, float) and not math.isfinite(value):
            self.add(where, "must be a finite number")
            return
        minimum, maximum = schema.get("minimum"), schema.get("maximum")
        ex_min, ex_max = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
        if _is_number(minimum):
            if ex_min is True and value <= minimum:
                self.add(where, f"must be greater than {_show(minimum)}")
            elif value < minimum:
                self.add(where, f"must be at least {_show(minimum)}")
        if _is_number(ex_min) and value <= ex_min:
            self.add(where, f"must be greater than {_show(ex_min)}")
        if _is_number(maximum):
            if ex_max is True and value >= maximum:
                self.add(where, f"must be less than {_show(maximum)}")
            elif value > maximum:
                self.add(where, f"must be at most {_show(maximum)}")
        if _is_number(ex_max) and value >= ex_max:
            self.add(where, f"must be less than {_show(ex_max)}")
        step = schema.get("multipleOf")
        if _is_number(step) and step > 0:
            quotient = value / step
            if not math.isfinite(quotient) or abs(quotient - round(quotient)) > 1e-9:
                self.add(where, f"must be a multiple of {_show(step)}")

    def string(self, schema: dict[str, Any], value: str, where: str) -> None:
        min_len, max_len = schema.get("minLength"), schema.get("maxLength")
        if _is_int(min_len) and len(value) < min_len:
            unit = "character" if min_len == 1 else "characters"
            self.add(where, f"must be at least {min_len} {unit} long")
        if _is_int(max_len) and len(value) > max_len:
            unit = "character" if max_len == 1 else "characters"
            self.add(where, f"must be at most {max_len} {unit} long")
        pattern = schema.get("pattern")
        if isinstance(pattern, str):
            compiled = _compile(pattern)
            if compiled is not None and compiled.search(value) is None:
                self.add(where, f"must match the pattern {pattern}")
        fmt = schema.get("format")
        if isinstance(fmt, str):
            error = _format_error(fmt, value)
            if error:
                self.add(where, error)

    def array(self, schema: dict[str, Any], value: list[Any], where: str, depth: int) -> None:
        min_items, max_items = schema.get("minItems"), schema.get("maxItems")
        if _is_int(min_items) and len(value) < min_items:
            self.add(where, f"must have at least {min_items} item{'s' if min_items != 1 else ''}")
        if _is_int(max_items) and len(value) > max_items:
            self.add(where, f"must have at most {max_items} item{'s' if max_items != 1 else ''}")
        if schema.get("uniqueItems") is True:
            seen: list[Any] = []
            for item in value:
                if any(_equal(item, other) for other in seen):
                    self.add(where, "must not repeat items")
                    break
                seen.append(item)
        prefix = schema.get("prefixItems")
        items = schema.get("items")
        if isinstance(items, list):
            prefix, items = items, schema.get("additionalItems")
        start = 0
        if isinstance(prefix, list):
            for index, (sub, item) in enumerate(zip(prefix, value, strict=False)):
                self.check(sub, item, f"{where}[{index}]", depth + 1)
            start = len(prefix)
        if isinstance(items, dict) or items is False:
            for index in range(start, len(value)):
                self.check(items, value[index], f"{where}[{index}]", depth + 1)

    def object(self, schema: dict[str, Any], value: dict[str, Any], where: str, depth: int) -> None:
        props = schema.get("properties")
        props = props if isinstance(props, dict) else {}
        required = schema.get("required")
        if isinstance(required, list):
            for name in required:
                if (
                    isinstance(name, str)
                    and name not in value
                    and not not_in_direction(props.get(name), self.direction)
                ):
                    self.add(where, f"missing required property '{name}'")
        for name, item in value.items():
            child = f"{where}.{name}" if where else str(name)
            if name in props:
                self.check(props[name], item, child, depth + 1)
                continue
            patterns = schema.get("patternProperties")
            matched = False
            if isinstance(patterns, dict):
                for pattern, sub in patterns.items():
                    compiled = _compile(str(pattern))
                    if compiled is not None and compiled.search(str(name)):
                        matched = True
                        self.check(sub, item, child, depth + 1)
            if matched:
                continue
            extra = schema.get("additionalProperties")
            if extra is False:
                self.add(where, f"has unexpected property '{name}'")
            elif isinstance(extra, dict):
                self.check(extra, item, child, depth + 1)
        min_props, max_props = schema.get("minProperties"), schema.get("maxProperties")
        if _is_int(min_props) and len(value) < min_props:
            self.add(where, f"must have at least {min_props} properties")
        if _is_int(max_props) and len(value) > max_props:
            self.add(where, f"must have at most {max_props} properties")

    def combinations(self, schema: dict[str, Any], value: Any, where: str, depth: int) -> None:
        all_of = schema.get("allOf")
        if isinstance(all_of, list):
            for sub in all_of:
                self.check(sub, value, where, depth + 1)
        for kind in ("anyOf", "oneOf"):
            choices = schema.get(kind)
            if not isinstance(choices, list) or not choices:
                continue
            matches = sum(
                1 for sub in choices if not _errors(sub, value, depth + 1, self.direction)
            )
            if matches == 0:
                self.add(where, f"does not match any of the {len(choices)} allowed shapes")
            elif kind == "oneOf" and matches > 1:
                self.add(where, "matches more than one of the allowed shapes")
        negated = schema.get("not")
        if isinstance(negated, dict) and not _errors(negated, value, depth + 1, self.direction):
            self.add(where, "is not allowed here")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def _errors(schema: Any, value: Any, depth: int, direction: str | None = None) -> list[str]:
    validator = _Validator(direction)
    validator.check(schema, value, "", depth)
    return validator.messages


def validate_value(schema: Any, value: Any, *, direction: str | None = None) -> list[str]:
    """Check `value` against a resolved schema; return messages (empty when it is valid).

    Messages read ``"must be at least 1"``; for nested values they are prefixed with where
    the problem is: ``"items[0].name: must be a string"``. At most 50 messages. Never raises.
    `direction` ``"request"`` does not require ``readOnly`` properties, ``"response"`` does
    not require ``writeOnly`` ones (OpenAPI: `required` applies only where they are sent).
    """
    try:
        return _errors(schema, value, 0, direction)
    except RecursionError:
        return ["is nested too deeply to check"]
