"""Free requests: the page (method, path, query and header rows, body, access), Send,
Save, and the team's list (thin views over `freeform.services`)."""

from __future__ import annotations

import time
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from console.collections.models import Collection
from console.core.http import chosen_access, go, production_name, remember_access
from console.explorer.services import CallOutcome
from console.explorer.timing import TimingSplit
from console.freeform import services
from console.freeform.models import FreeRequest
from console.teams.models import Role
from console.teams.scoping import TeamScope, team_view
from console.vault.models import ApplicationAccess
from console.vault.services import usable_accesses

BLANK_ROWS = 2  # empty rows under the filled ones, for adding without JavaScript
TEMPLATE = "freeform/request.html"


def _rows(data: Any, prefix: str) -> list[dict[str, Any]]:
    """Query or header rows as the page posts them (``query-0-name``, ``-value``,
    ``-enabled``); a row is enabled when its box is ticked."""
    rows = []
    for index in range(services.MAX_ROWS + BLANK_ROWS):
        name = data.get(f"{prefix}-{index}-name")
        if name is None:
            continue
        rows.append(
            {
                "name": name,
                "value": data.get(f"{prefix}-{index}-value", ""),
                "enabled": data.get(f"{prefix}-{index}-enabled") == "1",
            }
        )
    return rows


def _posted(data: Any) -> dict[str, Any]:
    """What the form holds, as the services take it."""
    return {
        "method": data.get("method", "GET"),
        "path": data.get("path", ""),
        "query": _rows(data, "query"),
        "headers": _rows(data, "header"),
        "body": data.get("body", ""),
        "body_content_type": data.get("body_content_type", ""),
    }


def _shown_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    kept = [r for r in rows if str(r.get("name", "")).strip() or str(r.get("value", "")).strip()]
    return kept + [{"name": "", "value": "", "enabled": True}] * BLANK_ROWS


def _collection(scope: TeamScope, data: Any) -> Collection | None:
    """The collection a new free request is made for (``?collection=``), if any."""
    raw = data.get("collection")
    return scope.get(Collection, pk=raw) if raw else None


def _context(
    request: HttpRequest,
    scope: TeamScope,
    values: dict[str, Any],
    *,
    free: FreeRequest | None = None,
    outcome: CallOutcome | None = None,
    error: str = "",
) -> dict[str, Any]:
    accesses = list(usable_accesses(scope))
    chosen, access = chosen_access(request, scope.team.pk, accesses)
    data = request.POST if request.method == "POST" else request.GET
    return {
        "production_env": production_name(access),
        "free": free,
        "values": values,
        "query_rows": _shown_rows(values["query"]),
        "header_rows": _shown_rows(values["headers"]),
        "methods": services.METHODS,
        "accesses": accesses,
        "chosen_access": chosen,
        "outcome": outcome,
        "error": error,
        "can_edit": free is None or services.can_edit(scope, free),
        "collection": _collection(scope, data),
        "name": data.get("name") or (free.name if free else ""),
        "nav_section": "explorer",
    }


def _values_of(free: FreeRequest) -> dict[str, Any]:
    return {
        "method": free.method,
        "path": free.path,
        "query": list(free.query or []),
        "headers": list(free.headers or []),
        "body": free.body,
        "body_content_type": free.body_content_type,
    }


@team_view(Role.VIEWER)
def free_list(request: HttpRequest, scope: TeamScope) -> HttpResponse:
    """The team's saved free requests."""
    frees = scope.all(FreeRequest).select_related("created_by")
    return render(request, "freeform/list.html", {"frees": frees, "nav_section": "explorer"})


@team_view(Role.VIEWER)
def free_new(request: HttpRequest, scope: TeamScope) -> HttpResponse:
    """An empty free request form (``?collection=`` saves it into that collection)."""
    values = _posted(request.GET)
    values["query"], values["headers"] = [], []
    return render(request, TEMPLATE, _context(request, scope, values))


@team_view(Role.VIEWER)
def free_open(request: HttpRequest, scope: TeamScope, free_id: int) -> HttpResponse:
    """A saved free request, filled in."""
    free = scope.get(FreeRequest, pk=free_id)
    return render(request, TEMPLATE, _context(request, scope, _values_of(free), free=free))


