"""Bulk runs' pages: upload a CSV on an operation, map its columns and check the rows, start,
watch the progress (htmx polling), pause, resume, cancel, download the results (thin
views over `services`)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from console.bulk import plan, services
from console.bulk.forms import UploadForm
from console.bulk.models import BulkRun, RunState
from console.specs.models import Operation
from console.teams.models import Role
from console.teams.scoping import TeamScope, team_view
from console.vault.models import ApplicationAccess
from console.vault.services import usable_accesses


def _run(scope: TeamScope, run_id: int) -> BulkRun:
    return scope.get(BulkRun, pk=run_id, related=("operation", "access__environment"))


def _page(scope: TeamScope, run_id: int) -> HttpResponse:
    return redirect("bulk:run", team_slug=scope.team.slug, run_id=run_id)


@team_view(Role.VIEWER)
def run_list(request: HttpRequest, scope: TeamScope) -> HttpResponse:
    """The team's bulk runs, newest first."""
    runs = scope.all(BulkRun).select_related("operation", "created_by")[:100]
    return render(request, "bulk/list.html", {"runs": runs})


@team_view(Role.MEMBER)
def run_new(request: HttpRequest, scope: TeamScope, operation_id: int) -> HttpResponse:
    """Upload (or paste) a CSV for an operation: a draft run to map."""
    operation = scope.get(Operation, pk=operation_id)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = services.bulk_upload(
                scope=scope,
                operation=operation,
                text=form.cleaned_data["csv"],
                name=form.cleaned_data["name"],
            )
        except plan.CsvError as exc:
            form.add_error(None, str(exc))
        else:
            return _page(scope, run.pk)
    return render(request, "bulk/new.html", {"form": form, "operation": operation})


@team_view(Role.VIEWER)
def run_page(request: HttpRequest, scope: TeamScope, run_id: int) -> HttpResponse:
    """A draft's mapping, checks and start; a started run's progress and rows."""
    run = _run(scope, run_id)
    context: dict = {"run": run, "progress": services.bulk_progress(run)}
    if run.state == RunState.DRAFT:
        form = services.run_form(run)
        context.update(
            targets=[(t, run.mapping.get(t.key, "")) for t in plan.targets(form)],
            check=services.bulk_check(run),
            accesses=usable_accesses(scope),
            production=run.access is not None
            and run.access.environment.is_production
            and run.operation.method.upper() in ("POST", "PUT", "PATCH", "DELETE"),
        )
        context["problem_rows"] = run.rows.exclude(problems={}).order_by("number")[:20]
    else:
        context["rows"] = run.rows.order_by("number")[:200]
    return render(request, "bulk/run.html", context)


@require_POST
@team_view(Role.MEMBER)
def run_mapping(request: HttpRequest, scope: TeamScope, run_id: int) -> HttpResponse:
    """Save the draft's Application Access, column for each target and concurrency."""
    run = _run(scope, run_id)
    access_id = request.POST.get("access", "")
    access = (
        scope.all(ApplicationAccess).filter(pk=int(access_id)).first()
        if access_id.isdigit()
        else None
    )
    mapping = {
        key.removeprefix("map:"): column
        for key, column in request.POST.items()
        if key.startswith("map:") and column
    }
    concurrency = request.POST.get("concurrency", "")
    try:
        services.bulk_configure(
            scope=scope,
            run=run,
            access=access,
            mapping=mapping,
            concurrency=int(concurrency) if concurrency.isdigit() else run.concurrency,
        )
    except services.BulkError as exc:
        messages.error(request, str(exc))
    return _page(scope, run.pk)


@require_POST
@team_view(Role.MEMBER)
def run_start(request: HttpRequest, scope: TeamScope, run_id: int) -> HttpResponse:
    """Start sending (after the production confirmation where one is needed)."""
    run = _run(scope, run_id)
    try:
        services.bulk_start(
            scope=scope,
            run=run,
            only_valid=request.POST.get("only_valid") == "1",
            confirm=request.POST.get("confirm", ""),
        )
    except services.BulkError as exc:
        messages.error(request, str(exc))
    return _page(scope, run.pk)


def _control(action):
    @require_POST
    @team_view(Role.MEMBER)
    def view(request: HttpRequest, scope: TeamScope, run_id: int) -> HttpResponse:
        action(scope=scope, run=_run(scope, run_id))
        return _page(scope, run_id)

    view.__doc__ = action.__doc__
    return view


run_pause = _control(services.bulk_pause)
run_resume = _control(services.bulk_resume)
run_cancel = _control(services.bulk_cancel)


@team_view(Role.VIEWER)
def run_progress(request: HttpRequest, scope: TeamScope, run_id: int) -> HttpResponse:
    """The progress bar and counts (htmx polls it while the run is going)."""
    run = _run(scope, run_id)
    if run.state == RunState.RUNNING:
        services.bulk_recover(run)  # a run whose workers all stopped gets new drivers
    context = {"run": run, "progress": services.bulk_progress(run)}
    return render(request, "bulk/run.html#progress", context)


@team_view(Role.VIEWER)
def run_results(request: HttpRequest, scope: TeamScope, run_id: int) -> StreamingHttpResponse:
    """The results as CSV: the input's columns, each row's outcome and answer."""
    run = _run(scope, run_id)
    response = StreamingHttpResponse(services.result_csv(run), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="bulk-run-{run.pk}-results.csv"'
    return response
