"""Building the HTTP request an operation describes from typed values.

Parameters are serialised by their OpenAPI ``style``/``explode`` (path: simple, label,
matrix; query: form, spaceDelimited, pipeDelimited, deepObject; header: simple; cookie:
form). Path values are percent-encoded completely, so no value can add, remove or
change a path segment: ``/``, ``?``, ``#``, ``%`` are encoded, and a segment that would be
``.`` or ``..`` is written ``%2E``/``%2E%2E``.

Query values in `BuiltRequest.query` are raw text; `join_url` (or the HTTP client)
encodes them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from .errors import RequestBuildError
from .fields import IGNORED_HEADERS
from .operation import Operation, Parameter

_PLACEHOLDER = re.compile(r"\{([^{}/]+)\}")
# RFC 6265 cookie-octet, minus "," which separates list items here.
_COOKIE_SAFE = "!#$&'()*+-./:<=>?@[]^_`{|}~"
_HEADER_FORBIDDEN = re.compile(r"[\r\n\x00]")

Location = str  # "path" | "query" | "header" | "cookie"


@dataclass
class BuiltRequest:
    """A request ready to send; `path` is the operation path with values substituted."""

    method: str
    path: str
    query: list[tuple[str, str]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    content_type: str | None = None

    def query_string(self) -> str:
        """The query encoded for a URL (without the ``?``)."""
        return encode_query(self.query)


def scalar_text(value: Any) -> str:
    """A scalar as it appears in a URL or header: booleans true/false, null empty, JSON else."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return json.dumps(value)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _encode_path_value(text: str) -> str:
    return quote(text, safe="")


def _pairs(value: dict[str, Any]) -> list[tuple[str, str]]:
    return [(str(k), scalar_text(v)) for k, v in value.items()]


def serialize_path(name: str, value: Any, style: str = "simple", explode: bool = False) -> str:
    """The text for a path placeholder (already percent-encoded), per ``style``/``explode``.

    simple: ``5``, ``3,4,5``, ``role,admin,firstName,Alex`` (explode: ``role=admin,...``);
    label: ``.5``, ``.3,4,5`` (explode ``.3.4.5``); matrix: ``;id=5``, ``;id=3,4,5``
    (explode ``;id=3;id=4;id=5``, objects ``;role=admin;firstName=Alex``).
    """
    enc = _encode_path_value
    key = enc(name)
    if isinstance(value, list):
        items = [enc(scalar_text(v)) for v in value]
        if style == "label":
            return "." + ("." if explode else ",").join(items)
        if style == "matrix":
            if explode:
                return "".join(f";{key}={item}" for item in items) or f";{key}"
            return f";{key}=" + ",".join(items) if items else f";{key}"
        return ",".join(items)
    if isinstance(value, dict):
        pairs = [(enc(k), enc(v)) for k, v in _pairs(value)]
        if style == "label":
            if explode:
                return "".join(f".{k}={v}" for k, v in pairs) or "."
            return "." + ",".join(f"{k},{v}" for k, v in pairs)
        if style == "matrix":
            if explode:
                return "".join(f";{k}={v}" for k, v in pairs) or f";{key}"
            return f";{key}=" + ",".join(f"{k},{v}" for k, v in pairs) if pairs else f";{key}"
        if explode:
            return ",".join(f"{k}={v}" for k, v in pairs)
        return ",".join(f"{k},{v}" for k, v in pairs)
    text = enc(scalar_text(value))
    if style == "label":
        return "." + text
    if style == "matrix":
        return f";{key}={text}" if text else f";{key}"
    return text


def serialize_query(
    name: str, value: Any, style: str = "form", explode: bool = True
) -> list[tuple[str, str]]:
    """The (raw, unencoded) query pairs for one parameter, per ``style``/``explode``.

    form: ``id=5``; arrays ``id=3&id=4&id=5`` (explode) or ``id=3,4,5``; objects
    ``role=admin&firstName=Alex`` (explode) or ``id=role,admin,firstName,Alex``.
    spaceDelimited / pipeDelimited: ``id=3 4 5`` / ``id=3|4|5`` (explode: as form).
    deepObject: ``id[role]=admin&id[firstName]=Alex``.
    """
    if isinstance(value, list):
        items = [scalar_text(v) for v in value]
        if explode:
            return [(name, item) for item in items] or [(name, "")]
        separator = {"spaceDelimited": " ", "pipeDelimited": "|"}.get(style, ",")
        return [(name, separator.join(items))]
    if isinstance(value, dict):
        if style == "deepObject":
            return _deep_object(name, value)
        if explode:
            return _pairs(value)
        separator = {"spaceDelimited": " ", "pipeDelimited": "|"}.get(style, ",")
        return [(name, separator.join(f"{k}{separator}{v}" for k, v in _pairs(value)))]
    return [(name, scalar_text(value))]


