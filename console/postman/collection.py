"""Postman Collection v2.0 and v2.1 documents read into plain data (no Django).

Postman writes both versions with the same shape and a few differences: v2.0 lets
``request.url`` be a plain string and writes auth parameters as an object
(``{"bearer": {"token": "…"}}``), v2.1 writes the URL as an object (``raw``, ``host``,
``path``, ``query``, ``variable``) and auth parameters as a list of ``key``/``value``
pairs. ``info.schema`` names the version. Folders are items with an ``item`` list of
their own, nested to any depth.

What this module keeps is what the console can use: method, URL (host, path segments,
query with disabled pairs kept as ``enabled=False``, path variables), headers, the body
(raw text with its language, urlencoded and form-data pairs), names, descriptions and
collection variables. Auth blocks are read for their *type* only, never their values:
the console sends its own managed token, so no Postman credential is ever kept.
"""

from __future__ import annotations

import json
import re
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote

from console.specs.engine.jsontext import InvalidJson, parse_json

SCHEMA_V20 = "https://schema.getpostman.com/json/collection/v2.0.0/collection.json"
SCHEMA_V21 = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
_SCHEMA = re.compile(r"/collection/v(2\.[01])(?:\.\d+)?/", re.IGNORECASE)
MAX_ITEMS = 5000  # requests and folders together; a collection beyond this is refused
# Characters no database column of the console can take: PostgreSQL refuses NUL in text,
# and a lone UTF-16 surrogate (JSON's "\ud800" without its pair) cannot be encoded as
# UTF-8 for any database. JSON escapes can put either into a string.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
MAX_DEPTH = 32
AUTH_TYPES = {
    "apikey", "awsv4", "basic", "bearer", "digest", "edgegrid", "hawk", "noauth",
    "oauth1", "oauth2", "ntlm", "akamai", "asap", "jwt",
}  # fmt: skip
SUPPORTED_BODY_MODES = {"raw", "urlencoded", "formdata"}


class PostmanError(ValueError):
    """A document that cannot be read as a Postman collection, with a message for a person."""


@dataclass(frozen=True)
class Pair:
    """A query parameter, header, body field or variable: name, value and whether it is on."""

    name: str
    value: str
    enabled: bool = True
    description: str = ""
    kind: str = "text"  # form-data fields: "text" or "file"


@dataclass
class Request:
    """One Postman request, as far as the console can use it.

    `host` is the URL's host part as written (``{{baseUrl}}``, ``api.example.com``);
    `path` the path with Postman's ``:name`` and ``{{name}}`` segments as written
    (always starting with ``/``). `unsupported` names why the request cannot be
    imported (a file or GraphQL body, no URL); `notes` say what was left out.
    """

    name: str
    method: str = "GET"
    raw_url: str = ""
    protocol: str = ""
    host: str = ""
    path: str = ""
    query: list[Pair] = field(default_factory=list)
    path_variables: dict[str, str] = field(default_factory=dict)
    headers: list[Pair] = field(default_factory=list)
    body_mode: str = ""  # "", "raw", "urlencoded", "formdata" (or the unsupported mode)
    body: str = ""  # raw text
    body_language: str = ""  # raw: "json", "text", "xml", …
    body_fields: list[Pair] = field(default_factory=list)  # urlencoded / formdata
    auth: str = ""  # the effective auth type (after inheritance), "" for none
    description: str = ""
    unsupported: str = ""
    notes: list[str] = field(default_factory=list)
    # Variables its test script sets from the JSON answer: (variable, JSON pointer).
    captures: list[tuple[str, str]] = field(default_factory=list)

    @property
    def segments(self) -> list[str]:
        """The path's segments, without empty ones."""
        return [s for s in self.path.split("/") if s]

    @property
    def content_type(self) -> str:
        """The Content-Type the request declares, else the one its body mode implies."""
        for header in self.headers:
            if header.enabled and header.name.lower() == "content-type":
                return header.value.split(";", 1)[0].strip()
        if self.body_mode == "raw":
            return {
                "json": "application/json",
                "xml": "application/xml",
                "html": "text/html",
                "javascript": "application/javascript",
            }.get(self.body_language, "text/plain" if self.body else "")
        if self.body_mode == "urlencoded":
            return "application/x-www-form-urlencoded"
        if self.body_mode == "formdata":
            return "multipart/form-data"
        return ""


@dataclass
class Folder:
    """A Postman folder: a name, a description and its items in order."""

    name: str
    description: str = ""
    items: list[Folder | Request] = field(default_factory=list)


