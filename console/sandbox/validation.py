"""Checks for request bodies and query parameters, with one message per bad field.

Every check collects all field errors before failing, so a caller fixing a form sees
every problem at once rather than one per round trip.
"""

from __future__ import annotations

import functools
import math
import re
import uuid
import zoneinfo
from datetime import datetime
from typing import Any

from console.sandbox.store import iso

AGGREGATION_TYPES: tuple[str, ...] = ("increment", "max", "last", "sum")
RESET_FIELDS: tuple[str, ...] = ("minute", "hour", "day", "month", "weekday")
DEFAULT_RESET_SCHEDULE = {"minute": "0", "hour": "0", "day": "1", "month": "*", "weekday": "*"}
NAME_MAX = 128
TEXT_MAX = 1000
PAGE_MAX = 100_000
PAGE_SIZE_MAX = 100
PAGE_SIZE_DEFAULT = 20

# Cron-like tokens as in the vendor's example ("0", "*", "L", "1-5", "*/15", "MON").
_RESET_PATTERN = re.compile(r"^[0-9A-Za-z*,/?#-]{1,32}$")
# Fields the API itself sets: a client that sends back what it read may include them.
_METER_TYPE_READ_ONLY = {"id", "accountId", "numberOfMeters", "createdAt", "updatedAt"}
_METER_READ_ONLY = {"id", "accountId", "meterTypeId", "createdAt", "updatedAt"}


class ValidationError(ValueError):
    """Invalid input: `fields` maps each bad field (dotted path) to a message."""

    def __init__(self, fields: dict[str, str], message: str = "The request is not valid.") -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields


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


def _require_object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ValidationError(
            {"body": "Must be a JSON object."}, "The request body must be a JSON object."
        )
    return body


def _name(body: dict[str, Any], errors: dict[str, str]) -> str | None:
    value = body.get("name")
    if value is None:
        errors["name"] = "This field is required."
    elif not isinstance(value, str) or not value.strip():
        errors["name"] = "Must be a non-empty string."
    elif len(value.strip()) > NAME_MAX:
        errors["name"] = f"Must be at most {NAME_MAX} characters."
    else:
        return value.strip()
    return None


def _text(
    body: dict[str, Any],
    key: str,
    errors: dict[str, str],
    *,
    default: str | None = "",
    nullable: bool = False,
    required: bool = False,
) -> str | None:
    if key not in body or (body[key] is None and nullable and not required):
        if required:
            errors[key] = "This field is required."
        return default
    value = body[key]
    if not isinstance(value, str):
        errors[key] = "Must be a string."
        return None
    if required and not value.strip():
        errors[key] = "Must not be empty."
        return None
    if len(value) > TEXT_MAX:
        errors[key] = f"Must be at most {TEXT_MAX} characters."
        return None
    return value


def _unknown_fields(body: dict[str, Any], allowed: set[str], errors: dict[str, str]) -> None:
    for key in body:
        if key not in allowed:
            errors[key] = "Unknown field."


def _timestamp(body: dict[str, Any], key: str, errors: dict[str, str]) -> str | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        errors[key] = "Must be an ISO 8601 date-time string."
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


