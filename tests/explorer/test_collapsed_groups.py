"""A big spec's sidebar: tag groups collapsed but the current one, a group's list loaded
on its own URL (team-scoped), a search over every operation with its matches capped."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from console.explorer.sidebar import SEARCH_SHOWN, SIDEBAR_COLLAPSE_AT
from console.specs.models import Operation
from console.specs.services import spec_import
from tests.explorer.many_operations import many_operations

TAGS = 30
HTMX_SEARCH = {"HX-Request": "true", "HX-Target": "operation-list"}


def _import(person: Any, count: int, name: str = "Many") -> Any:
    data = json.dumps(many_operations(count, TAGS)).encode()
    return spec_import(scope=person.scope, name=name, data=data)


@pytest.fixture
def big(admin):
    """600 operations over 30 tags (20 each): above the threshold."""
    assert SIDEBAR_COLLAPSE_AT < 600
    return _import(admin, 600)


def _op(version: Any, i: int) -> Operation:
    return Operation.objects.get(version=version, operation_id=f"getThing{i}")


def _links(page: str) -> list[str]:
    return re.findall(r'<a class="op-link" href="([^"]+)"', page)


def _current(page: str) -> list[str]:
    return re.findall(r'<a class="op-link" href="([^"]+)" aria-current="page"', page)


def _groups(page: str) -> list[tuple[bool, str, int]]:
    """(open, tag, count) of every group in the sidebar, in order."""
    found = re.findall(
        r'<details class="op-group"([^>]*)>\s*<summary><span class="op-group-title">([^<]+)'
        r'</span> <span class="count">(\d+)</span>',
        page,
    )
    return [(" open" in attrs, tag, int(count)) for attrs, tag, count in found]


def _group_url(team, version, number: int) -> str:
    return reverse("explorer:group", args=[team.slug, version.pk, number])


def test_an_operation_page_lists_only_its_own_group(big, viewer, team):
    op = _op(big.version, 37)  # tag07
    url = reverse("explorer:operation", args=[team.slug, op.pk])
    page = html.unescape(viewer.client().get(url).content.decode())
    groups = _groups(page)
    assert [tag for _, tag, _ in groups] == [f"tag{i:02d}" for i in range(TAGS)]
    assert all(count == 20 for _, _, count in groups)
    assert [tag for is_open, tag, _ in groups if is_open] == ["tag07"]
    expected = [
        reverse("explorer:operation", args=[team.slug, _op(big.version, i).pk])
        for i in range(7, 600, TAGS)
    ]
    assert _links(page) == expected
    assert _current(page) == [url]
    # Every other group loads its list with htmx, and links to it for no JavaScript.
    spec_url = reverse("explorer:spec", args=[team.slug, big.spec.pk])
    assert page.count('hx-trigger="toggle once"') == TAGS - 1
    assert f'hx-get="{_group_url(team, big.version, 8)}"' in page
    assert f'href="{spec_url}?tag=tag08#op-group-8"' in page
    assert f'hx-get="{_group_url(team, big.version, 7)}"' not in page
    assert len(page.encode()) < 60_000  # the whole list would be about 200 KB


def test_a_group_url_returns_only_that_groups_list(big, viewer, team):
    response = viewer.client().get(_group_url(team, big.version, 3), headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith('<ul class="op-list">')
    assert "<details" not in body
    assert "<nav" not in body
    assert _links(body) == [
        reverse("explorer:operation", args=[team.slug, _op(big.version, i).pk])
        for i in range(3, 600, TAGS)
    ]
    assert _current(body) == []


def test_a_group_url_beyond_the_last_group_is_404(big, viewer, team):
    assert viewer.client().get(_group_url(team, big.version, TAGS)).status_code == 404


def test_the_spec_page_opens_the_group_asked_for_without_javascript(big, viewer, team):
    spec_url = reverse("explorer:spec", args=[team.slug, big.spec.pk])
    client = viewer.client()
    closed = html.unescape(client.get(spec_url).content.decode())
    assert not any(is_open for is_open, _, _ in _groups(closed))
    assert _links(closed) == []
    page = html.unescape(client.get(spec_url + "?tag=tag12").content.decode())
    assert [tag for is_open, tag, _ in _groups(page) if is_open] == ["tag12"]
    assert len(_links(page)) == 20
    assert _current(page) == []
    assert 'id="op-group-12" open' in page
    unknown = html.unescape(client.get(spec_url + "?tag=nope").content.decode())
    assert _links(unknown) == []


def test_a_spec_at_the_threshold_is_listed_whole(admin, viewer, team):
    small = _import(admin, SIDEBAR_COLLAPSE_AT, name="Small")
    op = _op(small.version, 5)
    url = reverse("explorer:operation", args=[team.slug, op.pk])
    page = html.unescape(viewer.client().get(url).content.decode())
    groups = _groups(page)
    assert len(groups) == TAGS
    assert all(is_open for is_open, _, _ in groups)
    assert len(_links(page)) == SIDEBAR_COLLAPSE_AT
    assert _current(page) == [url]
    assert 'hx-trigger="toggle once"' not in page


def test_an_outsider_gets_404_for_a_group(big, outsider, team):
    assert outsider.client().get(_group_url(team, big.version, 0)).status_code == 404


def test_another_teams_version_under_my_team_is_404(big, outsider, owner, team):
    theirs = _import(outsider, 600)
    mine = owner.client()
    assert mine.get(_group_url(team, theirs.version, 0)).status_code == 404
    their_slug = outsider.membership.team.slug
    theirs_url = reverse("explorer:group", args=[their_slug, theirs.version.pk, 0])
    assert mine.get(theirs_url).status_code == 404
    # Their own URL lists their own operations, linked under their team.
    body = outsider.client().get(theirs_url).content.decode()
    links = _links(body)
    assert len(links) == 20
    assert all(link.startswith(f"/t/{their_slug}/") for link in links)


def test_search_finds_an_operation_in_a_collapsed_group(big, viewer, team):
    op = _op(big.version, 457)  # tag07, not the group of the page searched from
    current = _op(big.version, 1)
    spec_url = reverse("explorer:spec", args=[team.slug, big.spec.pk])
    found = viewer.client().get(
        spec_url + f"?q=getthing457&current={current.pk}", headers=HTMX_SEARCH
    )
    body = found.content.decode()
    assert body.lstrip().startswith('<nav id="operation-list"')
    assert _links(body) == [reverse("explorer:operation", args=[team.slug, op.pk])]
    assert "more match" not in body


def test_a_broad_search_lists_its_first_matches_and_counts_the_rest(big, viewer, team):
    spec_url = reverse("explorer:spec", args=[team.slug, big.spec.pk])
    body = viewer.client().get(spec_url + "?q=thing", headers=HTMX_SEARCH).content.decode()
    assert len(_links(body)) == SEARCH_SHOWN
    assert f"{600 - SEARCH_SHOWN} more matches: refine the search" in body


def test_a_spec_listed_whole_lists_every_match(admin, viewer, team):
    small = _import(admin, SIDEBAR_COLLAPSE_AT, name="Small")
    spec_url = reverse("explorer:spec", args=[team.slug, small.spec.pk])
    body = viewer.client().get(spec_url + "?q=thing", headers=HTMX_SEARCH).content.decode()
    assert len(_links(body)) == SIDEBAR_COLLAPSE_AT
    assert "more match" not in body


def test_clearing_a_search_reopens_the_group_of_the_page_it_was_typed_on(big, viewer, team):
    op = _op(big.version, 44)  # tag14
    spec_url = reverse("explorer:spec", args=[team.slug, big.spec.pk])
    body = html.unescape(
        viewer.client().get(spec_url + f"?q=&current={op.pk}", headers=HTMX_SEARCH).content.decode()
    )
    assert body.lstrip().startswith('<nav id="operation-list"')
    assert [tag for is_open, tag, _ in _groups(body) if is_open] == ["tag14"]
    assert _current(body) == [reverse("explorer:operation", args=[team.slug, op.pk])]
    # The operation page's search box sends it (hx-vals, htmx only).
    page = viewer.client().get(reverse("explorer:operation", args=[team.slug, op.pk]))
    assert f'hx-vals=\'{{"current": "{op.pk}"}}\'' in page.content.decode()


def test_a_versions_groups_are_rendered_once_per_process(big, viewer, team):
    client = viewer.client()
    assert client.get(_group_url(team, big.version, 0)).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        again = client.get(_group_url(team, big.version, 5))
        page = client.get(reverse("explorer:spec", args=[team.slug, big.spec.pk]) + "?tag=tag09")
    assert again.status_code == 200
    assert page.status_code == 200
    assert not [q["sql"] for q in queries if '"specs_operation"' in q["sql"]]


@pytest.mark.parametrize("current", ["abc", "²", "9" * 40, "-1"])
def test_a_search_ignores_a_current_that_is_no_id(big, viewer, team, current):
    spec_url = reverse("explorer:spec", args=[team.slug, big.spec.pk])
    response = viewer.client().get(spec_url, {"q": "", "current": current}, headers=HTMX_SEARCH)
    assert response.status_code == 200
    assert _current(response.content.decode()) == []
