"""Reading the history: filters and keyset paging over a team's call records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.utils import timezone

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
            records = records.filter(url__icontains=self.q)
        return records


@dataclass(frozen=True)
class HistoryPage:
    """One page of records, newest first, and the cursor to the next page."""

    records: list[CallRecord]
    next_before: int | None


def history_page(
    scope: TeamScope, filters: HistoryFilter, before: int | None = None
) -> HistoryPage:
    """A page of the team's history, newest first; `before` is the last id already seen."""
    records = filters.apply(scope.all(CallRecord)).order_by("-id")
    if before is not None:
        records = records.filter(id__lt=before)
    rows = list(
        records.only(
            "id",
            "created_at",
            "username",
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
    next_before = rows[PAGE_SIZE - 1].id if len(rows) > PAGE_SIZE else None
    return HistoryPage(records=rows[:PAGE_SIZE], next_before=next_before)


def filter_choices(scope: TeamScope) -> dict[str, list[str]]:
    """Distinct members, operations and Application Access names seen in the history."""
    records = scope.all(CallRecord)

    def distinct(field: str) -> list[str]:
        return list(
            records.exclude(**{field: ""}).order_by(field).values_list(field, flat=True).distinct()
        )

    return {
        "users": distinct("username"),
        "operations": distinct("operation_key"),
        "accesses": distinct("access_name"),
        "environments": distinct("environment_name"),
    }
