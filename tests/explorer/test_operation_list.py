"""The explorer's operation list: built once per spec version, the current operation
marked on every operation page, and a search rendering only what matches."""

from __future__ import annotations

import html
import json
import re
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from console.specs.models import Operation, Spec
from console.specs.services import spec_import


def _document(count: int, *, deprecated: tuple[int, ...] = ()) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for i in range(count):
        paths[f"/things/{i}"] = {
            "get": {
                "operationId": f"getThing{i}",
                "summary": f"Thing number {i}",
                "tags": ["even" if i % 2 == 0 else "odd"],
                "deprecated": i in deprecated,
                "responses": {"200": {"description": "ok"}},
            }
        }
    return {"openapi": "3.0.3", "info": {"title": "Things", "version": "1"}, "paths": paths}


def _import(admin: Any, doc: dict[str, Any]) -> Any:
    return spec_import(scope=admin.scope, name="Things", data=json.dumps(doc).encode())


def _links(page: str) -> list[str]:
    return re.findall(r'<a class="op-link" href="([^"]+)"', page)


def _current(page: str) -> list[str]:
    return re.findall(r'<a class="op-link" href="([^"]+)" aria-current="page"', page)


def test_every_operation_is_listed_by_tag_with_its_link(admin, viewer, team):
    result = _import(admin, _document(6, deprecated=(3,)))
    page = html.unescape(
        viewer.client()
        .get(reverse("explorer:spec", args=[team.slug, result.spec.pk]))
        .content.decode()
    )
    ops = {op.operation_id: op for op in Operation.objects.filter(version=result.version)}
    expected = [
        reverse("explorer:operation", args=[team.slug, ops[f"getThing{i}"].pk])
        for i in (0, 2, 4, 1, 3, 5)  # grouped by first tag, in document order within a tag
    ]
    assert _links(page) == expected
    assert _current(page) == []
    assert page.count('class="is-deprecated"') == 1
    assert '<span class="method method-get">GET</span>' in page
    assert '<span class="op-summary">Thing number 5</span>' in page
    assert '<span class="op-path">/things/5</span>' in page


def test_each_operation_page_marks_only_its_own_operation(admin, viewer, team):
    result = _import(admin, _document(4))
    client = viewer.client()
    for op in Operation.objects.filter(version=result.version):
        url = reverse("explorer:operation", args=[team.slug, op.pk])
        page = client.get(url).content.decode()
        assert _current(page) == [url]
        assert len(_links(page)) == 4


def test_a_new_version_is_listed_at_once(admin, viewer, team):
    client = viewer.client()
    first = _import(admin, _document(2))
    url = reverse("explorer:spec", args=[team.slug, first.spec.pk])
    assert len(_links(client.get(url).content.decode())) == 2
    _import(admin, _document(3))
    assert len(_links(client.get(url).content.decode())) == 3


def test_search_lists_only_matches_and_clearing_it_lists_everything(admin, viewer, team):
    result = _import(admin, _document(12))
    client = viewer.client()
    url = reverse("explorer:spec", args=[team.slug, result.spec.pk])
    htmx = {"HX-Request": "true", "HX-Target": "operation-list"}
    found = client.get(url + "?q=thing1", headers=htmx).content.decode()
    assert [link.rsplit("/", 2)[-2] for link in _links(found)] == [
        str(Operation.objects.get(operation_id=f"getThing{i}").pk)
        for i in (1, 11, 10)  # "odd" is the first tag found
    ]
    assert found.lstrip().startswith('<nav id="operation-list"')
    cleared = client.get(url + "?q=", headers=htmx).content.decode()
    assert cleared.lstrip().startswith('<nav id="operation-list"')
    assert len(_links(cleared)) == 12
    nothing = client.get(url + "?q=zzz", headers=htmx).content.decode()
    assert "No operation matches “zzz”." in html.unescape(nothing)


def test_the_list_links_into_the_team_it_is_shown_in(admin, outsider, team):
    _import(admin, _document(2))
    theirs = spec_import(
        scope=outsider.scope, name="Things", data=json.dumps(_document(2)).encode()
    )
    page = outsider.client().get(
        reverse("explorer:spec", args=[outsider.membership.team.slug, theirs.spec.pk])
    )
    links = _links(page.content.decode())
    assert len(links) == 2
    assert all(link.startswith(f"/t/{outsider.membership.team.slug}/") for link in links)


def test_a_search_keystroke_does_not_list_the_teams_specs(admin, viewer, team):
    """The htmx search answers with the list only, so the specs switcher is not read."""
    result = _import(admin, _document(4))
    client = viewer.client()
    url = reverse("explorer:spec", args=[team.slug, result.spec.pk])
    client.get(url)  # the session settles on the first page view
    spec_table = Spec._meta.db_table

    with CaptureQueriesContext(connection) as search:
        client.get(url + "?q=thing", headers={"HX-Request": "true", "HX-Target": "operation-list"})
    with CaptureQueriesContext(connection) as page:
        client.get(url)

    def spec_lists(captured: CaptureQueriesContext) -> int:
        return sum("DISTINCT" in q["sql"] and spec_table in q["sql"] for q in captured)

    assert spec_lists(search) == 0
    assert spec_lists(page) == 1