def _deep_object(prefix: str, value: Any, depth: int = 0) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    if isinstance(value, dict) and depth < 10:
        for key, sub in value.items():
            pairs += _deep_object(f"{prefix}[{key}]", sub, depth + 1)
    elif isinstance(value, list) and depth < 10:
        for item in value:
            pairs += (
                _deep_object(prefix, item, depth + 1)
                if isinstance(item, dict)
                else [(prefix, scalar_text(item))]
            )
    else:
        pairs.append((prefix, scalar_text(value)))
    return pairs


def serialize_header(value: Any, explode: bool = False) -> str:
    """A header value in ``simple`` style: ``3,4,5``; objects ``R,100,G,200`` or ``R=100,G=200``."""
    if isinstance(value, list):
        return ",".join(scalar_text(v) for v in value)
    if isinstance(value, dict):
        if explode:
            return ",".join(f"{k}={v}" for k, v in _pairs(value))
        return ",".join(f"{k},{v}" for k, v in _pairs(value))
    return scalar_text(value)


def _cookie_text(text: str) -> str:
    return quote(text, safe=_COOKIE_SAFE)


def serialize_cookie(name: str, value: Any, explode: bool = True) -> dict[str, str]:
    """Cookies for one parameter in ``form`` style (lists comma-joined, values made cookie-safe).

    Objects with explode give one cookie per property; without, ``role,admin,firstName,Alex``.
    """
    if isinstance(value, list):
        return {name: ",".join(_cookie_text(scalar_text(v)) for v in value)}
    if isinstance(value, dict):
        if explode:
            return {k: _cookie_text(v) for k, v in _pairs(value)}
        return {name: ",".join(f"{_cookie_text(k)},{_cookie_text(v)}" for k, v in _pairs(value))}
    return {name: _cookie_text(scalar_text(value))}


def _content_value(param: Parameter, value: Any) -> Any:
    """Parameters declared with ``content``: the value serialised as that media type (JSON)."""
    if param.content_type and not isinstance(value, str):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return value


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, (str, list, dict)) and len(value) == 0)


def build_path(template: str, path_values: dict[str, str]) -> str:
    """Substitute already-serialised values into a path template, segment by segment.

    A segment made of placeholders that comes out as ``.`` or ``..`` has its dots encoded.
    """
    segments = []
    for segment in template.split("/"):
        if "{" not in segment:
            segments.append(segment)
            continue
        built = _PLACEHOLDER.sub(lambda m: path_values.get(m.group(1), m.group(0)), segment)
        if built in (".", ".."):
            built = built.replace(".", "%2E")
        segments.append(built)
    return "/".join(segments)


def _body(op: Operation, body: Any, content_type: str | None) -> tuple[bytes | None, str | None]:
    request_body = op.request_body
    if body is None or body in (b"", ""):
        if request_body is not None and request_body.required:
            raise RequestBuildError("The request body is required.", [("body", "")])
        return None, None
    if content_type is None and request_body is not None and request_body.content:
        content_type = request_body.content_types[0]
    if isinstance(body, (bytes, bytearray)):
        return bytes(body), content_type
    if isinstance(body, str):
        return body.encode("utf-8"), content_type or "text/plain; charset=utf-8"
    content_type = content_type or "application/json"
    if "x-www-form-urlencoded" in content_type and isinstance(body, dict):
        pairs: list[tuple[str, str]] = []
        for key, value in body.items():
            if isinstance(value, list):
                pairs += [(str(key), scalar_text(v)) for v in value]
            elif value is not None:
                pairs.append((str(key), scalar_text(value)))
        return urlencode(pairs).encode("ascii"), content_type
    try:
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except RecursionError:
        raise RequestBuildError(
            "The request body is nested too deeply to send.", [("body", "")]
        ) from None
    except (TypeError, ValueError) as exc:
        raise RequestBuildError(
            f"The request body cannot be sent as JSON: {exc}.", [("body", "")]
        ) from None
    return data.encode("utf-8"), content_type


