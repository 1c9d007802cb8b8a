"""Settings pages for environments and Application Access credentials (thin views)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from console.history.models import AuditEvent, CallRecord
from console.teams.models import Role
from console.teams.scoping import TeamScope, team_view
from console.upstream.errors import UpstreamError
from console.vault import services
from console.vault.forms import AccessForm, EnvironmentForm
from console.vault.models import ApplicationAccess, Environment


def _settings(scope: TeamScope) -> HttpResponse:
    return redirect("teams:settings", team_slug=scope.team.slug)


@team_view(Role.ADMIN)
def environment_edit(
    request: HttpRequest, scope: TeamScope, environment_id: int | None = None
) -> HttpResponse:
    """Create (no id) or edit an environment."""
    instance = scope.get(Environment, pk=environment_id) if environment_id else None
    form = EnvironmentForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            env = services.environment_save(scope=scope, environment=form.save(commit=False))
        except services.VaultError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Environment {env.name} saved.")
            return _settings(scope)
    return render(request, "vault/environment_form.html", {"form": form, "environment": instance})


@require_POST
@team_view(Role.ADMIN)
def environment_delete(request: HttpRequest, scope: TeamScope, environment_id: int) -> HttpResponse:
    """Delete an environment no credential uses."""
    env = scope.get(Environment, pk=environment_id)
    try:
        services.environment_delete(scope=scope, environment=env)
    except services.VaultError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Environment {env.name} deleted.")
    return _settings(scope)


@team_view(Role.ADMIN)
def access_edit(
    request: HttpRequest, scope: TeamScope, access_id: int | None = None
) -> HttpResponse:
    """Create (no id) or edit an Application Access. The secret is never rendered."""
    instance = scope.get(ApplicationAccess, pk=access_id) if access_id else None
    form = AccessForm(request.POST or None, environments=scope.all(Environment), instance=instance)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if instance is None:
                access = services.access_create(scope=scope, **data)
            else:
                access = services.access_update(scope=scope, access=instance, **data)
        except services.VaultError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Application Access {access.name} saved.")
            return redirect("vault:access", team_slug=scope.team.slug, access_id=access.pk)
    return render(request, "vault/access_form.html", {"form": form, "access": instance})


@team_view(Role.VIEWER)
def access_detail(request: HttpRequest, scope: TeamScope, access_id: int) -> HttpResponse:
    """One Application Access: what it is, never its secret, and its recent calls."""
    access = scope.get(ApplicationAccess, pk=access_id, related=("environment", "created_by"))
    return render(
        request, "vault/access_detail.html", {"access": access, **_activity(scope, access)}
    )


def _activity(scope: TeamScope, access: ApplicationAccess) -> dict[str, object]:
    """The access's recent calls and credential events."""
    return {
        "recent": scope.all(CallRecord).filter(access_id=access.pk)[:10],
        "events": scope.all(AuditEvent).filter(access_id=access.pk)[:10],
    }


@require_POST
@team_view(Role.ADMIN)
def access_delete(request: HttpRequest, scope: TeamScope, access_id: int) -> HttpResponse:
    """Delete an Application Access; its history stays readable."""
    access = scope.get(ApplicationAccess, pk=access_id)
    services.access_delete(scope=scope, access=access)
    messages.success(request, f"Application Access {access.name} deleted.")
    return _settings(scope)


@require_POST
@team_view(Role.ADMIN)
def access_enable(request: HttpRequest, scope: TeamScope, access_id: int) -> HttpResponse:
    """Enable (`enabled=1`) or disable (`enabled=0`) an Application Access."""
    access = scope.get(ApplicationAccess, pk=access_id)
    enabled = request.POST.get("enabled") == "1"
    services.access_set_enabled(scope=scope, access=access, enabled=enabled)
    messages.success(request, f"{access.name} is {'enabled' if enabled else 'disabled'}.")
    return redirect("vault:access", team_slug=scope.team.slug, access_id=access.pk)


@require_POST
@team_view(Role.MEMBER)
def access_test(request: HttpRequest, scope: TeamScope, access_id: int) -> HttpResponse:
    """Get or reuse a token and show what it grants (htmx partial or full page)."""
    access = scope.get(ApplicationAccess, pk=access_id)
    context: dict[str, object] = {"access": access}
    refusal = services.access_refusal(scope, access)
    try:
        if refusal:
            raise services.VaultError(refusal)
        context["check"] = services.access_test(scope=scope, access=access)
    except (UpstreamError, services.VaultError) as exc:
        context["error"] = getattr(exc, "message", str(exc))
    template = "vault/access_detail.html"
    if request.htmx:
        template += "#connection"
    else:
        context.update(_activity(scope, access))
    return render(request, template, context)
