"""The team's history: list with filters, and one record in full."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe

from console.explorer.rendering import RenderedBody, render_body
from console.explorer.reopen import current_operation, replay_state
from console.explorer.statuses import status_info
from console.explorer.timing import TimingSplit
from console.explorer.views import _operation_context
from console.history.bodies import stored_body
from console.history.compare import compare
from console.history.export import (
    CALLS,
    CREDENTIAL_EVENTS,
    TEAM_EVENTS,
    Columns,
    export_csv,
    export_jsonl,
)
from console.history.models import AuditEvent, CallRecord, TeamEvent, TeamEventAction
from console.history.selectors import (
    PAGE_SIZE,
    HistoryFilter,
    filter_choices,
    history_page,
)
from console.history.snippets import record_snippets
from console.history.team_events import TeamEventFilter, describe
from console.invitations.services import invitations_expire_due
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
    if record.response_body_b64:
        body = RenderedBody("binary", record.response_size, mark_safe(""), "")
    else:
        # Members may save a value of it into a variable: its values carry their pointer.
        body = render_body(
            record.response_body.encode(), content_type, pointers=scope.membership.can_send
        )
    request_body = render_body(record.request_body.encode(), "application/json")
    return render(
        request,
        "history/detail.html",
        {
            "record": record,
            "body": body,
            "request_body": request_body,
            "status": status_info(record.status, "", record.response_headers),
            "download": stored_body(record),
            "snippets": record_snippets(record),
            # Records from before the exchange was timed on its own show no split.
            "timing": None
            if record.upstream_ms is None
            else TimingSplit(record.token_ms, record.upstream_ms, record.console_ms or 0.0),
            # The operation may have gone with its spec; the record still names it.
            "operation_exists": bool(record.operation_id)
            and scope.all(Operation).filter(pk=record.operation_id).exists(),
        },
    )


@team_view(Role.VIEWER)
def history_response_body(request: HttpRequest, scope: TeamScope, record_id: int) -> HttpResponse:
    """The response body a record kept, as a download (binary as it came, text redacted)."""
    record = scope.get(CallRecord, pk=record_id)
    stored = stored_body(record)
    if stored is None:
        raise Http404("This call kept no response body.")
    response = HttpResponse(stored.data, content_type=stored.content_type)
    response["Content-Disposition"] = f'attachment; filename="{stored.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    # Opened directly anyway, whatever it holds runs nowhere: no scripts, no origin.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def _id_page(events: Any, before: str) -> tuple[list[Any], int | None]:
    """One page of events, newest first, keyset-paged by id (`before`)."""
    if before.isdigit():
        events = events.filter(id__lt=int(before))
    rows = list(events.order_by("-id")[: PAGE_SIZE + 1])
    next_before = rows[PAGE_SIZE - 1].id if len(rows) > PAGE_SIZE else None
    return rows[:PAGE_SIZE], next_before


@team_view(Role.VIEWER)
def event_list(request: HttpRequest, scope: TeamScope) -> HttpResponse:
    """Credential events, newest first, paged by id."""
    rows, next_before = _id_page(scope.all(AuditEvent), request.GET.get("before", ""))
    return render(request, "history/events.html", {"events": rows, "next_before": next_before})


@team_view(Role.VIEWER)
def team_event_list(request: HttpRequest, scope: TeamScope) -> HttpResponse:
    """Team events (people and sign-ins), newest first, filtered, paged by id."""
    invitations_expire_due(scope.team)
    filters = TeamEventFilter.from_query(request.GET)
    rows, next_before = _id_page(filters.apply(scope.all(TeamEvent)), request.GET.get("before", ""))
    for event in rows:
        event.summary = describe(event)
    query = request.GET.copy()
    query.pop("before", None)
    context = {
        "events": rows,
        "next_before": next_before,
        "filters": filters,
        "query": query.urlencode(),
        "actions": TeamEventAction.choices,
    }
    return render(request, "history/team_events.html", context)


def _export(name: str, rows: Any, columns: Columns, fmt: str) -> StreamingHttpResponse:
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    if fmt == "csv":
        response = StreamingHttpResponse(export_csv(rows, columns), content_type="text/csv")
    else:
        response = StreamingHttpResponse(
            export_jsonl(rows, columns), content_type="application/jsonl"
        )
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{fmt}"'
    return response


@team_view(Role.VIEWER)
def history_export(request: HttpRequest, scope: TeamScope, fmt: str) -> StreamingHttpResponse:
    """The filtered history as CSV or JSON Lines, streamed."""
    records = HistoryFilter.from_query(request.GET).apply(scope.all(CallRecord))
    return _export(f"history-{scope.team.slug}", records, CALLS, fmt)


@team_view(Role.VIEWER)
def event_export(request: HttpRequest, scope: TeamScope, fmt: str) -> StreamingHttpResponse:
    """The credential events as CSV or JSON Lines, streamed."""
    return _export(
        f"credential-events-{scope.team.slug}", scope.all(AuditEvent), CREDENTIAL_EVENTS, fmt
    )


@team_view(Role.VIEWER)
def team_event_export(request: HttpRequest, scope: TeamScope, fmt: str) -> StreamingHttpResponse:
    """The filtered team events as CSV or JSON Lines, streamed."""
    events = TeamEventFilter.from_query(request.GET).apply(scope.all(TeamEvent))
    return _export(f"team-events-{scope.team.slug}", events, TEAM_EVENTS, fmt)


@team_view(Role.MEMBER)  # a replay is for sending again: viewers cannot send
def history_replay(request: HttpRequest, scope: TeamScope, record_id: int) -> HttpResponse:
    """The operation form filled in with what a recorded call sent (the newest version of
    its operation, else the one it used). Secrets were redacted before storage and stay
    "[redacted]"; the page says so."""
    record = scope.get(CallRecord, pk=record_id)
    recorded = (
        scope.all(Operation).filter(pk=record.operation_id).first() if record.operation_id else None
    )
    if recorded is None:
        raise Http404("The operation of this call is no longer in any spec.")
    current = current_operation(recorded)
    operation = current or recorded
    state = replay_state(scope, record, operation)
    context = _operation_context(request, scope, operation, prefill=state.as_data())
    context.update(
        prefill_notice="history/replay_notice.html",
        replayed=record,
        recorded_operation=recorded,
        no_longer_in_spec=current is None,
        redacted=state.redacted_fields(),
        nav_section="explorer",
    )
    return render(request, "explorer/operation.html", context)


@team_view(Role.VIEWER)
def history_compare(request: HttpRequest, scope: TeamScope) -> HttpResponse:
    """Two records' responses side by side, with a line diff of their bodies.

    The history list's checkboxes send ``?ids=…&ids=…``; anything but two ids gets the
    page with a message instead.
    """
    ids = list(dict.fromkeys(i for i in request.GET.getlist("ids") if i.isdigit()))
    context: dict[str, object] = {"count": len(ids), "comparison": None}
    if len(ids) == 2:
        first, second = (scope.get(CallRecord, pk=int(i)) for i in ids)
        context["comparison"] = compare(first, second)
    return render(request, "history/compare.html", context)
