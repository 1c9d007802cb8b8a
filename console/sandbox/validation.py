"""Checks for request bodies and query parameters, with one message per bad field.

The shape of a body (types, required and unknown fields, enums, lengths, bounds) is
checked by `jsonschema` against the request schemas of the sandbox's own OpenAPI
document (`console.sandbox.openapi`), so what the document promises is what is enforced.
The library's errors are translated by keyword and path into the sandbox's messages,
keyed by dotted field path (``aggregation.type``). What JSON Schema cannot say (trimmed
names, known time zones, parsed timestamps, activeTo after activeFrom, defaults, read-only
fields dropped) is a few explicit rules after the schema check.

Every check collects all field errors before failing, so a caller fixing a form sees
every problem at once rather than one per round trip.
"""

from __future__ import annotations

import functools
import math
import uuid
import zoneinfo
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import jsonschema
from jsonschema import Draft202012Validator
from jsonschema import ValidationError as SchemaViolation

from console.sandbox import openapi
from console.sandbox.openapi import PAGE_SIZE_DEFAULT, RESET_FIELDS
from console.sandbox.store import iso

DEFAULT_RESET_SCHEDULE = {"minute": "0", "hour": "0", "day": "1", "month": "*", "weekday": "*"}
DEFAULT_TIMEZONE = "Etc/UTC"

REQUIRED = "This field is required."
UNKNOWN = "Unknown field."
NON_EMPTY_NAME = "Must be a non-empty string."
_CRON = 'Must be a cron-style value such as "0", "*" or "L".'
_TIMEZONE = "Must be an IANA time zone name such as Etc/UTC or Europe/Stockholm."
_TYPE_MESSAGES = {
    "string": "Must be a string.",
    "number": "Must be a number.",
    "integer": "Must be a whole number.",
    "object": "Must be an object.",
    "array": "Must be a list.",
    "boolean": "Must be true or false.",
}
# Fields whose wording is more helpful than the keyword's: (dotted path, keyword) -> message;
# "*" stands for any one segment.
_FIELD_MESSAGES = {
    ("name", "type"): NON_EMPTY_NAME,
    ("name", "minLength"): NON_EMPTY_NAME,
    ("aggregation", "type"): 'Must be an object such as {"type": "increment"}.',
    ("resetSchedule", "type"): "Must be an object with minute, hour, day, month and weekday.",
    ("resetSchedule.*", "type"): _CRON,
    ("resetSchedule.*", "pattern"): _CRON,
    ("timezone", "type"): _TIMEZONE,
    ("activeFrom", "type"): "Must be an ISO 8601 date-time string.",
    ("activeTo", "type"): "Must be an ISO 8601 date-time string.",
}
# Keywords that go first when two errors fall on one field (a wrong type explains the rest).
_FIRST = ("type", "required", "additionalProperties")


class ValidationError(ValueError):
    """Invalid input: `fields` maps each bad field (dotted path) to a message."""

    def __init__(self, fields: dict[str, str], message: str = "The request is not valid.") -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields


def _finite_number(checker: Any, instance: Any) -> bool:
    # JSON has no NaN or Infinity, but Python's json module reads them: not numbers here.
    # (Comparisons, not math.isfinite, which overflows on a 400-digit integer; NaN fails both.)
    return Draft202012Validator.TYPE_CHECKER.is_type(instance, "number") and (
        -math.inf < instance < math.inf
    )


_Validator = jsonschema.validators.extend(
    Draft202012Validator,
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine("number", _finite_number),
)


def _compile(schema: dict[str, Any]) -> Draft202012Validator:
    Draft202012Validator.check_schema(schema)  # a broken document fails at import, not per call
    return _Validator(schema)


# Compiled once: the schemas are built from the same code that serves /openapi.json.
_METER_TYPE_INPUT = _compile(openapi.json_schema("MeterTypeInput"))
_METER_INPUT = _compile(openapi.json_schema("MeterInput"))
_STREAM_RUN_INPUT = _compile(openapi.json_schema("StreamRunInput"))
_STREAM_QUERY = _compile(openapi.query_json_schema("Page", "PageSize", "NameFilter"))


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _field_message(path: str, keyword: str) -> str | None:
    if (path, keyword) in _FIELD_MESSAGES:
        return _FIELD_MESSAGES[(path, keyword)]
    parent, _, _ = path.rpartition(".")
    return _FIELD_MESSAGES.get((_join(parent, "*"), keyword)) if parent else None


