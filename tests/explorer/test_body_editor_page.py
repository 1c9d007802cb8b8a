"""The operation page's hooks for the body editor: the textarea marked for it, the
completion schema on it (data-body-schema: htmx drops <script> elements from the parts
it swaps in), and the CSP nonce for CodeMirror's one
<style> element, present only on pages that load the editor."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from django.urls import reverse

from tests.explorer.support import html

pytestmark = pytest.mark.django_db


def _url(op, query: str = "") -> str:
    return reverse("explorer:operation", args=[op.team.slug, op.pk]) + query


def _schema(page: str) -> dict:
    found = re.search(r'<textarea id="body"[^>]*\sdata-body-schema="([^"]*)"', page)
    assert found, "no completion schema on the page"
    return json.loads(unescape(found.group(1)))


def _style_src(response) -> list[str]:
    for part in response["Content-Security-Policy"].split(";"):
        words = part.split()
        if words and words[0] == "style-src":
            return words[1:]
    raise AssertionError("no style-src")


def test_json_body_gets_the_editor_its_schema_and_a_style_nonce(member, echo_op):
    response = member.client().get(_url(echo_op("createWidget")))
    page = html(response)

    assert re.search(r'<textarea id="body"[^>]*data-body-editor data-body-schema=', page)
    schema = _schema(page)
    assert {"name", "size", "color"} <= set(schema["properties"])
    assert "id" not in schema["properties"]  # readOnly: not offered

    nonce = re.search(r'<script type="module" src="[^"]*editor\.js" nonce="([^"]+)"', page)
    assert nonce, "the editor's script carries no nonce"
    assert _style_src(response) == ["'self'", f"'nonce-{nonce.group(1)}'"]
    policy = response["Content-Security-Policy"]
    assert "script-src 'self';" in policy + ";"  # scripts stay 'self' only
    assert "'unsafe-inline'" not in policy


def test_pages_without_the_editor_keep_style_src_self(member, echo_op):
    response = member.client().get(_url(echo_op("createWidget"), "?body_view=form"))
    assert "data-body-editor" not in html(response)
    assert _style_src(response) == ["'self'"]


def test_a_swapped_in_variant_brings_its_own_schema(member, echo_op):
    op = echo_op("createShape")
    response = member.client().get(
        _url(op, "?body_type=application%2Fjson&variant=1"),
        headers={"HX-Request": "true", "HX-Target": "body-input"},
    )
    page = html(response)
    assert page.lstrip().startswith('<fieldset class="fieldset body-section" id="body-input">')
    schema = _schema(page)
    assert set(schema["properties"]) == {"kind", "side"}
    assert schema["properties"]["kind"]["enum"] == ["square"]
