"""Team settings: members and roles, rename, and the team switcher."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from console.accounts.throttle import locked_usernames
from console.core.mail import mail_configured
from console.invitations.forms import InviteForm
from console.invitations.models import Invitation
from console.invitations.services import invitations_expire_due
from console.specs.models import Spec
from console.sso.models import SsoIdentity
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


INVITATIONS_SHOWN = 50


def _members(scope: TeamScope) -> list[Membership]:
    """The members, each with their sign-in's state: locked out (until when), two-factor
    on, single sign-on linked."""
    members = list(scope.all(Membership).select_related("user").order_by("user__username"))
    user_ids = [m.user_id for m in members]
    locked = locked_usernames([m.user.get_username() for m in members])
    with_app = set(
        TOTPDevice.objects.filter(user_id__in=user_ids, confirmed=True).values_list(
            "user_id", flat=True
        )
    )
    with_sso = set(
        SsoIdentity.objects.filter(user_id__in=user_ids).values_list("user_id", flat=True)
    )
    for m in members:
        m.locked_until = locked.get(m.user.get_username())
        m.two_factor = m.user_id in with_app
        m.sso = m.user_id in with_sso
    return members


@team_view(Role.VIEWER)
def settings_page(request: HttpRequest, scope: TeamScope) -> HttpResponse:
    """The team's settings hub: members, invitations, environments, credentials, specs."""
    invitations_expire_due(scope.team)
    context = {
        "members": _members(scope),
        "invitations": scope.all(Invitation)[:INVITATIONS_SHOWN],
        "environments": scope.all(Environment),
        "accesses": scope.all(ApplicationAccess).select_related("environment"),
        "specs": scope.all(Spec).annotate(version_count=Count("versions")),
        "add_form": AddMemberForm(),
        "invite_form": InviteForm(),
        "rename_form": RenameTeamForm(initial={"name": scope.team.name}),
        "roles": Role.choices,
        "invite_roles": Role.choices
        if scope.membership.has_role(Role.OWNER)
        else [c for c in Role.choices if c[0] != Role.OWNER],
        "can_mail": mail_configured(),
        "local_passwords": settings.CONSOLE_LOCAL_PASSWORDS,
        "sso": settings.CONSOLE_SSO,
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
        added = services.membership_add(scope=scope, request=request, **form.cleaned_data)
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
            scope=scope,
            membership_id=membership_id,
            role=form.cleaned_data["role"],
            request=request,
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
        services.membership_remove(scope=scope, membership_id=membership_id, request=request)
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
        services.team_rename(scope=scope, name=form.cleaned_data["name"], request=request)
    except services.TeamRuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Team renamed.")
    return _back(scope)


@require_POST
@team_view(Role.OWNER)
def two_factor_rule(request: HttpRequest, scope: TeamScope) -> HttpResponse:
    """Turn "members must use two-factor or single sign-on" on or off (owners)."""
    required = request.POST.get("required") == "1"
    try:
        services.team_require_two_factor(scope=scope, required=required, request=request)
    except services.TeamRuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            "Members now need two-factor or single sign-on to open this team."
            if required
            else "Members can open this team with a password alone again.",
        )
    return _back(scope)
