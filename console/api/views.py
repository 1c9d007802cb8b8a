"""The console's API (/api/v1/…) and the pass-through (/proxy/…): JSON in and out, a
console API token for who is asking, every refusal as {"error", "message"} (thin views)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from console.api import openapi
from console.api.calls import (
    CallRefused,
    api_call,
    current_operations,
    find_access,
    find_operation,
    outcome_json,
)
from console.api.passthrough import pass_through, returned_headers
from console.api.tokens import ApiError, api_scope
from console.bulk import services as bulk_services
from console.bulk.models import BulkRun
from console.bulk.plan import CsvError
from console.history.models import CallRecord
from console.history.selectors import PAGE_SIZE, HistoryFilter, history_page
from console.specs.engine.jsontext import InvalidJson, parse_json
from console.teams.models import Role
from console.teams.scoping import TeamScope

MAX_PAGE = 200


def _error(status: int, code: str, message: str, **extra: Any) -> JsonResponse:
    return JsonResponse({"error": code, "message": message, **extra}, status=status)


def api_view(
    role: Role,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorate an API view taking `team_slug`: it receives the token's `scope`, checked
    for `role`; no session or cookie counts (so no CSRF), only the token."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @functools.wraps(view)
        def wrapped(request: HttpRequest, team_slug: str, **kwargs: Any) -> HttpResponse:
            try:
                scope, _token = api_scope(request, team_slug)
                if not scope.membership.has_role(role):
                    raise ApiError(
                        403, "forbidden", f"This needs a token with the {role.label.lower()} "
                        "role or above.",
                    )  # fmt: skip
                return view(request, scope, **kwargs)
            except ApiError as exc:
                response = _error(exc.status, exc.code, exc.message)
                for name, value in exc.headers.items():
                    response[name] = value
                return response
            except CallRefused as exc:
                return _error(exc.status, exc.code, exc.message, fields=exc.fields)
            except Http404 as exc:
                return _error(404, "not_found", str(exc) or "Not found.")

        return wrapped

    return decorate


def _json_body(request: HttpRequest) -> dict[str, Any]:
    try:
        data = parse_json(request.body or b"{}", "The request body")
    except InvalidJson as exc:
        raise CallRefused(400, "invalid", exc.message) from exc
    if not isinstance(data, dict):
        raise CallRefused(400, "invalid", "The request body must be a JSON object.")
    return data


@require_http_methods(["POST"])
@api_view(Role.MEMBER)
def operation_call(request: HttpRequest, scope: TeamScope, operation_id: str) -> HttpResponse:
    """POST /api/v1/t/<team>/operations/<operationId>/call: call it, answer what came back."""
    data = _json_body(request)
    operation = find_operation(scope, operation_id, str(data.get("spec") or ""))
    access = find_access(scope, data.get("access"))
    call = api_call(
        scope=scope,
        operation=operation,
        access=access,
        params=data.get("params"),
        body=data.get("body"),
        confirm_production=str(data.get("confirm_production") or ""),
    )
    status, answer = outcome_json(call)
    return JsonResponse(answer, status=status)


def _limit(request: HttpRequest) -> int:
    raw = request.GET.get("limit", "")
    return min(MAX_PAGE, int(raw)) if raw.isdigit() and int(raw) > 0 else PAGE_SIZE


def _next(request: HttpRequest, before: int | None) -> str | None:
    if before is None:
        return None
    query = request.GET.copy()
    query["before"] = str(before)
    return f"{request.path}?{query.urlencode()}"


def _record_json(record: CallRecord) -> dict[str, Any]:
    return {
        "id": record.pk,
        "created_at": record.created_at.isoformat(),
        "username": record.username,
        "via": record.via,
        "access": record.access_name,
        "environment": record.environment_name,
        "operation": record.operation_key,
        "method": record.method,
        "url": record.url,
        "status": record.status,
        "duration_ms": record.duration_ms,
        "error": record.error_kind,
    }


def _run_json(request: HttpRequest, scope: TeamScope, run: BulkRun) -> dict[str, Any]:
    progress = bulk_services.bulk_progress(run)
    return {
        "id": run.pk,
        "state": run.state,
        "stop_reason": run.stop_reason,
        "operation": run.operation.operation_id,
        "total": progress.total,
        "done": progress.done,
        "failed": progress.failed,
        "skipped": progress.skipped,
        "left": progress.left,
        "percent": progress.percent,
        "rows_per_second": round(progress.rate, 2),
        "eta_seconds": round(progress.eta_seconds) if progress.eta_seconds else None,
        "poll": reverse("api:bulk_run", args=[scope.team.slug, run.pk]),
        "results_csv": request.build_absolute_uri(
            reverse("bulk:results", args=[scope.team.slug, run.pk])
        ),
    }


@require_http_methods(["POST"])
@api_view(Role.MEMBER)
def bulk_start(request: HttpRequest, scope: TeamScope, operation_id: str) -> HttpResponse:
    """POST /api/v1/t/<team>/operations/<operationId>/bulk: start a run of CSV rows."""
    data = _json_body(request)
    operation = find_operation(scope, operation_id, str(data.get("spec") or ""))
    access = find_access(scope, data.get("access"))
    try:
        run = bulk_services.bulk_upload(
            scope=scope, operation=operation, text=str(data.get("csv") or ""), name="API"
        )
    except CsvError as exc:
        raise CallRefused(400, "invalid", str(exc)) from exc
    mapping = data.get("mapping")
    concurrency = data.get("concurrency")
    try:
        bulk_services.bulk_configure(
            scope=scope,
            run=run,
            access=access,
            mapping=mapping if isinstance(mapping, dict) else run.mapping,
            concurrency=concurrency if isinstance(concurrency, int) else run.concurrency,
        )
        bulk_services.bulk_start(
            scope=scope,
            run=run,
            only_valid=data.get("only_valid") is True,
            confirm=str(data.get("confirm_production") or ""),
        )
    except bulk_services.BulkError as exc:
        problems = {
            f"row {r.number}": "; ".join(f"{k}: {v}" for k, v in r.problems.items())
            for r in run.rows.exclude(problems={}).order_by("number")[:50]
        }
        run.delete()  # a draft nobody will map: the API starts runs or refuses them
        raise CallRefused(400, "invalid", str(exc), problems) from exc
    return JsonResponse(_run_json(request, scope, run), status=202)


@require_GET
@api_view(Role.VIEWER)
def bulk_run(request: HttpRequest, scope: TeamScope, run_id: int) -> HttpResponse:
    """GET /api/v1/t/<team>/bulk/<id>: a run's progress."""
    run = scope.get(BulkRun, pk=run_id, related=("operation",))
    return JsonResponse(_run_json(request, scope, run))


