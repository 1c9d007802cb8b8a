"""Which ``format`` values the console checks, and with what.

The library's checkers (``date``, ``time``, ``date-time`` through rfc3339-validator, ``uri``
through rfc3986-validator, ``ipv4``/``ipv6``, ``hostname``...) with three changes: ``email``
is checked by email-validator (the library only looks for an ``@``), ``uuid`` is held to its
canonical 8-4-4-4-12 hex form (the library lets ``UUID()`` drop stray hyphens and read
non-ASCII digits), and ``regex`` is not checked (it would compile a member's text with
Python's ``re``). OpenAPI's number formats (``int32``, ``int64``, ``float``, ``double``) are
openapi-schema-validator's, and 3.0's ``byte`` too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from email_validator import EmailNotValidError, validate_email
from jsonschema import Draft202012Validator, FormatChecker
from openapi_schema_validator._format import is_byte, is_double, is_float, is_int32, is_int64


def _is_email(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        validate_email(
            value,
            check_deliverability=False,  # never a DNS lookup while checking a form
            allow_quoted_local=True,
            allow_domain_literal=True,
            globally_deliverable=False,
        )
    except EmailNotValidError:
        return False
    return True


def _is_uuid(value: object) -> bool:
    return not isinstance(value, str) or str(UUID(value)) == value.lower()


_LIBRARY_FORMATS = Draft202012Validator.FORMAT_CHECKER.checkers


def _is_date_time(value: object) -> bool:
    # rfc3339-validator's pattern ends in "$", which lets one trailing newline through.
    check = _LIBRARY_FORMATS["date-time"][0]
    return not isinstance(value, str) or (not value.endswith("\n") and check(value))


def _format_checker(*extra: tuple[str, Callable[[Any], bool]]) -> FormatChecker:
    checker = FormatChecker(())
    checker.checkers = dict(_LIBRARY_FORMATS)
    # "regex" would compile the value with Python's re: not a check worth the risk.
    checker.checkers.pop("regex", None)
    for name, check in (
        ("email", _is_email),
        ("idn-email", _is_email),
        ("uuid", _is_uuid),
        ("date-time", _is_date_time),
        *extra,
    ):
        checker.checks(name, raises=(ValueError, TypeError))(check)
    return checker


_NUMBER_FORMATS = (
    ("int32", is_int32),
    ("int64", is_int64),
    ("float", is_float),
    ("double", is_double),
)
# By dialect ("3.1", "3.0"): the format checker validation and the fast check both use.
FORMAT_CHECKERS = {
    "3.1": _format_checker(*_NUMBER_FORMATS),
    "3.0": _format_checker(*_NUMBER_FORMATS, ("byte", is_byte)),
}
