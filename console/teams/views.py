"""Team settings: members and roles, rename, and the team switcher."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from console.specs.models import Spec
from console.teams import services
from console.teams.forms import AddMemberForm, ChangeRoleForm, RenameTeamForm
from console.teams.models import Membership, Role
from console.teams.scoping import TeamScope, membership_for, team_view
from console.vault.models import ApplicationAccess, Environment


@require_GET
@login_required
def switch(request: HttpRequest) -> HttpResponse:
    """Go to another of the user's teams (the switcher's form posts here)."""
    membership = membership_for(request.user, request.GET.get("team", ""))
    return redirect("explorer:index", team_slug=membership.team.slug)


@team_view(Role.VIEWER)
def settings_page(request: HttpRequest, scope: TeamScope) -> HttpResponse:
    """The team's settings hub: members, environments, credentials, specs."""
    context = {
        "members": scope.all(Membership).select_related("user").order_by("user__username"),
        "environments": scope.all(Environment),
        "accesses": scope.all(ApplicationAccess).select_related("environment"),
        "specs": scope.all(Spec),
        "add_form": AddMemberForm(),
        "rename_form": RenameTeamForm(initial={"name": scope.team.name}),
        "roles": Role.choices,
    }
    return render(request, "teams/settings.html", context)


def _back(scope: TeamScope) -> HttpResponse:
    return redirect("teams:settings", team_slug=scope.team.slug)


@require_POST
@team_view(Role.ADMIN)
def member_add(request: HttpRequest, scope: TeamScope) -> HttpResponse:
    """Add a member (admins and owners)."""
    form = AddMemberForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a user name and a role.")
        return _back(scope)
    try:
        added = services.membership_add(scope=scope, **form.cleaned_data)
    except services.TeamRuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{added.user.username} joined as {added.get_role_display()}.")
    return _back(scope)


@require_POST
@team_view(Role.ADMIN)
def member_role(request: HttpRequest, scope: TeamScope, membership_id: int) -> HttpResponse:
    """Change a member's role (admins and owners)."""
    form = ChangeRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a role.")
        return _back(scope)
    try:
        changed = services.membership_change_role(
            scope=scope, membership_id=membership_id, role=form.cleaned_data["role"]
        )
    except services.TeamRuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{changed.user.username} is now {changed.get_role_display()}.")
    return _back(scope)


@require_POST
@team_view(Role.ADMIN)
def member_remove(request: HttpRequest, scope: TeamScope, membership_id: int) -> HttpResponse:
    """Remove a member (admins and owners)."""
    try:
        services.membership_remove(scope=scope, membership_id=membership_id)
    except services.TeamRuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Member removed.")
    if membership_id == scope.membership.pk:
        return redirect("home")
    return _back(scope)


@require_POST
@team_view(Role.OWNER)
def rename(request: HttpRequest, scope: TeamScope) -> HttpResponse:
    """Rename the team (owners)."""
    form = RenameTeamForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the team a name of at most 100 characters.")
        return _back(scope)
    try:
        services.team_rename(scope=scope, name=form.cleaned_data["name"])
    except services.TeamRuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Team renamed.")
    return _back(scope)
