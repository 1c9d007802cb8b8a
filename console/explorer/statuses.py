"""What an HTTP status means, in a few words, and when a 429 or 503 says to try again."""

from __future__ import annotations

import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from http import HTTPStatus

MEANINGS = {
    200: "the request succeeded",
    201: "the resource was created",
    202: "accepted; the work happens later",
    204: "done; there is no body",
    301: "the resource moved for good",
    302: "the resource is elsewhere for now",
    304: "not modified since the copy you have",
    307: "repeat the request at another URL",
    308: "repeat the request at another URL, from now on",
    400: "the request is malformed or a value is invalid",
    401: "the token is missing, expired or not accepted",
    403: "the token lacks a scope or permission for this",
    404: "the resource does not exist",
    405: "this method is not allowed on this path",
    406: "no answer in the media type asked for",
    408: "the server gave up waiting for the request",
    409: "the request conflicts with the resource's current state",
    410: "the resource is gone for good",
    412: "a precondition of the request did not hold",
    413: "the request body is too large",
    415: "the API does not accept this body's content type",
    422: "the body is well-formed but its values are not accepted",
    423: "the resource is locked",
    429: "too many requests: slow down",
    500: "the API failed on its side",
    501: "the API does not implement this",
    502: "a gateway got a bad answer from the server behind it",
    503: "the API is unavailable for now",
    504: "a gateway timed out waiting for the server behind it",
}
_CLASS_MEANINGS = {
    1: "informational",
    2: "success",
    3: "redirection: the answer is elsewhere",
    4: "the request was refused",
    5: "the API failed on its side",
}


@dataclass(frozen=True)
class StatusInfo:
    """A status code, its standard phrase, a short meaning, and Retry-After if given."""

    code: int
    phrase: str
    meaning: str
    retry_after: str = ""  # the header as sent ("" when absent)
    retry_in: str = ""  # how long that is from now, in words

    @property
    def text(self) -> str:
        """ "404 Not Found — the resource does not exist"."""
        head = f"{self.code} {self.phrase}".strip()
        return f"{head} — {self.meaning}" if self.meaning else head


def retry_after_seconds(value: str) -> int | None:
    """A Retry-After header (seconds, or an HTTP date) as seconds from now, or None."""
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0, round(when.timestamp() - time.time()))


def _retry_in(value: str) -> str:
    seconds = retry_after_seconds(value)
    if seconds is None:
        return ""
    if seconds < 90:
        return f"{seconds} s"
    if seconds < 90 * 60:
        return f"about {round(seconds / 60)} minutes"
    return f"about {round(seconds / 3600)} hours"


def status_info(
    code: int | None, reason: str = "", headers: list[tuple[str, str]] | None = None
) -> StatusInfo | None:
    """What `code` means (None without a status); Retry-After read from `headers`."""
    if not code:
        return None
    try:
        phrase = HTTPStatus(code).phrase
    except ValueError:
        phrase = reason
    meaning = MEANINGS.get(code) or _CLASS_MEANINGS.get(code // 100, "")
    retry_after = next(
        (str(v) for k, v in headers or [] if str(k).lower() == "retry-after"), ""
    ).strip()[:100]
    return StatusInfo(code, phrase or reason, meaning, retry_after, _retry_in(retry_after))
