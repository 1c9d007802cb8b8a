"""The explorer: specs and their operations, the operation form, and Send (thin views)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_POST

from console.core.http import chosen_access, production_name, remember_access
from console.explorer import services, sidebar
from console.explorer.selectors import send_targets, team_specs
from console.explorer.timing import TimingSplit
from console.saved.selectors import for_operation as saved_for_operation
from console.specs.engine.fields import FieldSpec
from console.specs.models import Operation, Spec, SpecVersion
from console.teams.models import Role
from console.teams.scoping import TeamScope, team_view
from console.vault.models import ApplicationAccess
from console.vault.services import usable_accesses


@team_view(Role.VIEWER)
def explorer_index(request: HttpRequest, scope: TeamScope) -> HttpResponse:
    """Open the first spec, or say how to import one."""
    specs = team_specs(scope)
    if specs:
        return redirect("explorer:spec", team_slug=scope.team.slug, spec_id=specs[0].pk)
    return render(request, "explorer/index.html", {"specs": specs})


@team_view(Role.VIEWER)
def explorer_spec(request: HttpRequest, scope: TeamScope, spec_id: int) -> HttpResponse:
    """A spec's operations grouped by tag (``?tag=`` opens a collapsed group); htmx
    search requests get only the list."""
    spec = scope.get(Spec, pk=spec_id)
    query = request.GET.get("q", "").strip()[:200]
    if request.htmx and request.htmx.target == "operation-list":
        context = sidebar.sidebar_context(scope, spec, query, sidebar.searched_from(scope, request))
        return render(request, "explorer/sidebar.html#operation-list", context)
    context = sidebar.sidebar_context(scope, spec, query, tag=request.GET.get("tag", ""))
    return render(request, "explorer/spec.html", context)


@team_view(Role.VIEWER)
def operation_group(
    request: HttpRequest, scope: TeamScope, version_id: int, number: int
) -> HttpResponse:
    """One tag group's operations, as opening a collapsed group in the sidebar loads them."""
    version = get_object_or_404(scope.all(SpecVersion).defer("document"), pk=version_id)
    groups = sidebar.tag_groups(version.pk, version.imported_at, scope.team.slug)
    if number >= len(groups):
        raise Http404("No such group.")
    return HttpResponse(groups[number].items)


@dataclass(frozen=True)
class FieldRow:
    """One spec field with what the form currently holds and its error, if any."""

    spec: FieldSpec
    value: Any
    error: str


LOCATIONS = [
    ("path", "Path parameters"),
    ("query", "Query parameters"),
    ("header", "Headers"),
    ("cookie", "Cookies"),
]


def _shown_value(spec: FieldSpec, posted: Any) -> Any:
    """A field's posted value as its control shows it: a multi-select takes the list; a
    text box for several values (``a, b``) one text, as `spec.initial` has it."""
    if not spec.multiple:
        return posted[spec.html_name]
    values = posted.getlist(spec.html_name)
    if spec.widget == "select":
        return values
    if len(values) == 1:
        return values[0]
    if any("," in v for v in values):
        return json.dumps(values, ensure_ascii=False)  # read back as a JSON list
    return ", ".join(values)


def _field_groups(
    fields: list[FieldSpec], posted: Any, errors: dict[str, str]
) -> list[tuple[str, list[FieldRow]]]:
    """Fields grouped by where they go, each with its current value and error."""
    groups = []
    for location, title in LOCATIONS:
        rows = []
        for spec in fields:
            if spec.location != location:
                continue
            if posted is not None and spec.html_name in posted:
                value = _shown_value(spec, posted)
            else:
                value = spec.initial
            rows.append(FieldRow(spec, value, errors.get(spec.html_name, "")))
        if rows:
            groups.append((title, rows))
    return groups


def _body_rows(fields: list[FieldSpec], posted: Any, errors: dict[str, str]) -> list[FieldRow]:
    """The body form's fields (flat JSON, urlencoded, multipart) with values and errors."""
    rows = []
    for spec in fields:
        if posted is not None and spec.html_name in posted and spec.widget != "file":
            value = _shown_value(spec, posted)
        else:
            value = spec.initial
        rows.append(FieldRow(spec, value, errors.get(spec.html_name, "")))
    return rows


def _body_errors(fields: list[FieldSpec], errors: dict[str, str]) -> list[str]:
    """Body messages no body field shows beside itself (shown beside the editor or form)."""
    shown = {spec.html_name for spec in fields}
    return [
        message
        for key, message in errors.items()
        if (key == "body" or key.startswith("body:")) and key not in shown
    ]


