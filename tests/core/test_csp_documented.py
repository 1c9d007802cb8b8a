"""The Content-Security-Policy docs/security.md states is the one the console sends.

The document shows two policies in ``text`` blocks: the one on every page, and the one on
pages that load the body editor (with a style nonce, shown as ``'nonce-…'``). Both are
compared directive by directive, in order, with the headers of a real response, so the
text cannot drift from `SECURE_CSP` in settings again (issue 14: it once left out img-src,
font-src and connect-src).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.explorer.echo import echo, echo_op, echo_spec  # noqa: F401 - fixtures by name

pytestmark = pytest.mark.django_db

SECURITY_MD = Path(__file__).resolve().parents[2] / "docs" / "security.md"
BLOCK = re.compile(r"```text\n\s*(Content-Security-Policy:.*?)```", re.DOTALL)


def documented() -> list[list[str]]:
    """The policies in docs/security.md, each as its list of directives."""
    text = SECURITY_MD.read_text()
    policies = []
    for block in BLOCK.findall(text):
        value = " ".join(block.split())  # the blocks are folded to be read
        value = value.removeprefix("Content-Security-Policy:").strip()
        policies.append(_directives(value))
    return policies


def _directives(policy: str) -> list[str]:
    return [" ".join(part.split()) for part in policy.split(";") if part.strip()]


def _sent(response) -> list[str]:
    policy = response.headers["Content-Security-Policy"]
    return _directives(re.sub(r"'nonce-[^']+'", "'nonce-…'", policy))


def test_the_document_states_two_policies():
    plain, editor = documented()
    assert plain != editor


def test_every_page_sends_the_documented_policy():
    plain, _ = documented()
    response = Client().get(reverse("login"))
    assert response.status_code == 200
    assert _sent(response) == plain


def test_pages_with_the_body_editor_send_the_documented_policy(member, echo_op):  # noqa: F811
    _, editor = documented()
    op = echo_op("createWidget")
    response = member.client().get(reverse("explorer:operation", args=[op.team.slug, op.pk]))
    assert response.status_code == 200
    assert "data-body-editor" in response.content.decode()
    assert _sent(response) == editor


def test_a_member_page_without_the_editor_sends_the_plain_policy(member):
    plain, _ = documented()
    response = member.client().get(reverse("home"))
    assert response.status_code in (200, 302)
    assert _sent(response) == plain
