"""The scope hint beside an operation's title refreshes after a Send that fetched a token:
the htmx answer carries the hint again, out of band, now knowing the token's scopes."""

from __future__ import annotations

import re

import pytest

from tests.explorer.support import html, send

pytestmark = pytest.mark.django_db

OOB = re.compile(
    r'<div id="op-scopes" class="op-scopes" hx-swap-oob="outerHTML">(.*?)</div>\s*$', re.S
)


def test_a_send_that_fetched_a_token_refreshes_the_hint(member, sandbox_op, sandbox_access):
    op = sandbox_op("listMeterTypes")
    before = html(member.client().get(f"/t/{op.team.slug}/operations/{op.pk}/"))
    assert "No token of Sandbox access is cached yet" in before
    answer = html(send(member.client(), op, sandbox_access, htmx=True))
    hint = OOB.search(answer)
    assert hint, "the answer carries the scope hint out of band"
    assert "No token of Sandbox access is cached yet" not in hint.group(1)
    assert "has the scopes this operation needs" in hint.group(1)
    assert '<span class="badge scope">read:meter_types</span>' in hint.group(1)


def test_a_send_with_the_cached_token_leaves_the_hint(member, sandbox_op, sandbox_access):
    op = sandbox_op("listMeterTypes")
    client = member.client()
    send(client, op, sandbox_access, htmx=True)  # fetches
    again = html(send(client, op, sandbox_access, htmx=True))  # cached: nothing changed
    assert "hx-swap-oob" not in again


def test_a_plain_post_renders_the_whole_page_with_the_new_hint(member, sandbox_op, sandbox_access):
    page = html(send(member.client(), sandbox_op("listMeterTypes"), sandbox_access))
    assert "hx-swap-oob" not in page
    assert "has the scopes this operation needs" in page
