"""Turning a response body into something a person can read, highlighted on the server."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import HtmlLexer, JsonLexer, TextLexer, XmlLexer

# Highlighting costs about a second per few MB; past this, show plain escaped text.
HIGHLIGHT_LIMIT = 512 * 1024
_FORMATTER = HtmlFormatter(cssclass="highlight", wrapcode=True)


@dataclass(frozen=True)
class RenderedBody:
    """A body ready for a template: its kind, its size and safe HTML."""

    kind: str  # "json", "text", "markup", "binary" or "empty"
    size: int
    html: SafeString
    text: str


def _highlight(text: str, lexer: object) -> SafeString:
    if len(text) > HIGHLIGHT_LIMIT:
        return mark_safe(f'<pre class="highlight"><code>{escape(text)}</code></pre>')  # noqa: S308 - escaped
    return mark_safe(highlight(text, lexer, _FORMATTER))  # noqa: S308 - Pygments escapes


def render_body(body: bytes, content_type: str = "") -> RenderedBody:
    """Pretty-print JSON, show text as text, markup as escaped source, binary as a size."""
    if not body:
        return RenderedBody("empty", 0, mark_safe(""), "")
    media = content_type.split(";", 1)[0].strip().lower()
    if b"\x00" in body[:1024]:
        return RenderedBody("binary", len(body), mark_safe(""), "")
    text = body.decode("utf-8", errors="replace")
    if media.endswith("json") or (not media and text.lstrip()[:1] in ("{", "[")):
        try:
            pretty = json.dumps(json.loads(text), indent=2, ensure_ascii=False)
        except ValueError:
            pass
        else:
            return RenderedBody("json", len(body), _highlight(pretty, JsonLexer()), pretty)
    if media == "text/html":
        return RenderedBody("markup", len(body), _highlight(text, HtmlLexer()), text)
    if media in {"application/xml", "text/xml"} or media.endswith("+xml"):
        return RenderedBody("markup", len(body), _highlight(text, XmlLexer()), text)
    return RenderedBody("text", len(body), _highlight(text, TextLexer()), text)