@dataclass
class Collection:
    """A whole Postman collection."""

    name: str
    version: str  # "2.0" or "2.1"
    postman_id: str = ""
    description: str = ""
    items: list[Folder | Request] = field(default_factory=list)
    variables: list[Pair] = field(default_factory=list)
    auth_types: list[str] = field(default_factory=list)  # every auth type met, in order
    notes: list[str] = field(default_factory=list)  # what reading the document changed

    def requests(self) -> list[tuple[tuple[str, ...], Request]]:
        """Every request with the names of the folders it sits in, in document order."""
        found: list[tuple[tuple[str, ...], Request]] = []

        def walk(items: list[Folder | Request], trail: tuple[str, ...]) -> None:
            for item in items:
                if isinstance(item, Folder):
                    walk(item.items, (*trail, item.name))
                else:
                    found.append((trail, item))

        walk(self.items, ())
        return found

    def variable(self, name: str) -> str | None:
        """The value of the collection variable `name` (the last enabled one), else None."""
        value = None
        for pair in self.variables:
            if pair.name == name and pair.enabled:
                value = pair.value
        return value


# ---------------------------------------------------------------- small readers


def _text(value: Any) -> str:
    """A string field as Postman writes it (numbers and booleans appear too)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _description(value: Any) -> str:
    """A description: a string, or ``{"content": …, "type": "text/markdown"}``."""
    if isinstance(value, dict):
        return _text(value.get("content"))
    return _text(value) if isinstance(value, str) else ""


def _pairs(raw: Any, key: str = "key") -> list[Pair]:
    """A list of ``{"key", "value", "disabled", "description"}`` objects as Pairs."""
    pairs: list[Pair] = []
    if not isinstance(raw, list):
        return pairs
    for entry in raw:
        if not isinstance(entry, dict):
            continue
        name = _text(entry.get(key))
        if not name and entry.get("value") in (None, ""):
            continue  # Postman's trailing empty row
        kind = "file" if entry.get("type") == "file" else "text"
        value = entry.get("src") if kind == "file" else entry.get("value")
        if isinstance(value, list):  # form-data file fields may list several files
            value = ", ".join(_text(v) for v in value)
        pairs.append(
            Pair(
                name=name,
                value=_text(value),
                enabled=not bool(entry.get("disabled")),
                description=_description(entry.get("description")),
                kind=kind,
            )
        )
    return pairs


def _headers(raw: Any) -> list[Pair]:
    """Headers: a list of pairs, or (old v2.0 exports) one ``Name: value`` line each."""
    if isinstance(raw, str):
        pairs = []
        for line in raw.splitlines():
            name, sep, value = line.partition(":")
            if sep and name.strip():
                enabled = not name.strip().startswith("//")
                pairs.append(Pair(name.strip().lstrip("/").strip(), value.strip(), enabled))
        return pairs
    return _pairs(raw)


def _auth_type(raw: Any) -> str | None:
    """The type of an auth block: a name, "noauth", or None for "inherit from the parent"."""
    if not isinstance(raw, dict):
        return None if raw is None else "noauth"
    kind = _text(raw.get("type")).strip().lower()
    if kind in ("", "inherit"):
        return None
    return kind if kind in AUTH_TYPES else "unknown"


# ---------------------------------------------------------------- URLs


_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*)://", re.IGNORECASE)
_LEADING_VARIABLE = re.compile(r"^\{\{[^{}]+\}\}")


def split_raw_url(raw: str) -> tuple[str, str, str, str]:
    """(protocol, host, path, query string) of a URL as typed into Postman.

    The host may be a ``{{variable}}`` (``{{baseUrl}}/meter-types``); a URL without a
    scheme or variable is read as ``host/path`` as Postman does.
    """
    rest = raw.strip()
    rest = rest.split("#", 1)[0]
    protocol = ""
    match = _SCHEME.match(rest)
    if match:
        protocol = match.group(1).lower()
        rest = rest[match.end() :]
    rest, _, query = rest.partition("?")
    variable = _LEADING_VARIABLE.match(rest)
    if variable:
        host, path = variable.group(0), rest[variable.end() :]
    elif rest.startswith("/"):
        host, path = "", rest
    else:
        host, slash, path = rest.partition("/")
        path = slash + path
    return protocol, host, path or "/", query


def _segment(value: Any) -> str:
    """A path segment: a string, or ``{"type": "string", "value": …}``."""
    if isinstance(value, dict):
        return _text(value.get("value"))
    return _text(value)


def _read_url(request: Request, raw: Any) -> None:
    """Fill the URL fields of `request` from a v2.0 string or a v2.0/v2.1 URL object."""
    if isinstance(raw, str):
        raw = {"raw": raw}
    if not isinstance(raw, dict):
        return
    request.raw_url = _text(raw.get("raw")).strip()
    protocol, host, path, query = split_raw_url(request.raw_url)
    if isinstance(raw.get("protocol"), str):
        protocol = raw["protocol"].lower()
    if isinstance(raw.get("host"), list):
        host = ".".join(_text(part) for part in raw["host"])
    elif isinstance(raw.get("host"), str):
        host = raw["host"]
    if isinstance(raw.get("path"), list):
        path = "/" + "/".join(_segment(part) for part in raw["path"])
    elif isinstance(raw.get("path"), str):
        path = "/" + raw["path"].lstrip("/")
    if isinstance(raw.get("query"), list):
        request.query = _pairs(raw["query"])
    elif query:
        # Postman URL-encodes nothing in raw; a %-escape typed by hand is kept decoded.
        request.query = [Pair(k, v) for k, v in parse_qsl(query, keep_blank_values=True)]
    request.protocol, request.host = protocol, host
    request.path = unquote(path) if "%" in path and "{{" not in path else path
    for pair in _pairs(raw.get("variable")) or _pairs(raw.get("variable"), key="id"):
        request.path_variables[pair.name] = pair.value


# ---------------------------------------------------------------- bodies


def _read_body(request: Request, raw: Any) -> None:
    if not isinstance(raw, dict):
        return
    mode = _text(raw.get("mode")).strip().lower()
    if not mode or raw.get("disabled"):
        return
    request.body_mode = mode
    if mode == "raw":
        request.body = _text(raw.get("raw"))
        options = raw.get("options")
        language = ""
        if isinstance(options, dict) and isinstance(options.get("raw"), dict):
            language = _text(options["raw"].get("language")).lower()
        if not language and request.body.lstrip()[:1] in ("{", "["):
            language = "json"  # v2.0 exports carry no options; the text says JSON
        request.body_language = language
    elif mode == "urlencoded":
        request.body_fields = _pairs(raw.get("urlencoded"))
    elif mode == "formdata":
        fields = _pairs(raw.get("formdata"))
        files = [f.name for f in fields if f.kind == "file" and f.enabled]
        if files:
            request.notes.append(
                "File fields are not imported (" + ", ".join(files) + "): choose the file "
                "when you send."
            )
        request.body_fields = [f for f in fields if f.kind == "text"]
    elif mode == "file":
        request.unsupported = "its body is a file (binary body mode), which cannot be imported"
    elif mode == "graphql":
        request.unsupported = "its body is a GraphQL query; the Usage Engine API has none"
    else:
        request.unsupported = f"its body mode “{mode}” is not supported"


# ---------------------------------------------------------------- test scripts

# pm.environment.set("meterTypeId", pm.response.json().id) and the like, also with
# a `const json = pm.response.json();` first: the one kind of script a collection run can
# repeat without JavaScript (as a capture). Anything else in a script is not imported.
_SET = re.compile(
    r"pm\.(?:environment|collectionVariables|globals|variables)\.set\(\s*"
    r"(['\"])([A-Za-z_][A-Za-z0-9_.\-]*)\1\s*,\s*"
    r"(pm\.response\.json\(\)|[A-Za-z_$][\w$]*)((?:\.[A-Za-z_$][\w$]*|\[[0-9]+\]|\[(['\"])[^'\"]*\5\])*)\s*\)"
)
_JSON_ALIAS = re.compile(r"(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*pm\.response\.json\(\)")
_ACCESSOR = re.compile(r"\.([A-Za-z_$][\w$]*)|\[([0-9]+)\]|\[(['\"])([^'\"]*)\3\]")


def _pointer_token(text: str) -> str:
    return text.replace("~", "~0").replace("/", "~1")


def script_captures(events: Any) -> tuple[list[tuple[str, str]], bool]:
    """(variable, JSON pointer) pairs a test script sets from the answer, and whether the
    script holds anything else (which is not imported)."""
    captures: list[tuple[str, str]] = []
    other = False
    if not isinstance(events, list):
        return captures, other
    for event in events:
        if not isinstance(event, dict) or not isinstance(event.get("script"), dict):
            continue
        lines = event["script"].get("exec")
        text = "\n".join(_text(x) for x in lines) if isinstance(lines, list) else _text(lines)
        if not text.strip():
            continue
        if event.get("listen") != "test":
            other = True
            continue
        aliases = set(_JSON_ALIAS.findall(text))
        rest = _JSON_ALIAS.sub("", text)
        for match in _SET.finditer(text):
            source, path = match.group(3), match.group(4)
            if source != "pm.response.json()" and source not in aliases:
                other = True
                continue
            tokens = []
            for part in _ACCESSOR.finditer(path):
                tokens.append(part.group(1) or part.group(2) or part.group(4) or "")
            captures.append((match.group(2), "".join("/" + _pointer_token(t) for t in tokens)))
        rest = _SET.sub("", rest)
        if re.sub(r"[\s;]|//[^\n]*", "", rest):
            other = True
    return captures, other


# ---------------------------------------------------------------- items


class _Reader:
    """Reads items depth-first, counting them and carrying the inherited auth type."""

    def __init__(self, collection: Collection, max_items: int = MAX_ITEMS) -> None:
        self.collection = collection
        self.count = 0
        self.max_items = max_items

    def note_auth(self, kind: str | None) -> None:
        if kind and kind not in self.collection.auth_types:
            self.collection.auth_types.append(kind)

    def items(self, raw: Any, auth: str, depth: int) -> list[Folder | Request]:
        if depth > MAX_DEPTH:
            raise PostmanError(f"Folders are nested deeper than {MAX_DEPTH} levels.")
        out: list[Folder | Request] = []
        if not isinstance(raw, list):
            return out
        for entry in raw:
            if not isinstance(entry, dict):
                continue
            self.count += 1
            if self.count > self.max_items:
                raise PostmanError(
                    f"The collection has more than {self.max_items:,} items (requests and "
                    "folders together), more than the console imports at once: split it "
                    "into several collections in Postman and import each."
                )
            own = _auth_type(entry.get("auth"))
            self.note_auth(own)
            inherited = auth if own is None else own
            name = _text(entry.get("name")).strip() or "Untitled"
            if isinstance(entry.get("item"), list):  # a folder (v2.0 and v2.1 alike)
                folder = Folder(name[:200], _description(entry.get("description")))
                folder.items = self.items(entry["item"], inherited, depth + 1)
                out.append(folder)
            else:
                out.append(self.request(entry, name, inherited))
        return out

    def request(self, entry: dict[str, Any], name: str, auth: str) -> Request:
        request = Request(name=name[:200])
        raw = entry.get("request")
        if isinstance(raw, str):  # a request may be just its URL
            raw = {"url": raw, "method": "GET"}
        if not isinstance(raw, dict):
            request.unsupported = "it has no HTTP request (a WebSocket, gRPC or other item)"
            return request
        own = _auth_type(raw.get("auth"))
        self.note_auth(own)
        request.auth = "" if (own or auth) == "noauth" else (own or auth)
        request.method = (_text(raw.get("method")).strip() or "GET").upper()[:10]
        request.description = _description(raw.get("description") or entry.get("description"))
        request.headers = _headers(raw.get("header"))
        _read_url(request, raw.get("url"))
        _read_body(request, raw.get("body"))
        request.captures, scripted = script_captures(entry.get("event"))
        if scripted:
            request.notes.append("Its pre-request or test script is not imported.")
        if not request.unsupported and not request.raw_url and not request.path.strip("/"):
            request.unsupported = "it has no URL"
        if not request.unsupported and request.protocol in ("ws", "wss"):
            request.unsupported = "it is a WebSocket request"
        if not request.unsupported and not re.fullmatch(r"[A-Z]+", request.method):
            request.unsupported = f"its method “{request.method}” is not an HTTP method"
        return request


def schema_version(info: Any) -> str:
    """ "2.0" or "2.1" from ``info.schema``; a PostmanError for anything else."""
    schema = _text(info.get("schema")) if isinstance(info, dict) else ""
    match = _SCHEMA.search(schema)
    if not match:
        if "collection/v1" in schema or not schema:
            raise PostmanError(
                "This is not a Postman Collection v2.0 or v2.1 document (info.schema names "
                "no such version). In Postman, export the collection as “Collection v2.1”."
            )
        raise PostmanError(f"Unknown Postman collection schema: {schema[:200]}")
    return match.group(1)


def unstorable(text: str) -> str:
    """What in `text` no database can store, in words ("a NUL character (U+0000)"), or ""."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return ""
    char = found.group(0)
    if char == "\x00":
        return "a NUL character (U+0000)"
    return f"an unpaired UTF-16 surrogate (U+{ord(char):04X})"


