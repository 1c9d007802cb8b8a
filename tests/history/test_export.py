"""Exports of the filtered history: CSV and JSON Lines, streamed, team-scoped, no secrets."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from console.history import export
from console.history.services import CallFacts, call_record


def _call(person, n: int, **extra) -> None:
    facts = CallFacts(
        method="GET",
        url=f"https://api.example.com/things/{n}",
        status=extra.pop("status", 200),
        request_headers=[("Authorization", "Bearer secret-token-value-123")],
        **extra,
    )
    call_record(scope=person.scope, facts=facts, secrets=["secret-token-value-123"])


def _body(response) -> str:
    assert response.streaming
    return b"".join(response.streaming_content).decode()


@pytest.fixture
def calls(member, team):
    for n in range(7):
        _call(member, n, status=200 if n % 2 else 404)


def test_jsonl_export_has_every_filtered_record(calls, viewer, team):
    url = reverse("history:export", args=[team.slug, "jsonl"])
    response = viewer.client().get(url, {"status": "4xx"})
    assert response["Content-Type"] == "application/jsonl"
    assert "attachment" in response["Content-Disposition"]
    rows = [json.loads(line) for line in _body(response).splitlines()]
    assert len(rows) == 4
    assert {row["status"] for row in rows} == {404}
    assert rows[0]["id"] > rows[-1]["id"]  # newest first


def test_csv_export_reads_back(calls, viewer, team):
    response = viewer.client().get(reverse("history:export", args=[team.slug, "csv"]))
    rows = list(csv.DictReader(io.StringIO(_body(response))))
    assert len(rows) == 7
    assert rows[0]["method"] == "GET"
    assert json.loads(rows[0]["request_headers"]) == [["Authorization", "Bearer [redacted]"]]


def test_exports_hold_no_token(calls, viewer, team):
    for fmt in ("csv", "jsonl"):
        body = _body(viewer.client().get(reverse("history:export", args=[team.slug, fmt])))
        assert "secret-token-value-123" not in body


def test_export_pages_through_chunks(member, viewer, team, monkeypatch):
    monkeypatch.setattr(export, "CHUNK", 3)
    for n in range(10):
        _call(member, n)
    body = _body(viewer.client().get(reverse("history:export", args=[team.slug, "jsonl"])))
    ids = [json.loads(line)["id"] for line in body.splitlines()]
    assert len(ids) == len(set(ids)) == 10


def test_formulas_are_defused_in_csv(member, viewer, team):
    _call(member, 1, error_message='=HYPERLINK("http://evil")', error_kind="x")
    body = _body(viewer.client().get(reverse("history:export", args=[team.slug, "csv"])))
    assert "'=HYPERLINK" in body


def test_other_formats_and_outsiders_get_404(calls, outsider, viewer, team):
    assert (
        outsider.client().get(reverse("history:export", args=[team.slug, "csv"])).status_code == 404
    )
    assert viewer.client().get(f"/t/{team.slug}/history/export.xml").status_code == 404


def test_time_range_and_environment_filters(member, admin, team):
    _call(member, 1)
    page = admin.client().get(
        reverse("history:list", args=[team.slug]),
        {"since": (timezone.now() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")},
    )
    assert "things/1" not in page.content.decode()
    page = admin.client().get(
        reverse("history:list", args=[team.slug]),
        {"since": (timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")},
    )
    assert "things/1" in page.content.decode()
    page = admin.client().get(reverse("history:list", args=[team.slug]), {"environment": "Prod"})
    assert "things/1" not in page.content.decode()
