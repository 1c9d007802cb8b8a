"""Reading the history: filters and keyset paging over a team's call records."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import StrIndex, Upper
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from console.core.sql import quoted
from console.history.models import CallRecord
from console.teams.scoping import TeamScope

PAGE_SIZE = 50
STATUS_CLASSES = {
    "2xx": Q(status__gte=200, status__lt=300),
    "3xx": Q(status__gte=300, status__lt=400),
    "4xx": Q(status__gte=400, status__lt=500),
    "5xx": Q(status__gte=500, status__lt=600),
    "error": Q(status__isnull=True),
}


# Three letters or digits in a row: the least a text needs for the trigram index on
# UPPER(url) (migration history/0008) to narrow a search. pg_trgm takes its trigrams
# from runs of letters and digits only: from "v1" it gets none, from "s/m-4" only
# word-edge ones that many URLs share (a word starting with "4"), which narrow little.
_TRIGRAM_RUN = re.compile(r"[^\W_]{3}")


def url_contains(text: str) -> Q | GreaterThan:
    """Records whose URL contains `text`, ignoring case, wildcards taken literally.

    A text with three letters or digits in a row is an `icontains` (`UPPER(url) LIKE
    UPPER('%text%')`, its `%`, `_` and `\\` escaped), which the trigram index serves.
    Any other (one or two characters, "s/m-4") is `STRPOS(UPPER(url), UPPER(text)) > 0`
    (INSTR on SQLite): the same matches, but no index can serve it, so the planner reads
    the newest records until a page is full (such texts are in most URLs) instead of a
    trigram search with nothing to look up, which reads the whole index and every row
    it points to (4 s at a million records). A rare such text reads the whole history.
    """
    if is_indexed_text(text):
        return Q(url__icontains=text)
    return GreaterThan(StrIndex(Upper("url"), Upper(Value(text))), 0)


def is_indexed_text(text: str) -> bool:
    """Whether the trigram index can find `text` (three letters or digits in a row)."""
    return bool(_TRIGRAM_RUN.search(text))


def _parse_time(text: str) -> datetime | None:
    """A `datetime-local` or ISO value in the console's time zone; None when blank or bad."""
    text = text.strip()
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if timezone.is_aware(value) else timezone.make_aware(value)


@dataclass(frozen=True)
class HistoryFilter:
    """The filters a person can set on the history page."""

    user: str = ""
    operation: str = ""
    status: str = ""
    access: str = ""
    environment: str = ""
    since: datetime | None = None
    until: datetime | None = None
    q: str = ""

    @classmethod
    def from_query(cls, params: Any) -> HistoryFilter:
        """Build from request.GET, ignoring unknown or malformed values."""
        status = params.get("status", "")
        return cls(
            user=params.get("user", "").strip(),
            operation=params.get("operation", "").strip(),
            status=status if status in STATUS_CLASSES else "",
            access=params.get("access", "").strip(),
            environment=params.get("environment", "").strip(),
            since=_parse_time(params.get("since", "")),
            until=_parse_time(params.get("until", "")),
            q=params.get("q", "").strip()[:200],
        )

    def as_query(self) -> str:
        """The filter as a query string, for links that keep it (export, paging)."""
        pairs = {
            "user": self.user,
            "operation": self.operation,
            "status": self.status,
            "access": self.access,
            "environment": self.environment,
            "since": self.since.strftime("%Y-%m-%dT%H:%M") if self.since else "",
            "until": self.until.strftime("%Y-%m-%dT%H:%M") if self.until else "",
            "q": self.q,
        }
        return urlencode({k: v for k, v in pairs.items() if v})

    @property
    def active(self) -> bool:
        """Whether any filter is set (an empty page then means "no match", not "no calls")."""
        return bool(self.as_query())

    def apply(self, records: QuerySet[CallRecord]) -> QuerySet[CallRecord]:
        """Narrow `records` to what the filter asks for."""
        if self.user:
            records = records.filter(username=self.user)
        if self.operation:
            records = records.filter(operation_key=self.operation)
        if self.status:
            records = records.filter(STATUS_CLASSES[self.status])
        if self.access:
            records = records.filter(access_name=self.access)
        if self.environment:
            records = records.filter(environment_name=self.environment)
        if self.since:
            records = records.filter(created_at__gte=self.since)
        if self.until:
            records = records.filter(created_at__lt=self.until)
        if self.q:
            records = records.filter(url_contains(self.q))
        return records


@dataclass(frozen=True)
class HistoryPage:
    """One page of records, newest first, and the cursor to the next page.

    `scanned_to` is set when the page stopped at the end of its search window before it
    was full (a URL text no index can find): the records from that id on were searched,
    older ones not yet, and `next_before` continues below it.
    """

    records: list[CallRecord]
    next_before: int | None
    scanned_to: int | None = None