def _operation_context(
    request: HttpRequest,
    scope: TeamScope,
    operation: Operation,
    errors: dict[str, str] | None = None,
    *,
    prefill: Any = None,
) -> dict[str, object]:
    """The operation page's context. Field values come from the posted form, else from
    `prefill` (a saved request or a replayed call, as `reopen.FormState.as_data`), else
    from the spec's defaults and examples."""
    data = request.POST if request.method == "POST" else request.GET
    if prefill is not None and request.method != "POST":
        data = prefill
    form = services.operation_open(
        scope=scope, operation=operation, choice=services.body_choice(data)
    )
    # The spec by its version's id: `operation.version` would load the whole document.
    spec = scope.get(Spec, versions=operation.version_id)
    query = request.GET.get("q", "").strip()[:200]
    context = sidebar.sidebar_context(scope, spec, query, operation)
    accesses = list(usable_accesses(scope))
    chosen, access = chosen_access(request, scope.team.pk, accesses, data)
    posted = request.POST if request.method == "POST" else prefill
    context.update(
        operation=operation,
        form=form,
        accesses=accesses,
        chosen_access=chosen,
        # Named in the form's production banner before Send (workbench.js follows the picker).
        production_env=production_name(access),
        scope_check=services.scope_check(form.resolved, access),
        field_groups=_field_groups(form.fields, posted, errors or {}),
        body_rows=_body_rows(form.body_fields, posted, errors or {}),
        body_errors=_body_errors(form.body_fields, errors or {}),
        body=(posted if posted is not None else {}).get("body", form.body_example),
        # The "Saved requests" card, read only when the page shows it (not for parts).
        saved_requests=SimpleLazyObject(lambda: saved_for_operation(scope, spec, operation)),
    )
    return context


@team_view(Role.VIEWER)
def operation_page(request: HttpRequest, scope: TeamScope, operation_id: int) -> HttpResponse:
    """The operation's documentation and its form.

    htmx requests for a part get only that part: the body editor (another variant or
    view) or the scope badges (another Application Access).
    """
    operation = scope.get(Operation, pk=operation_id)
    template = "explorer/operation.html"
    if request.htmx and request.htmx.target in ("body-input", "op-scopes"):
        template += "#" + request.htmx.target
    return render(request, template, _operation_context(request, scope, operation))


def _send_answer(
    request: HttpRequest,
    scope: TeamScope,
    operation: Operation,
    outcome: services.CallOutcome,
    started: float,
    access: ApplicationAccess | None = None,
) -> HttpResponse:
    """The response panel (htmx) or the whole page, with the call's Server-Timing split.

    The panel shows the split as measured just before it is rendered; the header,
    set last, also counts the rendering. When the Send fetched a token, the htmx answer
    also carries the scope hint again (out of band): it now knows the token's scopes.
    """
    outcome.timing = TimingSplit.since(started, outcome.token_ms, outcome.upstream_ms)
    if request.htmx:
        response = render(request, "explorer/operation.html#response", {"outcome": outcome})
        if access is not None and outcome.token_source == "fetched":  # noqa: S105 - a state
            response.write(_scope_hint_oob(request, scope, operation, access))
    else:
        context = _operation_context(request, scope, operation, outcome.field_errors)
        context["outcome"] = outcome
        response = render(request, "explorer/operation.html", context)
    timing = TimingSplit.since(started, outcome.token_ms, outcome.upstream_ms)
    response["Server-Timing"] = timing.header()
    return response


def _scope_hint_oob(
    request: HttpRequest, scope: TeamScope, operation: Operation, access: ApplicationAccess
) -> str:
    """The operation page's scope hint for `access`, marked to replace the page's own."""
    resolved = services.operation_open(scope=scope, operation=operation).resolved
    context = {"scope_check": services.scope_check(resolved, access), "scope_hint_oob": True}
    return render_to_string("explorer/operation.html#op-scopes", context, request)


@require_POST
@team_view(Role.MEMBER)
def operation_send(request: HttpRequest, scope: TeamScope, operation_id: int) -> HttpResponse:
    """Run the operation with the chosen Application Access and show the response panel."""
    started = time.perf_counter()
    operation, access = send_targets(scope, operation_id, request.POST.get("access"))
    if access is None:
        outcome = services.CallOutcome(
            sent=False, error="Choose an Application Access to send with."
        )
        return _send_answer(request, scope, operation, outcome, started)
    outcome = services.run_operation(
        scope=scope,
        access=access,
        operation=operation,
        values=request.POST,
        body=request.POST.get("body", ""),
        files=request.FILES,
        force=request.POST.get("force") == "1",
        confirm_production=request.POST.get("confirm_production") == "1",
        confirmed_environment=request.POST.get("confirm_environment"),
    )
    remember_access(request, scope.team.pk, access.pk)  # writes only when it changed
    return _send_answer(request, scope, operation, outcome, started, access)
