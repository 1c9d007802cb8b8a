"""Turning a response body into something a person can read, highlighted on the server.

JSON becomes a foldable tree: every non-empty object and array is a `<details>`
element, so folding works without JavaScript and under the strict CSP. The tree
reuses Pygments' token classes (``nt`` keys, ``s2`` strings, ``mi``/``mf`` numbers,
``kc`` literals, ``p`` punctuation), so it is coloured like highlighted code.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import HtmlLexer, JsonLexer, TextLexer, XmlLexer

# Highlighting costs about a second per few MB; past this, show plain escaped text.
HIGHLIGHT_LIMIT = 512 * 1024
# A JSON body of more lines than this starts with only its first two levels unfolded.
FOLD_LINES = 400
OPEN_DEPTH_WHEN_LARGE = 2
_FORMATTER = HtmlFormatter(cssclass="highlight", wrapcode=True)

# Media types whose bodies are bytes, not text (besides image/, audio/, video/, font/).
_BINARY_PREFIXES = ("image/", "audio/", "video/", "font/")
_BINARY_TYPES = frozenset(
    {
        "application/octet-stream",
        "application/pdf",
        "application/zip",
        "application/gzip",
        "application/x-gzip",
        "application/x-tar",
        "application/x-7z-compressed",
        "application/x-bzip2",
        "application/x-xz",
        "application/zstd",
        "application/cbor",
        "application/msgpack",
        "application/x-msgpack",
        "application/protobuf",
        "application/x-protobuf",
        "application/vnd.apache.parquet",
        "application/x-parquet",
        "application/vnd.ms-excel",
        "application/msword",
    }
)


@dataclass(frozen=True)
class RenderedBody:
    """A body ready for a template: its kind, its size and safe HTML."""

    kind: str  # "json", "text", "markup", "binary" or "empty"
    size: int
    html: SafeString
    text: str
    foldable: bool = False  # JSON shown as a tree of <details> elements


def media_type(content_type: str) -> str:
    """The media type of a Content-Type value, without parameters, lowercase."""
    return content_type.split(";", 1)[0].strip().lower()


def _texty(media: str) -> bool:
    return (
        media.startswith("text/")
        or media.endswith(("json", "xml", "yaml", "javascript", "csv"))
        or media == "application/x-www-form-urlencoded"
    )


def is_binary(body: bytes, content_type: str = "") -> bool:
    """Whether a body is bytes to download rather than text to read.

    A binary media type says so (image/png, application/pdf, octet-stream, …; SVG is
    XML, so text); a NUL byte in the first KB always does. A body of another or no
    type is binary when its first KB is not UTF-8.
    """
    if not body:
        return False
    head = body[:1024]
    if b"\x00" in head:
        return True
    media = media_type(content_type)
    if _texty(media) or media.endswith("+xml"):
        return False
    if media in _BINARY_TYPES or media.startswith(_BINARY_PREFIXES):
        return True
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the 1 KB mark is not a reason.
        return not (len(body) > len(head) and exc.start >= len(head) - 3)
    return False


def _highlight(text: str, lexer: object) -> SafeString:
    if len(text) > HIGHLIGHT_LIMIT:
        return mark_safe(f'<pre class="highlight"><code>{escape(text)}</code></pre>')  # noqa: S308 - escaped
    return mark_safe(highlight(text, lexer, _FORMATTER))  # noqa: S308 - Pygments escapes


def _json_text(value: Any) -> str:
    """A value as JSON text, HTML-escaped."""
    # html.escape is what Django's escape does, without its lazy-string wrapper, which
    # costs more than the escaping on a tree of thousands of values.
    return html.escape(json.dumps(value, ensure_ascii=False))


def _scalar(value: Any) -> str:
    text = _json_text(value)
    if value is None or isinstance(value, bool):
        css = "kc"
    elif isinstance(value, int):
        css = "mi"
    elif isinstance(value, float):
        css = "mf"
    else:
        css = "s2"
    return f'<span class="{css}">{text}</span>'


def _punct(text: str) -> str:
    return f'<span class="p">{text}</span>'


def _count(value: dict[str, Any] | list[Any]) -> str:
    noun = "key" if isinstance(value, dict) else "item"
    return f"{len(value)} {noun}{'' if len(value) == 1 else 's'}"


def _pointer(tokens: tuple[str, ...]) -> str:
    """An RFC 6901 JSON Pointer, HTML-escaped for an attribute."""
    return html.escape("".join("/" + t.replace("~", "~0").replace("/", "~1") for t in tokens))


def _tree(value: Any, open_depth: int | None, pointers: bool = False) -> str:
    """The JSON value as nested lines and <details> (all escaped; no whitespace between tags).

    With `pointers`, every scalar value is a button carrying its JSON Pointer
    (``data-pointer``), which "Save a value into a variable" picks up (variables.js).
    """
    out: list[str] = []
    path: list[str] = []

    def scalar(item: Any) -> str:
        if not pointers:
            return _scalar(item)
        return (
            f'<button type="button" class="jt-pick" data-pointer="{_pointer(tuple(path))}">'
            f"{_scalar(item)}</button>"
        )

    def node(item: Any, prefix: str, comma: str, depth: int) -> None:
        if isinstance(item, dict | list) and item:
            opener, closer = ("{", "}") if isinstance(item, dict) else ("[", "]")
            unfolded = open_depth is None or depth < open_depth
            out.append(
                f'<details class="jt"{" open" if unfolded else ""}>'
                f'<summary class="jt-line">{prefix}{_punct(opener)}'
                f'<span class="jt-closed"> <span class="jt-count">… {_count(item)}</span> '
                f"{_punct(closer)}{comma}</span></summary>"
                '<div class="jt-in">'
            )
            pairs = item.items() if isinstance(item, dict) else ((None, v) for v in item)
            last = len(item) - 1
            for index, (key, child) in enumerate(pairs):
                key_html = (
                    ""
                    if key is None
                    else f'<span class="nt">{_json_text(key)}</span>{_punct(":")} '
                )
                path.append(str(index) if key is None else str(key))
                node(child, key_html, _punct(",") if index < last else "", depth + 1)
                path.pop()
            out.append(f'</div><div class="jt-line">{_punct(closer)}{comma}</div></details>')
        elif isinstance(item, dict | list):
            empty = "{}" if isinstance(item, dict) else "[]"
            out.append(f'<div class="jt-line">{prefix}{_punct(empty)}{comma}</div>')
        else:
            out.append(f'<div class="jt-line">{prefix}{scalar(item)}{comma}</div>')

    node(value, "", "", 0)
    return "".join(out)


def json_tree(value: Any, pretty: str, pointers: bool = False) -> SafeString | None:
    """A foldable tree of a parsed JSON value (None when it is too large or deep for one).

    Small bodies start fully unfolded; bodies of more than `FOLD_LINES` lines show their
    first two levels, and the rest folds open on a click (or Enter) on its summary.
    """
    if len(pretty) > HIGHLIGHT_LIMIT:
        return None
    open_depth = OPEN_DEPTH_WHEN_LARGE if pretty.count("\n") >= FOLD_LINES else None
    try:
        inner = _tree(value, open_depth, pointers)
    except RecursionError:
        return None
    return mark_safe(  # noqa: S308 - every value and key escaped in _tree
        f'<div class="highlight json-tree" tabindex="0" role="group" aria-label="JSON body">'
        f"{inner}</div>"
    )


def render_body(body: bytes, content_type: str = "", *, pointers: bool = False) -> RenderedBody:
    """JSON as a foldable tree, text as text, markup as escaped source, binary as a size.

    With `pointers`, the tree's values are buttons carrying their JSON Pointer."""
    if not body:
        return RenderedBody("empty", 0, mark_safe(""), "")
    media = media_type(content_type)
    if is_binary(body, content_type):
        return RenderedBody("binary", len(body), mark_safe(""), "")
    text = body.decode("utf-8", errors="replace")
    if media.endswith("json") or (not media and text.lstrip()[:1] in ("{", "[")):
        try:
            value = json.loads(text)
            pretty = json.dumps(value, indent=2, ensure_ascii=False)
        except (ValueError, RecursionError):
            pass
        else:
            tree = json_tree(value, pretty, pointers)
            if tree is not None:
                return RenderedBody("json", len(body), tree, pretty, foldable=True)
            return RenderedBody("json", len(body), _highlight(pretty, JsonLexer()), pretty)
    if media == "text/html":
        return RenderedBody("markup", len(body), _highlight(text, HtmlLexer()), text)
    if media in {"application/xml", "text/xml"} or media.endswith("+xml"):
        return RenderedBody("markup", len(body), _highlight(text, XmlLexer()), text)
    return RenderedBody("text", len(body), _highlight(text, TextLexer()), text)