def validate_meter_type_input(body: Any) -> dict[str, Any]:
    """Check a MeterTypeInput body and return the cleaned fields, or raise ValidationError."""
    body = _require_object(body)
    errors: dict[str, str] = {}
    _unknown_fields(
        body,
        {
            "name",
            "description",
            "category",
            "unit",
            "aggregation",
            "resetSchedule",
            "timezone",
            "activeFrom",
            "activeTo",
            "externalRef",
            *_METER_TYPE_READ_ONLY,
        },
        errors,
    )
    cleaned: dict[str, Any] = {
        "name": _name(body, errors),
        "description": _text(body, "description", errors, nullable=True),
        "category": _text(body, "category", errors, nullable=True),
        "unit": _text(body, "unit", errors, required=True),
        "externalRef": _text(body, "externalRef", errors, default=None, nullable=True),
    }

    aggregation = body.get("aggregation")
    if aggregation is None:
        errors["aggregation"] = "This field is required."
    elif not isinstance(aggregation, dict):
        errors["aggregation"] = 'Must be an object such as {"type": "increment"}.'
    elif aggregation.get("type") not in AGGREGATION_TYPES or set(aggregation) != {"type"}:
        errors["aggregation.type"] = f"Must be one of: {', '.join(AGGREGATION_TYPES)}."
    else:
        cleaned["aggregation"] = {"type": aggregation["type"]}

    schedule = body.get("resetSchedule")
    if schedule is None:
        cleaned["resetSchedule"] = dict(DEFAULT_RESET_SCHEDULE)
    elif not isinstance(schedule, dict):
        errors["resetSchedule"] = "Must be an object with minute, hour, day, month and weekday."
    else:
        for key in schedule:
            if key not in RESET_FIELDS:
                errors[f"resetSchedule.{key}"] = "Unknown field."
        for key in RESET_FIELDS:
            value = schedule.get(key)
            if value is None:
                errors[f"resetSchedule.{key}"] = "This field is required."
            elif not isinstance(value, str) or not _RESET_PATTERN.match(value):
                errors[f"resetSchedule.{key}"] = (
                    'Must be a cron-style value such as "0", "*" or "L".'
                )
        cleaned["resetSchedule"] = {key: schedule.get(key) for key in RESET_FIELDS}

    timezone = body.get("timezone", "Etc/UTC")
    if timezone is None:
        timezone = "Etc/UTC"
    known = _known_timezones()
    if not isinstance(timezone, str) or not timezone or (known and timezone not in known):
        errors["timezone"] = "Must be an IANA time zone name such as Etc/UTC or Europe/Stockholm."
    cleaned["timezone"] = timezone

    cleaned["activeFrom"] = _timestamp(body, "activeFrom", errors)
    cleaned["activeTo"] = _timestamp(body, "activeTo", errors)
    if (
        cleaned["activeFrom"]
        and cleaned["activeTo"]
        and cleaned["activeTo"] <= cleaned["activeFrom"]
    ):
        # Both are normalised to the same UTC format, so string order is time order.
        errors["activeTo"] = "Must be later than activeFrom."

    if errors:
        raise ValidationError(errors)
    return cleaned


def validate_meter_input(body: Any) -> dict[str, Any]:
    """Check a MeterInput body and return the cleaned fields, or raise ValidationError."""
    body = _require_object(body)
    errors: dict[str, str] = {}
    _unknown_fields(
        body, {"name", "description", "externalRef", "value", *_METER_READ_ONLY}, errors
    )
    cleaned: dict[str, Any] = {
        "name": _name(body, errors),
        "description": _text(body, "description", errors, nullable=True),
        "externalRef": _text(body, "externalRef", errors, default=None, nullable=True),
        "value": 0,
    }
    if body.get("value") is not None:
        value = body["value"]
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            errors["value"] = "Must be a number."
        elif value < 0:
            errors["value"] = "Must not be negative."
        else:
            cleaned["value"] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


def validate_run_input(body: Any) -> dict[str, Any]:
    """Check an optional StreamRunInput body; returns the run parameters (may be empty)."""
    if body is None:
        return {}
    body = _require_object(body)
    errors: dict[str, str] = {}
    _unknown_fields(body, {"parameters"}, errors)
    parameters = body.get("parameters", {})
    if parameters is None:
        parameters = {}
    if not isinstance(parameters, dict):
        errors["parameters"] = "Must be an object."
    if errors:
        raise ValidationError(errors)
    return parameters


def _int_param(
    query: dict[str, list[str]], key: str, default: int, low: int, high: int, errors: dict[str, str]
) -> int:
    values = query.get(key)
    if not values or values[0] == "":
        return default
    try:
        number = int(values[0])
    except ValueError:
        errors[key] = "Must be a whole number."
        return default
    if not low <= number <= high:
        errors[key] = f"Must be between {low} and {high}."
    return number


def validate_stream_query(query: dict[str, list[str]]) -> tuple[int, int, str | None]:
    """Read page, pageSize and name from a stream list query string."""
    errors: dict[str, str] = {}
    page = _int_param(query, "page", 1, 1, PAGE_MAX, errors)
    page_size = _int_param(query, "pageSize", PAGE_SIZE_DEFAULT, 1, PAGE_SIZE_MAX, errors)
    name = (query.get("name") or [""])[0].strip() or None
    if name is not None and len(name) > NAME_MAX:
        errors["name"] = f"Must be at most {NAME_MAX} characters."
    if errors:
        raise ValidationError(errors, "The query parameters are not valid.")
    return page, page_size, name
