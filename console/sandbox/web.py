"""Small WSGI helpers: a parsed request, a response, and JSON encoding.

Kept tiny and stdlib-only so the sandbox does not depend on Django or a web framework.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs

# A client that sends more than this is cut off without reading the rest; below it,
# an oversized body is read and thrown away so the client sees the 413 rather than a
# reset connection.
_DRAIN_LIMIT = 16 * 1024 * 1024
_CHUNK = 64 * 1024


class BadJson(ValueError):
    """A request body that is not valid JSON."""


@dataclass
class Request:
    """The parts of a WSGI request the sandbox looks at."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes
    body_too_large: bool
    base_url: str  # scheme://host[:port], no trailing slash
    remote_addr: str = ""

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower-cased ("" when absent)."""
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    def json(self) -> Any:
        """Decode the body as JSON, raising BadJson with a short reason."""
        try:
            return json.loads(self.body.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise BadJson("The request body is not UTF-8.") from exc
        except json.JSONDecodeError as exc:
            raise BadJson(
                f"The request body is not valid JSON: {exc.msg} at line {exc.lineno}."
            ) from exc


@dataclass
class Response:
    """A complete response: status code, headers and body bytes."""

    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def status_line(self) -> str:
        """The WSGI status string, e.g. "404 Not Found"."""
        return f"{self.status} {HTTPStatus(self.status).phrase}"


def json_response(
    status: int, payload: Any, headers: list[tuple[str, str]] | tuple = ()
) -> Response:
    """A JSON response; every sandbox response is marked no-store like the real token endpoint."""
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return Response(
        status,
        body,
        [
            ("Content-Type", "application/json; charset=utf-8"),
            ("Cache-Control", "no-store"),
            ("Pragma", "no-cache"),
            *headers,
        ],
    )


def empty_response(status: int, headers: list[tuple[str, str]] | tuple = ()) -> Response:
    """A response without a body (204)."""
    return Response(status, b"", [("Cache-Control", "no-store"), *headers])


def base_url_of(environ: dict[str, Any]) -> str:
    """The scheme://host:port the client used to reach us, without a trailing slash."""
    scheme = environ.get("wsgi.url_scheme", "http")
    host = environ.get("HTTP_HOST")
    if not host:
        host = environ.get("SERVER_NAME", "localhost")
        port = str(environ.get("SERVER_PORT", ""))
        if port and port != {"http": "80", "https": "443"}.get(scheme):
            host = f"{host}:{port}"
    return f"{scheme}://{host}"


def read_request(environ: dict[str, Any], max_body: int) -> Request:
    """Parse a WSGI environ into a Request, reading at most `max_body` bytes of body."""
    headers = {
        key[5:].replace("_", "-").lower(): value
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = environ["CONTENT_TYPE"]
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    length = max(length, 0)
    stream = environ["wsgi.input"]
    too_large = length > max_body
    if too_large:
        # Drain (bounded) so the client can finish sending and read our 413.
        remaining = min(length, _DRAIN_LIMIT)
        while remaining > 0:
            chunk = stream.read(min(_CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
        body = b""
    else:
        body = stream.read(length) if length else b""
    path = environ.get("PATH_INFO", "/") or "/"
    # PEP 3333 hands PATH_INFO over as latin-1-decoded bytes; undo that for UTF-8 paths.
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
        path = path.encode("latin-1").decode("utf-8")
    return Request(
        method=environ.get("REQUEST_METHOD", "GET").upper(),
        path=path,
        query=parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True),
        headers=headers,
        body=body,
        body_too_large=too_large,
        base_url=base_url_of(environ),
        remote_addr=environ.get("REMOTE_ADDR", ""),
    )