def build_request(
    op: Operation,
    values: dict[tuple[Location, str], Any],
    body: bytes | str | dict[str, Any] | list[Any] | None = None,
    content_type: str | None = None,
) -> BuiltRequest:
    """Build the request for `op` from typed `values` keyed by ``(location, name)``.

    Missing (None or empty) optional values are left out; missing required ones raise
    `RequestBuildError` naming every one of them. `body` may be bytes, text, or a dict/list
    (sent as JSON, or as a form for ``application/x-www-form-urlencoded``); `content_type`
    defaults to the first one the operation declares. Values for undeclared parameters
    are ignored, as are header parameters named Accept, Content-Type and Authorization.
    """
    missing: list[tuple[str, str]] = []
    path_values: dict[str, str] = {}
    query: list[tuple[str, str]] = []
    headers: dict[str, str] = {}
    cookies: dict[str, str] = {}
    for param in op.parameters:
        if param.location == "header" and param.name.lower() in IGNORED_HEADERS:
            continue
        value = values.get(param.key)
        if _is_missing(value) and not (
            value == "" and param.allow_empty_value and param.location == "query"
        ):
            if param.required:
                missing.append(param.key)
            continue
        value = _content_value(param, value)
        if param.location == "path":
            path_values[param.name] = serialize_path(param.name, value, param.style, param.explode)
        elif param.location == "query":
            query += serialize_query(param.name, value, param.style, param.explode)
        elif param.location == "header":
            text = serialize_header(value, param.explode)
            if _HEADER_FORBIDDEN.search(text):
                raise RequestBuildError(
                    f"The header {param.name} must not contain line breaks.",
                    [param.key],
                    refused=True,
                )
            headers[param.name] = text
        elif param.location == "cookie":
            cookies.update(serialize_cookie(param.name, value, param.explode))
    for name in _PLACEHOLDER.findall(op.path):
        if name not in path_values and ("path", name) not in missing:
            missing.append(("path", name))
    body_error: RequestBuildError | None = None
    try:
        body_bytes, body_type = _body(op, body, content_type)
    except RequestBuildError as exc:
        body_error = exc
        body_bytes, body_type = None, None
    if missing or body_error:
        fields = missing + (body_error.fields if body_error else [])
        names = ", ".join(f"{location} parameter '{name}'" for location, name in missing)
        parts = [f"Missing required values: {names}."] if missing else []
        if body_error:
            parts.append(body_error.message)
        raise RequestBuildError(" ".join(parts), fields)
    if body_type and body_bytes is not None:
        headers["Content-Type"] = body_type
    return BuiltRequest(
        method=op.method.upper(),
        path=build_path(op.path, path_values),
        query=query,
        headers=headers,
        cookies=cookies,
        body=body_bytes,
        content_type=body_type,
    )


# What the query encoder leaves as is: ``[]`` in names (deepObject), ``,``/``|`` in values.
_QUERY_NAME_SAFE = "[]"
_QUERY_VALUE_SAFE = ",|"


def encode_query(query: list[tuple[str, str]]) -> str:
    """Percent-encode query pairs (``[]`` kept in names for deepObject, ``,``/``|`` in values)."""
    return "&".join(
        f"{quote(k, safe=_QUERY_NAME_SAFE)}={quote(v, safe=_QUERY_VALUE_SAFE)}" for k, v in query
    )


def encoded_forms(text: str) -> list[str]:
    """`text` as each of this module's encoders would send it (path value, query name and
    value, cookie), so what scrubs a value from a sent URL finds it in every one."""
    forms = [
        _encode_path_value(text),
        quote(text, safe=_QUERY_NAME_SAFE),
        quote(text, safe=_QUERY_VALUE_SAFE),
        _cookie_text(text),
    ]
    return list(dict.fromkeys(forms))


def expand_server_url(server: dict[str, Any], overrides: dict[str, str] | None = None) -> str:
    """A server's URL with its ``{variables}`` replaced (override, else default)."""
    url = server.get("url") if isinstance(server, dict) else None
    if not isinstance(url, str):
        return "/"
    variables = server.get("variables") if isinstance(server.get("variables"), dict) else {}
    overrides = overrides or {}

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in overrides:
            return overrides[name]
        var = variables.get(name)
        if isinstance(var, dict) and var.get("default") is not None:
            return str(var["default"])
        return match.group(0)

    return _PLACEHOLDER.sub(substitute, url)


def server_path_prefix(servers: list[dict[str, Any]] | None) -> str:
    """The path part of the first server URL (``"/v1"``), ``""`` when it is ``/`` or absent."""
    if not servers:
        return ""
    url = expand_server_url(servers[0])
    parts = urlsplit(url)
    path = parts.path if (parts.scheme or parts.netloc) else url.split("?", 1)[0].split("#", 1)[0]
    path = path.strip("/")
    return "/" + path if path else ""


def join_url(
    base_url: str, server_path_prefix: str, path: str, query: list[tuple[str, str]] | None = None
) -> str:
    """``base_url`` + server path prefix + operation path + encoded query.

    The prefix is skipped when `base_url` already ends with it (a base URL configured as
    ``https://host/v1`` with servers ``/v1`` gives one ``/v1``, not two).
    """
    base = base_url.rstrip("/")
    prefix = server_path_prefix.strip("/")
    prefix = "/" + prefix if prefix else ""
    if prefix and urlsplit(base).path.rstrip("/").endswith(prefix):
        prefix = ""
    url = base + prefix + (path if path.startswith("/") else "/" + path)
    if query:
        url += "?" + encode_query(query)
    return url
