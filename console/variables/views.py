"""The team's variables page, setting a variable from a response, and the preview of a
call with its variables resolved."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from console.explorer import services as explorer
from console.explorer.selectors import send_targets
from console.history.models import CallRecord
from console.teams.models import Role
from console.teams.scoping import TeamScope, team_view
from console.variables import services
from console.variables.forms import EVERY_ENVIRONMENT, FromResponseForm, VariableForm
from console.variables.models import Variable
from console.vault.models import Environment


@dataclass
class Group:
    """The variables of one environment (or the team-wide ones) on the page."""

    title: str
    environment: Environment | None
    rows: list[Variable] = field(default_factory=list)


def _groups(scope: TeamScope, environments: list[Environment]) -> list[Group]:
    team_wide = Group("Every environment", None)
    by_env = {env.pk: Group(env.name, env) for env in environments}
    for variable in scope.all(Variable).select_related("updated_by"):
        group = by_env.get(variable.environment_id) if variable.environment_id else team_wide
        if group is not None:
            group.rows.append(variable)
    return [team_wide, *by_env.values()]


def _environment(scope: TeamScope, value: str) -> Environment | None:
    return scope.get(Environment, pk=value) if value and value != EVERY_ENVIRONMENT else None


def _form(scope: TeamScope, data: Any = None, **kwargs: Any) -> VariableForm:
    return VariableForm(
        data,
        environments=scope.all(Environment),
        can_secret=services.can_manage(scope, secret=True),
        **kwargs,
    )


@team_view(Role.VIEWER)
def variable_list(request: HttpRequest, scope: TeamScope) -> HttpResponse:
    """Every variable of the team by environment; members add one here (POST)."""
    form = _form(scope, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        scope.require(Role.MEMBER)
        if form.is_valid():
            data = form.cleaned_data
            try:
                variable = services.variable_set(
                    scope=scope,
                    name=data["name"],
                    value=data["value"],
                    environment=_environment(scope, data["environment"]),
                    secret=bool(data.get("is_secret")),
                )
            except services.VariableError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"Variable {variable.name} saved.")
                return redirect("variables:list", team_slug=scope.team.slug)
    environments = list(scope.all(Environment))
    context = {
        "groups": _groups(scope, environments),
        "form": form,
        "can_edit": scope.membership.can_send,
        "can_secret": services.can_manage(scope, secret=True),
        "nav_section": "settings",
    }
    return render(request, "variables/list.html", context)


@team_view(Role.MEMBER)
def variable_edit(request: HttpRequest, scope: TeamScope, variable_id: int) -> HttpResponse:
    """Change a variable. A secret's value is never shown; a blank value keeps it."""
    variable = scope.get(Variable, pk=variable_id)
    if variable.is_secret:
        scope.require(Role.ADMIN)
    initial = {
        "name": variable.name,
        "environment": str(variable.environment_id or EVERY_ENVIRONMENT),
        "value": "" if variable.is_secret else variable.value,
        "is_secret": variable.is_secret,
    }
    data = request.POST if request.method == "POST" else None
    form = _form(scope, data, initial=initial, editing_secret=variable.is_secret)
    if request.method == "POST" and form.is_valid():
        cleaned = form.cleaned_data
        try:
            services.variable_update(
                scope=scope,
                variable=variable,
                name=cleaned["name"],
                value=cleaned["value"],
                environment=_environment(scope, cleaned["environment"]),
                secret=bool(cleaned.get("is_secret")),
            )
        except services.VariableError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Variable {variable.name} saved.")
            return redirect("variables:list", team_slug=scope.team.slug)
    context = {"form": form, "variable": variable, "nav_section": "settings"}
    return render(request, "variables/edit.html", context)


@require_POST
@team_view(Role.MEMBER)
def variable_delete(request: HttpRequest, scope: TeamScope, variable_id: int) -> HttpResponse:
    """Delete a variable (admins only for a secret one)."""
    variable = scope.get(Variable, pk=variable_id)
    services.variable_delete(scope=scope, variable=variable)
    messages.success(request, f"Variable {variable.name} deleted.")
    return redirect("variables:list", team_slug=scope.team.slug)


@require_POST
@team_view(Role.MEMBER)
def from_response(request: HttpRequest, scope: TeamScope) -> HttpResponse:
    """Save a value of a recorded response into a variable: the record's id and a JSON
    Pointer are posted, the value is read from the history, never from the browser."""
    form = FromResponseForm(request.POST)
    saved: Variable | None = None
    error = ""
    record = None
    if form.is_valid():
        data = form.cleaned_data
        record = scope.get(CallRecord, pk=data["record"])
        environment = None
        if data["scope"] == "call":
            environment = services.record_environment(scope, record)
            if environment is None:
                error = "This call's environment no longer exists: save it for every environment."
        if not error:
            try:
                saved = services.set_from_response(
                    scope=scope,
                    record=record,
                    pointer=data["pointer"],
                    name=data["name"],
                    environment=environment,
                )
            except services.VariableError as exc:
                error = str(exc)
    else:
        error = " ".join(str(m) for errors in form.errors.values() for m in errors)
    if request.htmx:
        status = 200 if saved else 400
        context = {"saved": saved, "error": error}
        return render(request, "variables/from_response.html#result", context, status=status)
    if saved:
        messages.success(request, f"Variable {saved.name} saved from the response.")
    else:
        messages.error(request, error)
    if record is not None:
        return redirect("history:detail", team_slug=scope.team.slug, record_id=record.pk)
    return redirect("variables:list", team_slug=scope.team.slug)


@dataclass(frozen=True)
class Used:
    """A variable the previewed form refers to, as the preview shows it."""

    name: str
    shown: str
    secret: bool
    known: bool


@require_POST
@team_view(Role.MEMBER)
def preview(request: HttpRequest, scope: TeamScope, operation_id: int) -> HttpResponse:
    """The operation form's call as Send would make it, variables resolved (secret ones
    shown as ``[secret]``); nothing is sent and no token fetched."""
    operation, access = send_targets(scope, operation_id, request.POST.get("access"))
    environment = access.environment if access is not None else None
    vset = services.variables_for(scope, environment)
    form = explorer.operation_open(
        scope=scope, operation=operation, choice=explorer.body_choice(request.POST)
    )
    body = request.POST.get("body", "")
    result = explorer.preview_call(form, access, request.POST, body, vset=vset)
    names: dict[str, None] = {}
    for key, values in request.POST.lists():
        if key != "csrfmiddlewaretoken":
            for value in values:
                names.update(dict.fromkeys(services.placeholders(value)))
    names.update(dict.fromkeys(services.placeholders(body)))
    used = [
        Used(
            name,
            "[secret]" if name in vset.secret_names else vset.values.get(name, ""),
            name in vset.secret_names,
            name in vset.values,
        )
        for name in names
    ]
    context = {
        "preview": result,
        "used": used,
        "environment": environment,
        "operation": operation,
        "nav_section": "explorer",
    }
    template = "variables/preview.html" + ("#preview" if request.htmx else "")
    return render(request, template, context)
