"""Markdown from a document (descriptions) turned into HTML that is safe to show."""

from __future__ import annotations

import markdown
import nh3

# nh3's defaults minus images and image maps: a document must not make the browser
# fetch anything (tracking pixels) just by being read.
ALLOWED_TAGS = frozenset(nh3.ALLOWED_TAGS - {"img", "area", "map"})
URL_SCHEMES = frozenset({"http", "https", "mailto"})
MAX_MARKDOWN_CHARS = 100_000


def render_markdown(text: str | None) -> str:
    """Render CommonMark-ish Markdown to HTML and sanitise it with nh3 (links get rel=noopener).

    Scripts, event handlers, styles, images and non-http(s)/mailto links are removed;
    text longer than 100,000 characters is cut first.
    """
    if not text or not isinstance(text, str):
        return ""
    html = markdown.markdown(
        text[:MAX_MARKDOWN_CHARS], extensions=["fenced_code", "tables", "sane_lists"]
    )
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style"},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
    )
