"""Template helpers for the spec-driven operation form."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

from console.specs.engine.markup import render_markdown

register = template.Library()

_SKIPPED = {"name", "id", "value", "class"}


@register.simple_tag
def input_attrs(field: Any) -> SafeString:
    """The field's ready-made HTML attributes, escaped; boolean attributes bare."""
    parts = []
    for key, value in field.attrs.items():
        if key in _SKIPPED or value is False or value is None:
            continue
        parts.append((key, value))
    flags = [key for key, value in parts if value is True]
    valued = [(key, value) for key, value in parts if value is not True]
    html = format_html_join(" ", '{}="{}"', valued)
    return mark_safe(" ".join([html, *flags]).strip())  # noqa: S308 - parts escaped above


@register.filter
def is_selected(choice: str, current: Any) -> bool:
    """Whether `choice` is the current value (or among the current values)."""
    if isinstance(current, list | tuple):
        return str(choice) in [str(c) for c in current]
    return current is not None and str(choice) == str(current)


@register.filter
def human_size(size: int | None) -> str:
    """A byte count as people read it: 512 B, 1.4 KB, 3.2 MB."""
    size = int(size or 0)
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


@register.filter
def markdown(text: str | None) -> SafeString:
    """Markdown from a spec, rendered and sanitised (no scripts, no remote images)."""
    return mark_safe(render_markdown(text or ""))  # noqa: S308 - sanitised by nh3


@register.simple_tag
def body_query(form: Any, **changes: Any) -> str:
    """The operation page's query string for `form`'s body options, with `changes` applied.

    ``{% body_query form body_view="form" %}`` → ``?body_type=application%2Fjson&body_view=form``.
    Empty values (and the default JSON view) are left out.
    """
    params: dict[str, Any] = {
        "body_type": form.body_content_type,
        "body_view": form.body_view,
        "variant": form.variant,
    }
    params.update(changes)
    pairs = [
        (key, str(value))
        for key, value in params.items()
        if value not in (None, "") and not (key == "body_view" and value == "json")
    ]
    return "?" + urlencode(pairs)
