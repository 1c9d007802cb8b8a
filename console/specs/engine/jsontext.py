"""One wording for JSON that does not parse, wherever the console reads JSON a person gave
(the body editor's Send, a spec document, the API's request body, a bulk CSV's body
column, a JSON field, `manage.py call --body`).

The sentence is always "<what> is not valid JSON: <why> (line L, column C)." (or "<what>
is nested too deeply." for text too deep for the parser). The browser's
body editor (static/js/console.js, `showJsonProblem`) words its check the same way.
Part of the Django-free spec engine, which reads most of that JSON; the rest of the console
imports it from here.
"""

from __future__ import annotations

import json
from typing import Any


class InvalidJson(ValueError):
    """Text that is not valid JSON, with the console's sentence for it in `message`."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def json_error_reason(exc: BaseException) -> str:
    """Why the text did not parse, e.g. "Expecting ',' delimiter (line 1, column 9)"."""
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} (line {exc.lineno}, column {exc.colno})"
    reason = str(exc).strip().rstrip(".")
    return reason[:1].upper() + reason[1:] if reason else "it cannot be read"


def invalid_json_predicate(exc: BaseException) -> str:
    """The sentence without its subject, for messages that put a field's name first.

    Text too deeply nested for the parser may well be JSON; it is said so instead."""
    if isinstance(exc, RecursionError):
        return "is nested too deeply"
    return f"is not valid JSON: {json_error_reason(exc)}"


def invalid_json_message(subject: str, exc: BaseException) -> str:
    """The whole sentence: "The request body is not valid JSON: Expecting value (line 1,
    column 1)."."""
    return f"{subject} {invalid_json_predicate(exc)}."


def parse_json(text: str | bytes, subject: str, **options: Any) -> Any:
    """`json.loads(text)`, raising `InvalidJson` with the console's sentence when it fails
    (a decode error, a rejected constant, nesting too deep for the parser)."""
    try:
        return json.loads(text, **options)
    except (ValueError, RecursionError) as exc:
        raise InvalidJson(invalid_json_message(subject, exc)) from None