@require_POST
@team_view(Role.MEMBER)
def free_send_view(request: HttpRequest, scope: TeamScope) -> HttpResponse:
    """Send the form with the chosen Application Access; the response panel (htmx) or
    the page with it."""
    started = time.perf_counter()
    values = _posted(request.POST)
    raw = request.POST.get("access")
    access = scope.get(ApplicationAccess, pk=raw, related=("environment",)) if raw else None
    if access is None:
        outcome = CallOutcome(sent=False, error="Choose an Application Access to send with.")
    else:
        outcome = services.free_send(
            scope=scope,
            access=access,
            confirm_production=request.POST.get("confirm_production") == "1",
            confirmed_environment=request.POST.get("confirm_environment"),
            **values,
        )
        remember_access(request, scope.team.pk, access.pk)
    outcome.timing = TimingSplit.since(started, outcome.token_ms, outcome.upstream_ms)
    if request.htmx:
        return render(request, "explorer/operation.html#response", {"outcome": outcome})
    free = None
    if request.POST.get("free"):
        free = scope.get(FreeRequest, pk=request.POST["free"])
    return render(request, TEMPLATE, _context(request, scope, values, free=free, outcome=outcome))


@require_POST
@team_view(Role.MEMBER)
def free_save(request: HttpRequest, scope: TeamScope) -> HttpResponse:
    """Save the form as a new free request (into ``collection`` when given)."""
    from console.collections.services import CollectionError, can_edit, item_add

    values = _posted(request.POST)
    collection = _collection(scope, request.POST)
    try:
        if collection is not None and not can_edit(scope, collection):
            # Checked first: nothing is saved when the step could not be added.
            raise services.FreeRequestError(
                f"Only the member who made “{collection.name}” and admins add steps to it."
            )
        free = services.free_request_create(
            scope=scope, name=request.POST.get("name", ""), **values
        )
    except services.FreeRequestError as exc:
        if request.htmx:
            outcome = CallOutcome(sent=False, error=f"Not saved: {exc}")
            return render(request, "explorer/operation.html#response", {"outcome": outcome})
        context = _context(request, scope, values, error=str(exc))
        return render(request, TEMPLATE, context, status=400)
    messages.success(request, f"Saved “{free.name}”.")
    if collection is not None:
        try:
            item_add(scope=scope, collection=collection, name=free.name, free_request=free)
        except CollectionError as exc:
            messages.error(request, str(exc))
        return go(request, reverse("collections:detail", args=[scope.team.slug, collection.pk]))
    return go(request, reverse("freeform:open", args=[scope.team.slug, free.pk]))


@require_POST
@team_view(Role.MEMBER)
def free_update(request: HttpRequest, scope: TeamScope, free_id: int) -> HttpResponse:
    """Save the form over a saved free request (its author and admins)."""
    free = scope.get(FreeRequest, pk=free_id)
    values = _posted(request.POST)
    name = request.POST.get("name")
    try:
        services.free_request_update(scope=scope, free=free, name=name, **values)
    except services.FreeRequestError as exc:
        if request.htmx:
            outcome = CallOutcome(sent=False, error=f"Not saved: {exc}")
            return render(request, "explorer/operation.html#response", {"outcome": outcome})
        context = _context(request, scope, values, free=free, error=str(exc))
        return render(request, TEMPLATE, context, status=400)
    messages.success(request, f"Saved “{free.name}”.")
    return go(request, reverse("freeform:open", args=[scope.team.slug, free.pk]))


@require_POST
@team_view(Role.MEMBER)
def free_delete(request: HttpRequest, scope: TeamScope, free_id: int) -> HttpResponse:
    """Delete a saved free request (its author and admins)."""
    free = scope.get(FreeRequest, pk=free_id)
    services.free_request_delete(scope=scope, free=free)
    messages.success(request, f"Deleted the free request “{free.name}”.")
    return redirect("freeform:list", team_slug=scope.team.slug)
