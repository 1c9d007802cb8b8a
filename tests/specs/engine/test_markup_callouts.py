"""GitHub-style alerts in a spec's Markdown (`> [!NOTE]` …) render as callouts with a title,
and the sanitising stays: a callout carries no markup of the document's own."""

from __future__ import annotations

import pytest

from console.explorer.templatetags.explorer import markdown
from console.specs.engine.markup import render_markdown


@pytest.mark.parametrize(
    ("kind", "title"),
    [
        ("NOTE", "Note"),
        ("TIP", "Tip"),
        ("IMPORTANT", "Important"),
        ("WARNING", "Warning"),
        ("CAUTION", "Caution"),
    ],
)
def test_each_kind_is_a_callout_with_its_title(kind, title):
    html = render_markdown(f"> [!{kind}]\n> Meter types are *shared* by the account.")
    assert html.startswith(
        f'<blockquote class="callout callout-{kind.lower()}" role="note" aria-label="{title}">'
        f'<p class="callout-title">{title}</p>'
        "<p>Meter types are <em>shared</em> by the account.</p>"
    )
    assert f"[!{kind}]" not in html


def test_lower_case_and_a_blank_line_after_the_marker():
    html = render_markdown("> [!warning]\n>\n> Deleting cannot be undone.")
    assert 'class="callout callout-warning"' in html
    assert "<p>Deleting cannot be undone.</p>" in html


@pytest.mark.parametrize(
    "text",
    ["> A plain quote.", "> [!TIP] on the marker's line", "Not quoted: [!NOTE]", "> [!NOPE]\n> x"],
)
def test_anything_else_stays_as_it_was(text):
    html = render_markdown(text)
    assert "callout" not in html


def test_a_callout_stays_sanitised():
    html = render_markdown(
        '> [!NOTE]\n> <script>alert(1)</script><b onclick="x()">bold</b> '
        '<a href="javascript:alert(1)">link</a> <img src="https://t.example/p.gif">'
    )
    assert 'class="callout callout-note"' in html
    for bad in ("<script", "onclick", "javascript:", "<img"):
        assert bad not in html


def test_a_document_cannot_style_its_own_quote_as_anything_else():
    html = render_markdown(
        '<blockquote class="alert alert-danger" style="x">[!NOTE] hi</blockquote>'
    )
    assert "alert-danger" not in html
    assert "style=" not in html


def test_the_template_filter_renders_them():
    assert 'class="callout callout-tip"' in markdown("> [!TIP]\n> Use a cursor.")
