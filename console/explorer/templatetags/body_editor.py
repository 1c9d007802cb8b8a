"""Template filter for the operation page's body editor (see console/explorer/body_hints.py)."""

from __future__ import annotations

from typing import Any

from django import template
from django.middleware.csp import get_nonce

from console.explorer.body_hints import completion_schema

register = template.Library()


@register.filter
def editor_hints(schema: Any) -> dict[str, Any]:
    """The body schema cut to what the editor's completion uses (render with json_script)."""
    return completion_schema(schema)


@register.simple_tag(takes_context=True)
def editor_nonce(context: template.Context) -> str:
    """This response's CSP nonce (style-src has CSP.NONCE), for the editor's one <style>
    element; reading it makes Django put the nonce in the response's policy."""
    request = context.get("request")
    nonce = get_nonce(request) if request is not None else None
    return str(nonce) if nonce is not None else ""
