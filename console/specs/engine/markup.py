"""Markdown from a document (descriptions) turned into HTML that is safe to show."""

from __future__ import annotations

import functools
import re
import threading

import markdown
import nh3

# nh3's defaults minus images and image maps: a document must not make the browser
# fetch anything (tracking pixels) just by being read.
ALLOWED_TAGS = frozenset(nh3.ALLOWED_TAGS - {"img", "area", "map"})
URL_SCHEMES = frozenset({"http", "https", "mailto"})
MAX_MARKDOWN_CHARS = 100_000
EXTENSIONS = ["fenced_code", "tables", "sane_lists"]
MAX_CACHED_CHARS = 4_000  # longer texts are rendered each time, not kept

# GitHub's alerts: a blockquote whose first line is `[!NOTE]` (or TIP, IMPORTANT, WARNING,
# CAUTION). Found in the *sanitised* HTML and rewritten with fixed markup only, so the
# callout adds nothing a document controls beyond its text.
CALLOUTS = {
    "NOTE": "Note",
    "TIP": "Tip",
    "IMPORTANT": "Important",
    "WARNING": "Warning",
    "CAUTION": "Caution",
}
_CALLOUT = re.compile(
    r"<blockquote>\s*<p>\s*\[!(" + "|".join(CALLOUTS) + r")\][ \t]*(?:\n|(</p>))", re.IGNORECASE
)

# Building a Markdown converter (loading its extensions) costs more than converting a
# typical description, and a form can show dozens: one converter per thread, reset
# between texts (a converter is not safe to share between threads).
_local = threading.local()


def _converter() -> markdown.Markdown:
    converter = getattr(_local, "converter", None)
    if converter is None:
        converter = _local.converter = markdown.Markdown(extensions=EXTENSIONS)
    return converter


def render_markdown(text: str | None) -> str:
    """Render CommonMark-ish Markdown to HTML and sanitise it with nh3 (links get rel=noopener).

    Scripts, event handlers, styles, images and non-http(s)/mailto links are removed;
    text longer than 100,000 characters is cut first. GitHub-style alerts (``> [!NOTE]``,
    TIP, IMPORTANT, WARNING, CAUTION) become callouts with a title.
    """
    if not text or not isinstance(text, str):
        return ""
    if len(text) <= MAX_CACHED_CHARS:
        return _cached(text)
    return _render(text[:MAX_MARKDOWN_CHARS])


@functools.lru_cache(maxsize=4096)
def _cached(text: str) -> str:
    # Descriptions repeat across a spec's operations (shared parameters and schemas).
    return _render(text)


def _render(text: str) -> str:
    html = _converter().reset().convert(text)
    clean = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style"},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
    )
    return _CALLOUT.sub(_callout, clean) if "[!" in clean else clean


def _callout(match: re.Match[str]) -> str:
    """The start of a callout for a matched ``<blockquote><p>[!KIND]``: fixed markup, the
    kind's title, then the rest of the quote's first paragraph (or its next one)."""
    kind = match.group(1).upper()
    title = CALLOUTS[kind]
    opened = (
        f'<blockquote class="callout callout-{kind.lower()}" role="note" '
        f'aria-label="{title}"><p class="callout-title">{title}</p>'
    )
    # `[!NOTE]` alone in its paragraph: the paragraph is closed; else the text goes on.
    return opened if match.group(2) else opened + "<p>"
