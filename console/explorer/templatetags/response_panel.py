"""Template helpers of the response panel (explorer) and the call page (history)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from console.explorer.statuses import StatusInfo, status_info
from console.explorer.timing import TimingSplit, timing_html
from console.history.snippets import Snippets, record_snippets

register = template.Library()


@register.simple_tag
def status_meaning(
    code: int | None, reason: str = "", headers: list[Any] | None = None
) -> StatusInfo | None:
    """``{% status_meaning outcome.status outcome.reason outcome.headers as status %}``."""
    return status_info(code, reason or "", headers or [])


@register.simple_tag
def copy_snippets(record: Any) -> Snippets | None:
    """``{% copy_snippets outcome.record as snippets %}``: curl and Python for a record."""
    return record_snippets(record) if record is not None else None


@register.simple_tag
def timing_split(timing: TimingSplit, note: str = "") -> SafeString:
    """``{% timing_split outcome.timing %}``: where a call's time went (token, upstream,
    console), as a bar and a legend; `note` is a short line under it."""
    return timing_html(timing, note)