def clean_document(data: Any) -> tuple[Any, str]:
    """`data` (parsed JSON) with NUL characters removed and unpaired surrogates replaced by
    U+FFFD in every string and key, and a note saying so ("" when nothing changed).

    Lists and objects are cleaned in place, without recursion: the JSON parser takes
    nesting deeper than Python's recursion limit."""
    count = 0
    where: list[str] = []

    def clean(text: str, trail: tuple | None) -> str:
        nonlocal count
        if _UNSTORABLE.search(text) is None:
            return text
        count += len(_UNSTORABLE.findall(text))
        if len(where) < 3:
            where.append(_trail_text(trail))
        return _strip(text)

    if isinstance(data, str):
        data = clean(data, None)
    # Breadth first, so the places named are the shallowest ones (info.name before items).
    stack: deque[tuple[Any, tuple | None]] = deque([(data, None)])
    while stack:
        node, trail = stack.popleft()
        if isinstance(node, list):
            for i, item in enumerate(node):
                if isinstance(item, str):
                    node[i] = clean(item, (trail, i))
                elif isinstance(item, list | dict):
                    stack.append((item, (trail, i)))
        elif isinstance(node, dict):
            entries = list(node.items())
            node.clear()
            for key, item in entries:
                key = clean(key, trail) if isinstance(key, str) else key
                if isinstance(item, str):
                    item = clean(item, (trail, key))
                elif isinstance(item, list | dict):
                    stack.append((item, (trail, key)))
                node[key] = item
    if not count:
        return data, ""
    places = ", ".join(where) + (" …" if count > len(where) else "")
    plural = "s" if count != 1 else ""
    note = (
        f"The document held {count} character{plural} no database can store (NUL "
        f"characters or unpaired UTF-16 surrogates, from \\u escapes), at {places}: NUL "
        "characters were removed and surrogates replaced by U+FFFD (\ufffd)."
    )
    return data, note


