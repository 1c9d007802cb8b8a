"""A recorded call as a command to run again: "Copy as curl" and "Copy as Python (requests)".

Both are built from what the history keeps (so from redacted values), never from the
token: the Authorization header becomes ``$TOKEN`` (curl) or ``os.environ["TOKEN"]``
(Python), and other credential headers (Cookie, X-Api-Key, …) likewise become an
environment variable named after the header. Every other value is quoted for its
language (`shlex.quote` for the shell, `repr` for Python), so no header or body value
can break out of its string.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from typing import Any

from console.history.redaction import AUTH_HEADERS, REDACTED, SENSITIVE_HEADERS
from console.specs.engine.request import scalar_text

_SKIPPED_HEADERS = frozenset({"content-length", "host", "transfer-encoding", "connection"})
_PLAIN_NAME = re.compile(r"[A-Za-z0-9-]{1,100}")
_REDACTED_NOTE = "Values shown as [redacted] were removed before the call was recorded."


@dataclass(frozen=True)
class Snippets:
    """The two commands, and whether the record had values it did not keep."""

    curl: str
    python: str
    redacted: bool


@dataclass(frozen=True)
class _Request:
    method: str
    url: str
    headers: list[tuple[str, str]]  # plain headers, sent as they are
    secret_headers: list[tuple[str, str]]  # (header name, environment variable)
    token: bool  # an Authorization header was sent
    body: str
    multipart: list[tuple[str, Any]] | None  # (field, value or file description)
    redacted: bool


def env_name(header: str) -> str:
    """The environment variable a credential header's value comes from: X-Api-Key → X_API_KEY."""
    return re.sub(r"[^A-Z0-9]+", "_", header.upper()).strip("_") or "SECRET"


def _multipart_fields(body: str) -> list[tuple[str, Any]] | None:
    """The parts of a multipart body as the history keeps it (JSON by field name)."""
    try:
        kept = json.loads(body) if body else {}
    except ValueError:
        return None
    if not isinstance(kept, dict):
        return None
    fields: list[tuple[str, Any]] = []
    for name, value in kept.items():
        is_list = isinstance(value, list) and all(
            not isinstance(v, list) and (not isinstance(v, dict) or "file" in v) for v in value
        )
        for item in value if is_list else [value]:
            fields.append((str(name), item))
    return fields


def _part_text(value: Any) -> str:
    """A multipart field's text as the console sent it."""
    return scalar_text(value)  # objects as compact JSON, true/false, null as ""


def _is_file(value: Any) -> bool:
    return isinstance(value, dict) and "file" in value and "size" in value


def _request(method: str, url: str, headers: list[Any], body: str) -> _Request:
    plain: list[tuple[str, str]] = []
    secret: list[tuple[str, str]] = []
    token = False
    content_type = ""
    redacted = REDACTED in body
    for name, value in ((str(pair[0]), str(pair[1])) for pair in headers):
        lower = name.lower()
        if lower == "content-type":
            content_type = value
        if lower in _SKIPPED_HEADERS:
            continue
        if lower == "authorization":
            token = True
        elif lower in SENSITIVE_HEADERS or lower in AUTH_HEADERS:
            secret.append((name, env_name(name)))
        else:
            redacted = redacted or REDACTED in value
            plain.append((name, value))
    multipart = None
    if content_type.lower().startswith("multipart/"):
        multipart = _multipart_fields(body)
        if multipart is not None:  # curl and requests write their own boundary
            plain = [(n, v) for n, v in plain if n.lower() != "content-type"]
    return _Request(method.upper(), url, plain, secret, token, body, multipart, redacted)


def _curl_form_file(name: str, value: dict[str, Any]) -> str:
    filename = str(value.get("file") or "file").replace("\\", "\\\\").replace('"', '\\"')
    spec = f'{name}=@"{filename}"'
    if value.get("contentType"):
        spec += f";type={value['contentType']}"
    return "-F " + shlex.quote(spec)


def _curl_secret_header(name: str, variable: str) -> str:
    if _PLAIN_NAME.fullmatch(name):
        return f'-H "{name}: ${variable}"'
    return "-H " + shlex.quote(f"{name}: ") + f'"${variable}"'


def curl_command(request: _Request) -> str:
    """The call as one curl command, one option per line."""
    first = ["curl"]
    if request.method == "HEAD":
        first.append("--head")
    elif request.method != "GET" or request.body:
        first += ["-X", shlex.quote(request.method)]
    if any(c in request.url for c in "[]{}"):
        first.append("--globoff")  # brackets in a query are not curl's URL ranges
    first.append(shlex.quote(request.url))
    lines = [" ".join(first)]
    lines += ["-H " + shlex.quote(f"{name}: {value}") for name, value in request.headers]
    if request.token:
        lines.append('-H "Authorization: Bearer $TOKEN"')
    lines += [_curl_secret_header(name, variable) for name, variable in request.secret_headers]
    if request.multipart is not None:
        for name, value in request.multipart:
            if _is_file(value):
                lines.append(_curl_form_file(name, value))
            else:
                lines.append("--form-string " + shlex.quote(f"{name}={_part_text(value)}"))
    elif request.body:
        lines.append("--data-raw " + shlex.quote(request.body))
    command = " \\\n  ".join(lines)
    if request.redacted:
        command = f"# {_REDACTED_NOTE}\n{command}"
    return command


def _py(text: str) -> str:
    """A Python string literal of `text`, in double quotes.

    JSON's string escapes (\\" \\\\ \\n \\t \\uXXXX, every control character) are
    all Python escapes with the same meaning, so `json.dumps` makes a safe literal.
    """
    return json.dumps(text, ensure_ascii=False)


def python_script(request: _Request) -> str:
    """The call as a short Python script using requests."""
    out = []
    if request.redacted:
        out.append(f"# {_REDACTED_NOTE}")
    out += ["import os", "", "import requests", "", "response = requests.request("]
    out += [f"    {_py(request.method)},", f"    {_py(request.url)},", "    headers={"]
    out += [f"        {_py(name)}: {_py(value)}," for name, value in request.headers]
    if request.token:
        out.append('        "Authorization": "Bearer " + os.environ["TOKEN"],')
    out += [f"        {_py(name)}: os.environ[{_py(var)}]," for name, var in request.secret_headers]
    out.append("    },")
    if request.multipart is not None:
        # requests sends a (None, value) part as a plain field and the others as files.
        out.append("    files=[")
        for name, value in request.multipart:
            if _is_file(value):
                filename = _py(str(value.get("file") or "file"))
                mime = _py(str(value.get("contentType") or "application/octet-stream"))
                part = f'({filename}, open({filename}, "rb"), {mime})'
            elif isinstance(value, dict | list):
                part = f'(None, {_py(_part_text(value))}, "application/json")'
            else:
                part = f"(None, {_py(_part_text(value))})"
            out.append(f"        ({_py(name)}, {part}),")
        out.append("    ],")
    elif request.body:
        out.append(f"    data={_py(request.body)}.encode(),")
    out += ["    timeout=30,", ")", "print(response.status_code, response.reason)"]
    out.append("print(response.text)")
    return "\n".join(out)


def snippets_for(method: str, url: str, headers: list[Any], body: str) -> Snippets:
    """curl and Python for a request (headers as (name, value) pairs, body as text)."""
    request = _request(method, url, headers, body)
    return Snippets(curl_command(request), python_script(request), request.redacted)


def record_snippets(record: Any) -> Snippets:
    """curl and Python for a recorded call, from its redacted request."""
    return snippets_for(record.method, record.url, record.request_headers, record.request_body)
