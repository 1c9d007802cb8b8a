"""The operation page's workbench markup, without a browser (and so without JavaScript).

The production banner is rendered by the server for the preselected access and marked on
the picker's options for workbench.js; what a Send brings into the response slot carries
the focus target and the short sentence screen readers hear; the slot is no live region.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from console.vault.models import Environment
from tests.explorer.support import html, send

pytestmark = pytest.mark.django_db

BANNER = re.compile(
    r'<p class="prod-banner" data-prod-banner role="note"( hidden)?>(.*?)</p>', re.S
)


def _page(client, op, query: str = "") -> str:
    return html(client.get(reverse("explorer:operation", args=[op.team.slug, op.pk]) + query))


def _banner(page: str) -> tuple[bool, str]:
    """(shown, its text without tags) of the production banner."""
    match = BANNER.search(page)
    assert match, "no production banner in the page"
    return match.group(1) is None, re.sub(r"<[^>]+>", "", match.group(2))


def test_banner_is_hidden_for_a_non_production_access(member, echo_access, echo_op):
    page = _page(member.client(), echo_op("listWidgets"))
    shown, _ = _banner(page)
    assert not shown
    assert "data-production" not in page
    # The divider waits for the script; the slot is no live region.
    assert 'role="separator"' in page
    assert "data-split-handle hidden" in page
    assert '<div id="response-slot" class="response-slot">' in page
    assert 'id="response-announce" role="status"' in page


def test_banner_names_the_production_environment_of_the_preselected_access(
    member, echo_access, echo_op
):
    Environment.objects.filter(pk=echo_access.environment_id).update(
        name="Production EU", is_production=True
    )
    page = _page(member.client(), echo_op("listWidgets"), f"?access={echo_access.pk}")
    shown, text = _banner(page)
    assert shown
    assert text == "Production: Production EU — calls change live data"
    assert f'<option value="{echo_access.pk}" selected data-production="Production EU">' in page


def test_viewers_get_no_banner(viewer, echo_access, echo_op):
    Environment.objects.filter(pk=echo_access.environment_id).update(is_production=True)
    assert "data-prod-banner" not in _page(viewer.client(), echo_op("listWidgets"))


def test_answers_carry_the_focus_target_and_the_sentence(member, echo_access, echo_op):
    client = member.client()
    op = echo_op("listWidgets")
    not_sent = html(send(client, op, echo_access, {}, htmx=True))  # q is required
    assert 'tabindex="-1" data-response-top data-announce="Not sent: 1 field needs attention"' in (
        not_sent
    )
    answer = html(send(client, op, echo_access, {"query:q": "x"}, htmx=True))
    assert re.search(r'data-response-top data-announce="Response 200 OK in \d+ ms"', answer)

    Environment.objects.filter(pk=echo_access.environment_id).update(
        name="Production EU", is_production=True
    )
    question = html(
        send(client, echo_op("createWidget"), echo_access, body='{"name": "w"}', htmx=True)
    )
    assert (
        'data-response-top data-announce="Confirm a call to production: nothing was sent to '
        'Production EU yet"'
    ) in question
