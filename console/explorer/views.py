"""The explorer: specs and their operations, the operation form, and Send (thin views)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from console.explorer import services
from console.explorer.selectors import operation_groups, team_specs
from console.specs.engine.fields import FieldSpec
from console.specs.models import Operation, Spec
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


def _sidebar(scope: TeamScope, spec: Spec, query: str) -> dict[str, object]:
    version = spec.latest_version()
    return {
        "spec": spec,
        "version": version,
        "specs": team_specs(scope),
        "groups": operation_groups(version, query) if version else [],
        "query": query,
    }


@team_view(Role.VIEWER)
def explorer_spec(request: HttpRequest, scope: TeamScope, spec_id: int) -> HttpResponse:
    """A spec's operations grouped by tag; htmx search requests get only the list."""
    spec = scope.get(Spec, pk=spec_id)
    context = _sidebar(scope, spec, request.GET.get("q", "").strip()[:200])
    if request.htmx and request.htmx.target == "operation-list":
        return render(request, "explorer/sidebar.html#operation-list", context)
    return render(request, "explorer/spec.html", context)


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
                value = posted.getlist(spec.html_name) if spec.multiple else posted[spec.html_name]
            else:
                value = spec.initial
            rows.append(FieldRow(spec, value, errors.get(spec.html_name, "")))
        if rows:
            groups.append((title, rows))
    return groups


def _operation_context(
    request: HttpRequest,
    scope: TeamScope,
    operation: Operation,
    errors: dict[str, str] | None = None,
) -> dict[str, object]:
    form = services.operation_open(scope=scope, operation=operation)
    context = _sidebar(scope, operation.version.spec, request.GET.get("q", "").strip()[:200])
    accesses = list(usable_accesses(scope))
    chosen = request.POST.get("access") or request.session.get(f"access:{scope.team.pk}")
    context.update(
        operation=operation,
        form=form,
        accesses=accesses,
        chosen_access=str(chosen or (accesses[0].pk if accesses else "")),
        field_groups=_field_groups(
            form.fields, request.POST if request.method == "POST" else None, errors or {}
        ),
        body=request.POST.get("body", form.body_example),
    )
    return context


@team_view(Role.VIEWER)
def operation_page(request: HttpRequest, scope: TeamScope, operation_id: int) -> HttpResponse:
    """The operation's documentation and its form."""
    operation = scope.get(Operation, pk=operation_id)
    return render(request, "explorer/operation.html", _operation_context(request, scope, operation))


@require_POST
@team_view(Role.MEMBER)
def operation_send(request: HttpRequest, scope: TeamScope, operation_id: int) -> HttpResponse:
    """Run the operation with the chosen Application Access and show the response panel."""
    operation = scope.get(Operation, pk=operation_id)
    if not request.POST.get("access"):
        outcome = services.CallOutcome(
            sent=False, error="Choose an Application Access to send with."
        )
        if request.htmx:
            return render(request, "explorer/operation.html#response", {"outcome": outcome})
        context = _operation_context(request, scope, operation)
        context["outcome"] = outcome
        return render(request, "explorer/operation.html", context)
    access = scope.get(ApplicationAccess, pk=request.POST.get("access"))
    outcome = services.run_operation(
        scope=scope,
        access=access,
        operation=operation,
        values=request.POST,
        body=request.POST.get("body", ""),
    )
    request.session[f"access:{scope.team.pk}"] = access.pk
    if request.htmx:
        return render(request, "explorer/operation.html#response", {"outcome": outcome})
    context = _operation_context(request, scope, operation, outcome.field_errors)
    context["outcome"] = outcome
    return render(request, "explorer/operation.html", context)