def _trail_text(trail: tuple | None) -> str:
    """``items[0].request.body`` from the (parent, key) chain `clean_document` keeps."""
    parts: list[str] = []
    while trail is not None:
        trail, key = trail
        parts.append(f"[{key}]" if isinstance(key, int) else "." + _strip(str(key)))
    text = "".join(reversed(parts)).lstrip(".") or "the top"
    return text if len(text) <= 80 else "…" + text[-79:]


# Every lone surrogate to U+FFFD and NUL to nothing (str.translate maps code points).
_STRIP: dict[int, int | None] = {0: None, **dict.fromkeys(range(0xD800, 0xE000), 0xFFFD)}


def _strip(text: str) -> str:
    return text.translate(_STRIP)


def read_json_document(text: str | bytes) -> Any:
    """The JSON value of an uploaded or pasted Postman file; a PostmanError in the console's
    words when it is not UTF-8, empty or not JSON."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise PostmanError("The document is not UTF-8 text.") from exc
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise PostmanError("The document is empty.")
    try:
        return parse_json(text, "The document")
    except InvalidJson as exc:
        raise PostmanError(exc.message) from None


def parse_collection(text: str | bytes, max_items: int = MAX_ITEMS) -> Collection:
    """A Postman collection from its JSON text; a PostmanError with a message otherwise
    (also for more than `max_items` requests and folders).

    Characters no database stores (NUL, unpaired surrogates) are cleaned out with a note
    in `Collection.notes`."""
    data, cleaned = clean_document(read_json_document(text))
    if not isinstance(data, dict):
        raise PostmanError("The document is not a Postman collection (no JSON object).")
    if "collection" in data and isinstance(data["collection"], dict):
        data = data["collection"]  # the Postman API wraps exports in {"collection": …}
    info = data.get("info")
    if not isinstance(info, dict) or "item" not in data:
        if "values" in data:
            raise PostmanError(
                "This is a Postman environment, not a collection: import it as an environment."
            )
        raise PostmanError("The document is not a Postman collection (no info and item).")
    version = schema_version(info)
    collection = Collection(
        name=(_text(info.get("name")).strip() or "Postman collection")[:200],
        version=version,
        postman_id=_text(info.get("_postman_id")),
        description=_description(info.get("description")),
        variables=_pairs(data.get("variable")) or _pairs(data.get("variable"), key="id"),
    )
    if cleaned:
        collection.notes.append(cleaned)
    reader = _Reader(collection, max_items)
    top = _auth_type(data.get("auth"))
    reader.note_auth(top)
    collection.items = reader.items(data.get("item"), top or "", 0)
    return collection