@require_GET
@api_view(Role.VIEWER)
def history(request: HttpRequest, scope: TeamScope) -> HttpResponse:
    """GET /api/v1/t/<team>/history: calls newest first (the page's filters), by id."""
    filters = HistoryFilter.from_query(request.GET)
    before = request.GET.get("before", "")
    page = history_page(scope, filters, int(before) if before.isdigit() else None)
    limit = min(_limit(request), PAGE_SIZE)
    records = page.records[:limit]
    more = page.next_before if len(records) == len(page.records) else records[-1].pk
    return JsonResponse(
        {"records": [_record_json(r) for r in records], "next": _next(request, more)}
    )


@require_GET
@api_view(Role.VIEWER)
def history_record(request: HttpRequest, scope: TeamScope, record_id: int) -> HttpResponse:
    """GET /api/v1/t/<team>/history/<id>: one call as recorded (secrets redacted)."""
    record = scope.get(CallRecord, pk=record_id)
    data = _record_json(record)
    data.update(
        request_headers=record.request_headers,
        request_body=record.request_body,
        response_headers=record.response_headers,
        response_body=record.response_body,
        response_truncated=record.response_truncated,
        error_message=record.error_message,
        seq=record.seq,
        record_hash=record.record_hash,
    )
    return JsonResponse(data)


@require_GET
@api_view(Role.VIEWER)
def operations(request: HttpRequest, scope: TeamScope) -> HttpResponse:
    """GET /api/v1/t/<team>/operations: the newest version's operations of each spec."""
    rows = current_operations(scope).order_by("id")
    before = request.GET.get("before", "")
    if before.isdigit():
        rows = rows.filter(id__gt=int(before))
    if request.GET.get("spec"):
        rows = rows.filter(version__spec__name=request.GET["spec"])
    limit = _limit(request)
    page = list(rows[: limit + 1])
    items = [
        {
            "id": op.pk,
            "operation_id": op.operation_id,
            "method": op.method.upper(),
            "path": op.path,
            "summary": op.summary,
            "tags": op.tags,
            "scopes": op.scopes,
            "deprecated": op.deprecated,
            "spec": op.version.spec.name,
            "version": op.version.number,
            "call": reverse("api:call", args=[scope.team.slug, op.operation_id]),
        }
        for op in page[:limit]
    ]
    more = page[limit - 1].pk if len(page) > limit else None
    return JsonResponse({"operations": items, "next": _next(request, more)})


@require_GET
def openapi_document(request: HttpRequest) -> JsonResponse:
    """GET /api/v1/openapi.json: the console's own API, as OpenAPI 3.1."""
    return JsonResponse(openapi.document(request.build_absolute_uri("/")))


@csrf_exempt
def proxy(request: HttpRequest, team_slug: str, access: str, path: str = "") -> HttpResponse:
    """/proxy/t/<team>/<access>/<path>: the request as it came, to the access's environment."""

    @api_view(Role.MEMBER)
    def run(request: HttpRequest, scope: TeamScope) -> HttpResponse:
        passed = pass_through(
            scope=scope,
            access=find_access(scope, access),
            method=request.method or "GET",
            path=path,
            query=request.META.get("QUERY_STRING", ""),
            headers=request.headers,
            body=request.body,
        )
        record = passed.record
        if passed.response is None:
            response = _error(502, passed.error_kind or "failed", passed.error, record_id=record.pk)
        else:
            upstream = passed.response
            response = HttpResponse(
                upstream.body,
                status=upstream.status,
                content_type=upstream.header("Content-Type") or "application/octet-stream",
            )
            for name, value in returned_headers(upstream):
                response[name] = value
        response["X-Console-Record"] = str(record.pk)
        return response

    return run(request, team_slug)
