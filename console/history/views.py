"""The team's history: list with filters, and one record in full."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from console.explorer.rendering import render_body
from console.history.export import export_csv, export_jsonl
from console.history.models import AuditEvent, CallRecord
from console.history.selectors import (
    PAGE_SIZE,
    HistoryFilter,
    filter_choices,
    history_page,
)
from console.specs.models import Operation
from console.teams.models import Role
from console.teams.scoping import TeamScope, team_view


@team_view(Role.VIEWER)
def history_list(request: HttpRequest, scope: TeamScope) -> HttpResponse:
    """Newest calls first, filtered, paged by id (keyset) so deep pages stay fast."""
    filters = HistoryFilter.from_query(request.GET)
    before = request.GET.get("before", "")
    page = history_page(scope, filters, int(before) if before.isdigit() else None)
    context = {
        "page": page,
        "filters": filters,
        "query": request.GET.copy(),
        "choices": filter_choices(scope),
        "status_classes": ["2xx", "3xx", "4xx", "5xx", "error"],
    }
    return render(request, "history/list.html", context)


@team_view(Role.VIEWER)
def history_detail(request: HttpRequest, scope: TeamScope, record_id: int) -> HttpResponse:
    """One call in full, as it was recorded (secrets were redacted before storage)."""
    record = scope.get(CallRecord, pk=record_id)
    content_type = next((v for k, v in record.response_headers if k.lower() == "content-type"), "")
    body = render_body(record.response_body.encode(), content_type)
    request_body = render_body(record.request_body.encode(), "application/json")
    return render(
        request,
        "history/detail.html",
        {
            "record": record,
            "body": body,
            "request_body": request_body,
            # The operation may have gone with its spec; the record still names it.
            "operation_exists": bool(record.operation_id)
            and scope.all(Operation).filter(pk=record.operation_id).exists(),
        },
    )


@team_view(Role.VIEWER)
def event_list(request: HttpRequest, scope: TeamScope) -> HttpResponse:
    """Credential events, newest first, paged by id."""
    before = request.GET.get("before", "")
    events = scope.all(AuditEvent).order_by("-id")
    if before.isdigit():
        events = events.filter(id__lt=int(before))
    rows = list(events[: PAGE_SIZE + 1])
    next_before = rows[PAGE_SIZE - 1].id if len(rows) > PAGE_SIZE else None
    return render(
        request, "history/events.html", {"events": rows[:PAGE_SIZE], "next_before": next_before}
    )


@team_view(Role.VIEWER)
def history_export(request: HttpRequest, scope: TeamScope, fmt: str) -> StreamingHttpResponse:
    """The filtered history as CSV or JSON Lines, streamed."""
    records = HistoryFilter.from_query(request.GET).apply(scope.all(CallRecord))
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    if fmt == "csv":
        response = StreamingHttpResponse(export_csv(records), content_type="text/csv")
    else:
        response = StreamingHttpResponse(export_jsonl(records), content_type="application/jsonl")
    filename = f"history-{scope.team.slug}-{stamp}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
