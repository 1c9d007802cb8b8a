"""Every row of a spec's changes page links to its operation in the explorer: added ones
to the newer version, removed ones to the older, changed ones to both."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from console.specs.models import Operation
from tests.specs.test_versions_diff import V1, _import, _page, _url, _v2

pytestmark = pytest.mark.django_db


def _section(page: str, title: str) -> str:
    return page.split(f'id="{title}-title"', 1)[1].split("</section>", 1)[0]


def _op_url(team, number: int, path: str, method: str = "GET") -> str:
    op = Operation.objects.get(version__number=number, path=path, method=method)
    return reverse("explorer:operation", args=[team.slug, op.pk])


def test_each_row_links_to_its_operation(admin, viewer, team):
    _import(admin, V1)
    spec = _import(admin, _v2()).spec
    page = _page(viewer.client().get(_url(team, spec)))
    for title in ("added", "removed", "changed"):
        rows = re.findall(r"<tr><td>.*?</tr>", _section(page, title), re.S)
        assert rows, title
        assert all("/operations/" in row for row in rows), title
    assert _op_url(team, 2, "/usage") in _section(page, "added")
    removed = _section(page, "removed")
    assert _op_url(team, 1, "/legacy") in removed
    assert "as it was in v1" in removed
    changed = _section(page, "changed")
    assert _op_url(team, 2, "/meters") in changed
    assert _op_url(team, 1, "/meters") in changed