def history_page(
    scope: TeamScope,
    filters: HistoryFilter,
    before: int | None = None,
    *,
    window: int | None = None,
) -> HistoryPage:
    """A page of the team's history, newest first; `before` is the last id already seen.

    Pages are keyset-paged by id. With a time range they are keyset-paged by
    (created_at, id) instead, which is nearly the same order (records sent in the same
    instant may differ by milliseconds) and lets the database start at the range in the
    (team, -created_at, -id) index: ordered by id alone, a week two months back is found
    only after reading every newer row.

    A URL text no index can find is searched `window` record ids at a time (default
    CONSOLE_HISTORY_SCAN_WINDOW); a page that is not full then says where it stopped
    (`scanned_to`) and continues below it.
    """
    records = filters.apply(scope.all(CallRecord))
    if filters.since is not None or filters.until is not None:
        records = records.order_by("-created_at", "-id")
        if before is not None:
            pivot = scope.all(CallRecord).filter(id=before).values_list("created_at", flat=True)
            when = pivot.first()
            records = (
                records.filter(id__lt=before)
                if when is None
                else (records.filter(created_at__lte=when).exclude(created_at=when, id__gte=before))
            )
    else:
        records = records.order_by("-id")
        if before is not None:
            records = records.filter(id__lt=before)
    floor = None
    if filters.q and not is_indexed_text(filters.q):
        # Such a text, when rare, would read the whole history for one page (1.1 s at a
        # million records): a page reads at most `window` ids, then offers the next.
        window = window or settings.CONSOLE_HISTORY_SCAN_WINDOW
        top = before if before is not None else _newest_id(scope)
        floor = None if top is None else top - window
        if floor is not None:
            records = records.filter(id__gte=floor)
    rows = list(
        records.only(
            "id",
            "created_at",
            "username",
            "via",
            "access_name",
            "environment_name",
            "operation_key",
            "operation_label",
            "method",
            "url",
            "status",
            "duration_ms",
            "error_kind",
            "response_size",
        )[: PAGE_SIZE + 1]
    )
    if len(rows) > PAGE_SIZE:
        return HistoryPage(records=rows[:PAGE_SIZE], next_before=rows[PAGE_SIZE - 1].id)
    if floor is not None and _has_older(scope, filters, floor):
        return HistoryPage(records=rows, next_before=floor, scanned_to=floor)
    return HistoryPage(records=rows, next_before=None)


def _newest_id(scope: TeamScope) -> int | None:
    """The id of the team's newest record, plus one: where the first window starts.

    Read from the (team, -created_at, -id) index, one probe whatever the other teams'
    share of the table (ordered by id alone, a small team's newest record is found only
    after every newer record of the others). Only the window's depth depends on it: the
    first page has no upper bound.
    """
    records = scope.all(CallRecord).order_by("-created_at", "-id")
    newest = records.values_list("id", flat=True).first()
    return None if newest is None else newest + 1


def _has_older(scope: TeamScope, filters: HistoryFilter, floor: int) -> bool:
    """Whether the team has records below `floor` that the other filters let through."""
    older = replace(filters, q="").apply(scope.all(CallRecord))
    return older.filter(id__lt=floor).exists()


def _distinct_values(team_id: int, field: str) -> list[str]:
    """The distinct non-empty values of `field` in a team's history, sorted.

    A SELECT DISTINCT reads every one of the team's rows (1.6 s for the four lists at a
    million records); this walks the (team, field, -id) index instead, jumping from one
    value to the next (a "loose index scan": one index probe per distinct value).
    """
    table, column, team = quoted(CallRecord, field, "team")
    sql = f"""
        WITH RECURSIVE walk(value) AS (
            SELECT (SELECT {column} FROM {table} WHERE {team} = %s AND {column} > ''
                    ORDER BY {column} LIMIT 1)
            UNION ALL
            SELECT (SELECT {column} FROM {table} WHERE {team} = %s AND {column} > walk.value
                    ORDER BY {column} LIMIT 1)
            FROM walk WHERE walk.value IS NOT NULL
        )
        SELECT value FROM walk WHERE value IS NOT NULL
    """  # noqa: S608 - table and column names come from the model, quoted
    with connection.cursor() as cursor:
        cursor.execute(sql, [team_id, team_id])
        return [row[0] for row in cursor.fetchall()]


def filter_choices(scope: TeamScope) -> dict[str, list[str]]:
    """Distinct members, operations and Application Access names seen in the history."""
    team_id = scope.team.pk
    return {
        "users": _distinct_values(team_id, "username"),
        "operations": _distinct_values(team_id, "operation_key"),
        "accesses": _distinct_values(team_id, "access_name"),
        "environments": _distinct_values(team_id, "environment_name"),
    }