def _is_required(error: SchemaViolation, root: dict[str, Any]) -> bool:
    """Whether the property `error` is about is required by its object's schema."""
    schema_path = list(error.relative_schema_path)
    if len(schema_path) < 3 or schema_path[-3] != "properties":
        return False
    parent = functools.reduce(lambda node, key: node[key], schema_path[:-3], root)
    return schema_path[-2] in parent.get("required", ())


def _bounds_message(schema: dict[str, Any]) -> str:
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None and high is not None:
        return f"Must be between {low} and {high}."
    if high is not None:
        return f"Must be at most {high}."
    return "Must not be negative." if low == 0 else f"Must be at least {low}."


def _message(error: SchemaViolation, path: str, root: dict[str, Any]) -> str:
    """The sandbox's message for one error of a keyword that is about the value itself."""
    keyword, expected = error.validator, error.validator_value
    if keyword == "type" and error.instance is None and _is_required(error, root):
        return REQUIRED  # a null where a value is required reads as a missing field
    override = _field_message(path, keyword)
    if override is not None:
        return override
    if "enum" in error.schema and keyword in ("type", "enum"):
        return f"Must be one of: {', '.join(map(str, error.schema['enum']))}."
    if keyword == "type":
        wanted = [t for t in expected if t != "null"]  # `type` is a list in openapi.json_schema
        return _TYPE_MESSAGES.get(wanted[0], "Has the wrong type.")
    if keyword == "minLength":
        return "Must not be empty." if expected == 1 else f"Must be at least {expected} characters."
    if keyword == "maxLength":
        return f"Must be at most {expected} characters."
    if keyword in ("minimum", "maximum"):
        return _bounds_message(error.schema)
    if keyword == "pattern":
        return "Is not in the expected format."
    return error.message  # a keyword the document does not use yet: the library's words


