"""Template helpers of the response panel (explorer) and the call page (history)."""

from __future__ import annotations

from typing import Any

from django import template

from console.explorer.statuses import StatusInfo, status_info
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
