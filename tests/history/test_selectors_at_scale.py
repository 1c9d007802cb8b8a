"""The selector paths chosen for a million records return what the simple queries would.

* `filter_choices` walks an index value by value (a loose index scan) instead of a
  SELECT DISTINCT: same lists, same order, only the team's, no blanks.
* `history_page` with a time range pages by (created_at, id) instead of by id: walking
  the pages gives every record in the range once, newest first, including records that
  share a timestamp, and the same pages as by id when times follow ids.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from console.history.models import CallRecord
from console.history.selectors import PAGE_SIZE, HistoryFilter, filter_choices, history_page

pytestmark = pytest.mark.django_db


def _rows(team, specs):
    CallRecord._base_manager.bulk_create(
        [CallRecord(team=team, method="GET", url="https://x/", **spec) for spec in specs]
    )


def test_filter_choices_match_select_distinct(member, team, other_team):
    names = ["mia", "max", "", "Ålfred", "adam", "mia", "Zed", "max"]
    ops = ["listThings", "", "getThing", "listThings", "b", "a", "", "A"]
    _rows(
        team,
        [
            {"username": u, "operation_key": o, "access_name": u[:2], "environment_name": o[:3]}
            for u, o in zip(names, ops, strict=True)
        ],
    )
    _rows(other_team, [{"username": "oscar", "operation_key": "secretOp", "access_name": "x"}])

    choices = filter_choices(member.scope)

    records = CallRecord.objects.filter(team=team)
    for key, field in [
        ("users", "username"),
        ("operations", "operation_key"),
        ("accesses", "access_name"),
        ("environments", "environment_name"),
    ]:
        expected = list(
            records.exclude(**{field: ""}).order_by(field).values_list(field, flat=True).distinct()
        )
        assert choices[key] == expected, key
    assert "oscar" not in choices["users"]
    assert "secretOp" not in choices["operations"]


def test_filter_choices_of_an_empty_history(member):
    assert filter_choices(member.scope) == {
        "users": [],
        "operations": [],
        "accesses": [],
        "environments": [],
    }


def _walk(scope, filters):
    seen, before = [], None
    while True:
        page = history_page(scope, filters, before)
        seen += [r.pk for r in page.records]
        if page.next_before is None:
            return seen
        before = page.next_before


def test_time_range_pages_cover_the_range_once_newest_first(member, team):
    start = timezone.now() - timedelta(days=10)
    # 3 pages' worth, every 7th pair sharing one timestamp, times ascending with ids.
    _rows(
        team,
        [
            {"created_at": start + timedelta(minutes=n - (n % 7 == 1)), "username": "mia"}
            for n in range(2 * PAGE_SIZE + 37)
        ],
    )
    _rows(team, [{"created_at": start - timedelta(days=1)}, {"created_at": timezone.now()}])
    since, until = start, start + timedelta(minutes=2 * PAGE_SIZE + 30)
    in_range = CallRecord.objects.filter(team=team, created_at__gte=since, created_at__lt=until)

    walked = _walk(member.scope, HistoryFilter(since=since, until=until))

    expected = list(in_range.order_by("-created_at", "-id").values_list("id", flat=True))
    assert walked == expected
    assert len(walked) == 2 * PAGE_SIZE + 30
    # Times follow ids here, so this is also the order by id alone.
    assert walked == sorted(walked, reverse=True)
    # And with another filter too, and with `since` alone.
    assert _walk(member.scope, HistoryFilter(user="mia", since=since)) == list(
        CallRecord.objects.filter(team=team, username="mia", created_at__gte=since)
        .order_by("-id")
        .values_list("id", flat=True)
    )


def test_time_range_page_after_a_record_of_another_team(member, team, other_team):
    now = timezone.now()
    _rows(team, [{"created_at": now - timedelta(minutes=5 - n)} for n in range(5)])
    _rows(other_team, [{"created_at": now}])
    foreign = CallRecord.objects.get(team=other_team).pk

    page = history_page(member.scope, HistoryFilter(since=now - timedelta(hours=1)), foreign)

    # The other team's record is no pivot: paging falls back to "older ids than that".
    assert [r.pk for r in page.records] == list(
        CallRecord.objects.filter(team=team, id__lt=foreign)
        .order_by("-id")
        .values_list("id", flat=True)
    )