def _translate(error: SchemaViolation, root: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(dotted field, message) pairs for one `jsonschema` error."""
    path = ".".join(str(part) for part in error.absolute_path)
    if error.validator == "required":
        for name in error.validator_value:
            if name not in error.instance:
                yield _join(path, name), REQUIRED
    elif error.validator == "additionalProperties":
        known = error.schema.get("properties", {})
        for name in error.instance:
            if name not in known:
                yield _join(path, name), UNKNOWN
    else:
        yield path, _message(error, path, root)


def _shape_errors(validator: Draft202012Validator, instance: Any) -> dict[str, str]:
    """The schema's verdict on `instance` as {dotted field: message}; the first message per
    field wins. Raises ValidationError when the body is not an object at all."""
    if not isinstance(instance, dict):
        raise ValidationError(
            {"body": "Must be a JSON object."}, "The request body must be a JSON object."
        )
    found = sorted(
        validator.iter_errors(instance),
        key=lambda e: _FIRST.index(e.validator) if e.validator in _FIRST else len(_FIRST),
    )
    errors: dict[str, str] = {}
    for error in found:
        for key, message in _translate(error, validator.schema):
            errors.setdefault(key, message)
    return errors


# -- rules the schema cannot express ---------------------------------------------------------


@functools.cache
def _known_timezones() -> frozenset[str]:
    # Empty on a system without a time zone database; then any name is accepted.
    return frozenset(zoneinfo.available_timezones())


def is_uuid(value: str) -> bool:
    """True for a canonical UUID string (any case)."""
    try:
        return str(uuid.UUID(value)) == value.lower()
    except (ValueError, AttributeError, TypeError):
        return False


def _trimmed(body: Any) -> Any:
    """The body with its name trimmed, as it is stored: the schema's limits (minLength 1,
    maxLength) count the name without its leading and trailing spaces."""
    if isinstance(body, dict) and isinstance(body.get("name"), str):
        return {**body, "name": body["name"].strip()}
    return body


def _timestamp(body: dict[str, Any], key: str, errors: dict[str, str]) -> str | None:
    """The value in the store's UTC format; the schema's `format` is not asserted, so the
    parse and the time zone are checked here."""
    value = body.get(key)
    if value is None or key in errors:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        errors[key] = "Must be an ISO 8601 date-time, e.g. 2025-01-01T00:00:00Z."
        return None
    if moment.tzinfo is None:
        errors[key] = "Must include a time zone offset or Z."
        return None
    return iso(moment)


def _timezone(body: dict[str, Any], errors: dict[str, str]) -> str:
    timezone = body.get("timezone")
    if timezone is None:
        return DEFAULT_TIMEZONE
    known = _known_timezones()
    if "timezone" not in errors and (not timezone or (known and timezone not in known)):
        errors["timezone"] = _TIMEZONE
    return timezone


def _text(body: dict[str, Any], key: str) -> str:
    """An optional text field: null or left out is stored as ""."""
    return body.get(key) or ""


def validate_meter_type_input(body: Any) -> dict[str, Any]:
    """Check a MeterTypeInput body and return the cleaned fields, or raise ValidationError."""
    body = _trimmed(body)
    errors = _shape_errors(_METER_TYPE_INPUT, body)
    if "unit" not in errors and not body["unit"].strip():
        errors["unit"] = "Must not be empty."
    timezone = _timezone(body, errors)
    active_from = _timestamp(body, "activeFrom", errors)
    active_to = _timestamp(body, "activeTo", errors)
    # Both are normalised to the same UTC format, so string order is time order.
    if active_from and active_to and active_to <= active_from:
        errors["activeTo"] = "Must be later than activeFrom."
    if errors:
        raise ValidationError(errors)
    schedule = body.get("resetSchedule")
    # Only the editable fields: read-only ones the client echoed back are dropped here.
    return {
        "name": body["name"],
        "description": _text(body, "description"),
        "category": _text(body, "category"),
        "unit": body["unit"],
        "externalRef": body.get("externalRef"),
        "aggregation": {"type": body["aggregation"]["type"]},
        "resetSchedule": (
            dict(DEFAULT_RESET_SCHEDULE)
            if schedule is None
            else {key: schedule[key] for key in RESET_FIELDS}
        ),
        "timezone": timezone,
        "activeFrom": active_from,
        "activeTo": active_to,
    }


def validate_meter_input(body: Any) -> dict[str, Any]:
    """Check a MeterInput body and return the cleaned fields, or raise ValidationError."""
    body = _trimmed(body)
    errors = _shape_errors(_METER_INPUT, body)
    if errors:
        raise ValidationError(errors)
    return {
        "name": body["name"],
        "description": _text(body, "description"),
        "externalRef": body.get("externalRef"),
        "value": 0 if body.get("value") is None else body["value"],
    }


def validate_run_input(body: Any) -> dict[str, Any]:
    """Check an optional StreamRunInput body; returns the run parameters (may be empty)."""
    if body is None:
        return {}
    errors = _shape_errors(_STREAM_RUN_INPUT, body)
    if errors:
        raise ValidationError(errors)
    return body.get("parameters") or {}


def validate_stream_query(query: dict[str, list[str]]) -> tuple[int, int, str | None]:
    """Read page, pageSize and name from a stream list query string."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for key, default in (("page", 1), ("pageSize", PAGE_SIZE_DEFAULT)):
        raw = (query.get(key) or [""])[0]
        try:
            # A query string is text: parsing it is ours, the bounds are the document's.
            values[key] = int(raw) if raw != "" else default
        except ValueError:
            errors[key] = "Must be a whole number."
            values[key] = default
    name = (query.get("name") or [""])[0].strip()
    if name:
        values["name"] = name
    for key, message in _shape_errors(_STREAM_QUERY, values).items():
        errors.setdefault(key, message)
    if errors:
        raise ValidationError(errors, "The query parameters are not valid.")
    return values["page"], values["pageSize"], values.get("name")
