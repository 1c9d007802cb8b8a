"""Template helpers for the operation page's body editor (see console/explorer/body_hints.py)."""

from __future__ import annotations

import json
from typing import Any

from django import template

from console.explorer.body_hints import completion_schema

register = template.Library()


@register.filter
def editor_hints(schema: Any) -> str:
    """The body schema cut to what the editor's completion uses, as JSON text for the
    textarea's data-body-schema attribute (autoescaped there)."""
    return json.dumps(completion_schema(schema), ensure_ascii=False, separators=(",", ":"))
