"""A URL text no index can find is searched a window of records at a time.

Such a text (fewer than three letters or digits in a row) is found by reading records
newest first; a rare one would read the whole history for one page. Each page reads at
most a window of ids and, when it is not full, offers the next, older window, until
the oldest record was searched.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from console.history.models import CallRecord
from console.history.selectors import PAGE_SIZE, HistoryFilter, history_page

pytestmark = pytest.mark.django_db

WINDOW = 20


@pytest.fixture
def calls(team, other_team):
    """100 records of the team (every 25th URL ends in /zq), interleaved with another team's."""
    rows = []
    for n in range(100):
        url = f"https://api.example.test/v1/things/{n}" + ("/zq" if n % 25 == 0 else "")
        rows.append(CallRecord(team=team, method="GET", url=url, username="alice"))
        rows.append(CallRecord(team=other_team, method="GET", url=url + "/zq"))
    CallRecord._base_manager.bulk_create(rows)
    return list(CallRecord.objects.filter(team=team).order_by("-id"))


def _all_pages(scope, filters: HistoryFilter) -> list[tuple[list[str], int | None]]:
    """Follow the pages as a person clicking the link would: (urls, scanned_to) each."""
    pages, before = [], None
    for _ in range(100):
        page = history_page(scope, filters, before, window=WINDOW)
        pages.append(([r.url for r in page.records], page.scanned_to))
        if page.next_before is None:
            return pages
        before = page.next_before
    raise AssertionError("the pages never ended")


def test_a_rare_short_text_is_found_window_by_window(member, calls):
    pages = _all_pages(member.scope, HistoryFilter(q="zq"))

    found = [url for urls, _ in pages for url in urls]
    expected = [r.url for r in calls if r.url.endswith("/zq")]
    assert found == expected  # all four, newest first, none twice, no other team's
    assert len(pages) > 1
    assert all(scanned is not None for _, scanned in pages[:-1])  # each said where it stopped
    assert pages[-1][1] is None  # and the last one, having reached the oldest, did not


def test_with_a_time_range_the_windows_find_the_same(member, calls):
    since = datetime(2000, 1, 1, tzinfo=UTC)
    pages = _all_pages(member.scope, HistoryFilter(q="zq", since=since))

    found = [url for urls, _ in pages for url in urls]
    assert found == [r.url for r in calls if r.url.endswith("/zq")]


def test_each_page_reads_only_its_window(member, calls):
    page = history_page(member.scope, HistoryFilter(q="zq"), window=WINDOW)

    newest = calls[0].id
    assert page.scanned_to == newest + 1 - WINDOW
    assert page.next_before == page.scanned_to
    assert all(r.id >= page.scanned_to for r in page.records)


def test_a_common_short_text_pages_as_usual(member, calls):
    page = history_page(member.scope, HistoryFilter(q="v1"), window=10_000)

    assert len(page.records) == PAGE_SIZE
    assert page.scanned_to is None
    assert page.next_before == page.records[-1].id


def test_a_text_the_index_serves_is_not_windowed(member, calls):
    pages = _all_pages(member.scope, HistoryFilter(q="things/7"))

    assert len(pages) == 1
    assert pages[0][1] is None
    assert pages[0][0] == [r.url for r in calls if "things/7" in r.url]


def test_no_older_window_is_offered_when_the_other_filters_leave_nothing_older(member, calls):
    """A member with no calls below the window: the page ends instead of offering more."""
    page = history_page(member.scope, HistoryFilter(q="zq", user="nobody"), window=WINDOW)

    assert page.records == []
    assert page.next_before is None
    assert page.scanned_to is None


def test_the_history_page_says_the_search_goes_back_step_by_step(member, calls, settings):
    settings.CONSOLE_HISTORY_SCAN_WINDOW = WINDOW
    client = member.client()

    response = client.get(reverse("history:list", args=[member.scope.team.slug]), {"q": "zq"})

    page = response.content.decode()
    assert "older calls are searched a step at a time" in page
    assert "Search older calls" in page
