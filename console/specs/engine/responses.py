"""Checking an answer against the responses an operation describes.

The spec and the API can disagree; the console says so (a notice, not an error). The
response for a status is looked up as OpenAPI says: the exact code, then its range
(``2XX``), then ``default``. Only JSON bodies are checked, and only against a schema the
spec gives for that status and content type.
"""

from __future__ import annotations

import json
from collections.abc import Hashable
from dataclasses import dataclass, field

from .operation import MediaType, Operation, Response
from .validation import dialect_for, validate_value

MAX_SHOWN = 5


@dataclass
class ResponseCheck:
    """What checking one answer found.

    `described`: the spec has a response for this status (exact, range or default).
    `checked`: a schema was applied to the body. `problems`: why the body does not match
    (empty when it does), at most `MAX_SHOWN`; `total` counts them all.
    """

    described: bool = False
    checked: bool = False
    problems: list[str] = field(default_factory=list)
    total: int = 0

    @property
    def mismatch(self) -> bool:
        """The body was checked and does not match."""
        return self.checked and bool(self.problems)


def response_for_status(op: Operation, status: int) -> Response | None:
    """The operation's response for `status`: exact code, then ``4XX``-style range, then default."""
    # Keys only: `op.responses` may resolve each response when it is read (LazyResponses).
    keys = list(op.responses)
    for wanted in (str(status), f"{status // 100}XX", "DEFAULT"):
        for key in keys:
            if key.upper() == wanted:
                return op.responses[key]
    return None


def _media(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _is_json(media: str) -> bool:
    return media.endswith(("/json", "+json"))


def media_for(response: Response, content_type: str) -> MediaType | None:
    """The declared content of `response` matching an answer's Content-Type.

    The exact media type, then a wildcard (``application/*``, ``*/*``), then, for a JSON
    answer (or one without a type), the first JSON type declared.
    """
    media = _media(content_type)
    declared = {_media(key): value for key, value in response.content.items()}
    if media and media in declared:
        return declared[media]
    if media:
        wildcard = media.split("/", 1)[0] + "/*"
        for key in (wildcard, "*/*"):
            if key in declared:
                return declared[key]
    if not media or _is_json(media):
        for key, value in declared.items():
            if _is_json(key):
                return value
    return None


def check_response(
    op: Operation,
    status: int,
    content_type: str,
    body: bytes,
    *,
    truncated: bool = False,
    key: Hashable | None = None,
) -> ResponseCheck:
    """Check an answer's JSON body against the schema the spec gives for its status.

    `key`, when given, names `op` for good (see `validation.problems`), so a valid answer
    is confirmed by a check compiled once."""
    response = response_for_status(op, status)
    if response is None:
        return ResponseCheck(described=False)
    result = ResponseCheck(described=True)
    if truncated or not body.strip():
        return result
    media = media_for(response, content_type)
    if media is None or not media.schema:
        return result
    answer_media = _media(content_type)
    if answer_media and not _is_json(answer_media):
        return result
    try:
        value = json.loads(body)
    except (ValueError, RecursionError):
        return result  # the panel already says that the JSON does not parse
    dialect = dialect_for(op.openapi_version)
    schema_key = None if key is None else (key, "response", status, answer_media)
    problems = validate_value(
        media.schema, value, dialect=dialect, direction="response", key=schema_key
    )
    result.checked = True
    result.total = len(problems)
    result.problems = [_readable(p) for p in problems[:MAX_SHOWN]]
    return result


def _readable(message: str) -> str:
    """``"items[0].name: must be a string"`` stays; a root message gets a subject."""
    where, sep, _ = message.partition(": ")
    if sep and where and " " not in where:
        return message
    if message.startswith("missing"):
        return f"the body is {message}"
    return f"the body {message}"
