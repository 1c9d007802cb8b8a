"""Compare: two records ticked in the history list, their responses side by side (status,
duration, headers, body) and a line diff of the pretty-printed bodies, escaped."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from console.history.compare import line_diff
from console.history.models import CallRecord
from console.history.services import CallFacts, call_record
from tests.explorer.echo import echo, echo_access  # noqa: F401 - fixtures by name
from tests.explorer.page_form import form_action
from tests.explorer.support import html, send
from tests.explorer.things import things, things_op  # noqa: F401 - fixtures by name

pytestmark = pytest.mark.django_db


def compare_url(team, *ids: int) -> str:
    query = "&".join(f"ids={i}" for i in ids)
    return reverse("history:compare", args=[team.slug]) + (f"?{query}" if query else "")


def recorded(person, status: int, body: bytes, *, ms: float = 10.0, **headers: str) -> CallRecord:
    """A call record as the console writes it (no network needed for the answer)."""
    facts = CallFacts(
        method="GET",
        url="https://api.example.test/v1/things",
        status=status,
        response_headers=[("Content-Type", "application/json"), *headers.items()],
        response_body=body,
        response_content_type="application/json",
        duration_ms=ms,
    )
    return call_record(scope=person.scope, facts=facts)


@pytest.fixture
def two_sends(member, things_op, echo_access) -> tuple[CallRecord, CallRecord]:  # noqa: F811
    """Two real sends of createThing to the echo server, with bodies of different sizes."""
    create = things_op("createThing")
    send(member.client(), create, echo_access, body='{"name": "A"}')
    send(member.client(), create, echo_access, body='{"name": "A much longer name", "size": 2}')
    first, second = CallRecord.objects.order_by("id")
    return first, second


def test_the_list_has_a_checkbox_per_call_and_a_compare_form(two_sends, viewer, team):
    page = html(viewer.client().get(reverse("history:list", args=[team.slug])))
    assert form_action(page, "compare-form") == reverse("history:compare", args=[team.slug])
    assert re.search(r'<form id="compare-form"[^>]* method="get"', page)
    for record in two_sends:
        assert f'name="ids" value="{record.pk}" form="compare-form"' in page


def test_two_sends_side_by_side_with_a_diff(two_sends, viewer, team):
    first, second = two_sends
    response = viewer.client().get(compare_url(team, second.pk, first.pk))
    assert response.status_code == 200
    page = html(response)
    # Older first, whatever order they were ticked in.
    assert page.index(f"call {first.pk}</a>") < page.index(f"call {second.pk}</a>")
    assert page.count('class="status status-2xx') >= 2
    assert f"{first.duration_ms:.0f} ms" in page
    assert "Content-Type" in page
    comparison = response.context["comparison"]
    diff = comparison.diff
    assert not diff.identical
    removed = [line.text for line in diff.lines if line.kind == "del"]
    added = [line.text for line in diff.lines if line.kind == "add"]
    assert removed == ['  "bytes": 13']
    assert added == ['  "bytes": 41']
    assert '<span class="diff-line diff-del">' in page
    assert "removed: " in page  # said in words too, not only by colour


def test_bodies_status_headers_and_duration_of_each(member, viewer, team):
    a = recorded(member, 200, b'{"id": 1, "state": "on"}', ms=12, **{"X-Trace": "aaa"})
    b = recorded(member, 404, b'{"error": "not_found"}', ms=345, **{"X-Trace": "bbb"})
    page = html(viewer.client().get(compare_url(team, a.pk, b.pk)))
    assert 'class="status status-2xx' in page
    assert 'class="status status-4xx' in page
    assert "12 ms" in page
    assert "345 ms" in page
    assert "aaa" in page
    assert "bbb" in page
    assert "not_found" in page


def test_the_diff_is_escaped(member, viewer, team):
    a = recorded(member, 200, b'{"note": "plain"}')
    b = recorded(member, 200, b'{"note": "<script>alert(1)</script>"}')
    page = html(viewer.client().get(compare_url(team, a.pk, b.pk)))
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_identical_bodies_say_so(member, viewer, team):
    a = recorded(member, 200, b'{"id": 1}')
    b = recorded(member, 200, b'{"id":1}')  # the same once pretty-printed
    page = html(viewer.client().get(compare_url(team, a.pk, b.pk)))
    assert "The bodies are identical." in page


@pytest.mark.parametrize("count", [0, 1, 3])
def test_anything_but_two_asks_for_two(member, viewer, team, count):
    records = [recorded(member, 200, b"{}") for _ in range(count)]
    response = viewer.client().get(compare_url(team, *[r.pk for r in records]))
    assert response.status_code == 200
    page = html(response)
    assert ("Select only two calls" if count > 2 else "Select two calls") in page


def test_another_teams_record_is_404(member, outsider, viewer, team):
    mine = recorded(member, 200, b"{}")
    theirs = recorded(outsider, 200, b'{"secret": "theirs"}')
    response = viewer.client().get(compare_url(team, mine.pk, theirs.pk))
    assert response.status_code == 404


def test_outsiders_get_404(member, outsider, team):
    a, b = recorded(member, 200, b"{}"), recorded(member, 200, b"[]")
    assert outsider.client().get(compare_url(team, a.pk, b.pk)).status_code == 404


def test_line_diff_groups_changes_with_context():
    old = "\n".join(f"line {n}" for n in range(1, 21))
    new = old.replace("line 5", "line five").replace("line 18\n", "")
    diff = line_diff(old, new, context=1)
    assert (diff.removed, diff.added) == (2, 1)
    hunks = [line.text for line in diff.lines if line.kind == "hunk"]
    assert hunks == ["@@ -4,3 +4,3 @@", "@@ -17,3 +17,2 @@"]
    changed = [(line.kind, line.text, line.old, line.new) for line in diff.lines[:4]]
    assert changed == [
        ("hunk", "@@ -4,3 +4,3 @@", None, None),
        ("same", "line 4", 4, 4),
        ("del", "line 5", 5, None),
        ("add", "line five", None, 5),
    ]
