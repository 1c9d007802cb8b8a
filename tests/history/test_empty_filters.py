"""An empty history page says why: no calls at all, or no call matching the filters."""

from __future__ import annotations

import pytest
from django.urls import reverse

from console.history.services import CallFacts, call_record
from tests.explorer.support import html

pytestmark = pytest.mark.django_db


def test_no_calls_at_all_says_no_calls_yet(member, team):
    page = html(member.client().get(reverse("history:list", args=[team.slug])))
    assert "No calls yet" in page
    assert "No calls match these filters" not in page


def test_filter_matching_nothing_says_so_with_a_way_to_clear(member, team):
    call_record(
        scope=member.scope, facts=CallFacts(method="GET", url="https://ue.test/a", status=200)
    )
    url = reverse("history:list", args=[team.slug])
    page = html(member.client().get(url, {"user": "nobody-here"}))
    assert "No calls match these filters" in page
    assert "No calls yet" not in page
    assert f'href="{url}">Clear filters</a>' in page


def test_filter_matching_something_lists_it(member, team):
    call_record(
        scope=member.scope, facts=CallFacts(method="GET", url="https://ue.test/a", status=200)
    )
    page = html(member.client().get(reverse("history:list", args=[team.slug]), {"user": "mia"}))
    assert "No calls match these filters" not in page
    assert "ue.test/a" in page
