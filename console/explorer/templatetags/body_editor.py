"""Template helpers for the operation page's body editor (see console/explorer/body_hints.py)."""

from __future__ import annotations

import json
from typing import Any

from django import template
from django.middleware.csp import get_nonce

from console.explorer.body_hints import completion_schema

register = template.Library()


@register.filter
def editor_hints(schema: Any) -> str:
    """The body schema cut to what the editor's completion uses, as JSON text for the
    textarea's data-body-schema attribute (autoescaped there)."""
    return json.dumps(completion_schema(schema), ensure_ascii=False, separators=(",", ":"))


@register.simple_tag(takes_context=True)
def editor_nonce(context: template.Context) -> str:
    """This response's CSP nonce (style-src has CSP.NONCE), for the editor's one <style>
    element; reading it makes Django put the nonce in the response's policy."""
    request = context.get("request")
    nonce = get_nonce(request) if request is not None else None
    return str(nonce) if nonce is not None else ""
