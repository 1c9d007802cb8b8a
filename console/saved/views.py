"""Saved requests: the team's list, saving the operation form, opening one, changes.

Saving takes two steps so that no key press in the operation form can save (or send)
by accident: "Save as…" posts the form here and gets a name prompt holding the values;
the prompt's Save stores them. With htmx both answers replace the operation page's
"Saved requests" card in place; without JavaScript the prompt is a page of its own.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from console.explorer import services as explorer
from console.explorer.reopen import FormState, capture
from console.explorer.views import _operation_context
from console.history.redaction import redact_form_values
from console.saved import services
from console.saved.models import SavedRequest
from console.saved.selectors import SavedItem, for_operation, saved_items
from console.specs.models import Operation, Spec
from console.teams.models import Role
from console.teams.scoping import TeamScope, team_view

SECTION_BODY = "saved/section.html#saved-body"


def _item(scope: TeamScope, saved_id: int) -> SavedItem:
    saved = scope.get(SavedRequest, pk=saved_id)
    return saved_items(scope, SavedRequest.objects.filter(pk=saved.pk))[0]


def _section(
    request: HttpRequest, scope: TeamScope, operation: Operation, **extra: Any
) -> dict[str, Any]:
    """What the operation page's "Saved requests" card shows."""
    spec = scope.get(Spec, versions=operation.version_id)
    return {
        "operation": operation,
        "saved_requests": for_operation(scope, spec, operation),
        **extra,
    }


@team_view(Role.VIEWER)
def saved_list(request: HttpRequest, scope: TeamScope) -> HttpResponse:
    """Every saved request of the team, marked when its operation changed or went."""
    query = request.GET.get("q", "").strip()[:200]
    items = saved_items(scope)
    if query:
        words = query.lower().split()
        items = [
            i
            for i in items
            if all(
                w in f"{i.saved.name} {i.saved.label} {i.saved.path} {i.saved.spec.name}".lower()
                for w in words
            )
        ]
    return render(
        request, "saved/list.html", {"items": items, "query": query, "nav_section": "explorer"}
    )


def _prompt_state(scope: TeamScope, operation: Operation, data: Any) -> FormState:
    """The form state posted by the operation form (step 1)."""
    form = explorer.operation_open(
        scope=scope, operation=operation, choice=explorer.body_choice(data)
    )
    return capture(form, data)


def _carried_state(scope: TeamScope, operation: Operation, text: str) -> FormState:
    """The form state carried by the name prompt (step 2), kept to the form's own fields."""
    try:
        carried = json.loads(text or "{}")
    except ValueError:
        carried = {}
    carried = carried if isinstance(carried, dict) else {}
    body = carried.get("body")
    state = FormState.from_options(carried, body=body if isinstance(body, str) else None)
    form = explorer.operation_open(scope=scope, operation=operation, choice=state.choice)
    kept = capture(form, state.as_data())
    return kept if state.body is not None else replace(kept, body=None)


def _state_json(state: FormState) -> str:
    return json.dumps({**state.options(), "body": state.body}, ensure_ascii=False)


@require_POST
@team_view(Role.MEMBER)
def saved_new(request: HttpRequest, scope: TeamScope, operation_id: int) -> HttpResponse:
    """Step 1 (the operation form posted): ask for a name. Step 2 (a name): save."""
    operation = scope.get(Operation, pk=operation_id)
    if "state" not in request.POST:
        state = _prompt_state(scope, operation, request.POST)
        error = ""
        name = operation.label
    else:
        state = _carried_state(scope, operation, request.POST["state"])
        name = request.POST.get("name", "")
        try:
            saved = services.saved_create(scope=scope, operation=operation, name=name, state=state)
        except services.SavedRequestError as exc:
            error = str(exc)
        else:
            message = f"Saved “{saved.name}”."
            if request.htmx:
                context = _section(request, scope, operation, message=message)
                return render(request, SECTION_BODY, context)
            messages.success(request, message)
            return redirect("saved:open", team_slug=scope.team.slug, saved_id=saved.pk)
    prompt = {
        "state_json": _state_json(state),
        "name": name,
        "error": error,
        "redacted": redact_form_values(state.values) != state.values,
    }
    if request.htmx:
        return render(request, SECTION_BODY, _section(request, scope, operation, prompt=prompt))
    return render(
        request,
        "saved/new.html",
        {"operation": operation, "prompt": prompt, "nav_section": "explorer"},
    )


@team_view(Role.VIEWER)
def saved_open(request: HttpRequest, scope: TeamScope, saved_id: int) -> HttpResponse:
    """The operation page, filled in with the saved values (the newest version's operation)."""
    item = _item(scope, saved_id)
    target = item.state.target
    if target is None:
        raise Http404("The operation of this saved request is gone.")
    state = services.state_of(item.saved)
    context = _operation_context(request, scope, target, prefill=state.as_data())
    context.update(
        prefill_notice="saved/notice.html",
        saved_item=item,
        redacted=state.redacted_fields(),
        nav_section="explorer",
    )
    return render(request, "explorer/operation.html", context)


@require_POST
@team_view(Role.MEMBER)
def saved_update(request: HttpRequest, scope: TeamScope, saved_id: int) -> HttpResponse:
    """Save the operation form (as opened from this saved request) over its values."""
    item = _item(scope, saved_id)
    target = item.state.target
    if target is None:
        raise Http404("The operation of this saved request is gone.")
    state = _prompt_state(scope, target, request.POST)
    saved = services.saved_update(scope=scope, saved=item.saved, operation=target, state=state)
    message = f"Saved the form as “{saved.name}”."
    if request.htmx:
        item = _item(scope, saved.pk)
        context = _section(
            request,
            scope,
            target,
            message=message,
            saved_item=item,
            redacted=services.state_of(saved).redacted_fields(),
            notice_oob=True,
        )
        return render(request, "saved/updated.html", context)
    messages.success(request, message)
    return redirect("saved:open", team_slug=scope.team.slug, saved_id=saved.pk)


@require_POST
@team_view(Role.MEMBER)
def saved_rename(request: HttpRequest, scope: TeamScope, saved_id: int) -> HttpResponse:
    """Rename a saved request."""
    saved = scope.get(SavedRequest, pk=saved_id)
    try:
        services.saved_rename(scope=scope, saved=saved, name=request.POST.get("name", ""))
    except services.SavedRequestError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Renamed to “{saved.name}”.")
    return redirect("saved:open", team_slug=scope.team.slug, saved_id=saved.pk)


@require_POST
@team_view(Role.MEMBER)
def saved_delete(request: HttpRequest, scope: TeamScope, saved_id: int) -> HttpResponse:
    """Delete a saved request."""
    saved = scope.get(SavedRequest, pk=saved_id)
    services.saved_delete(scope=scope, saved=saved)
    messages.success(request, f"Deleted the saved request “{saved.name}”.")
    return redirect("saved:list", team_slug=scope.team.slug)
