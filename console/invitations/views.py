"""Invitations: sending and revoking (team settings), and the link's pages for the
invited person (thin views over `services`)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from console.accounts.services import sign_in_complete
from console.accounts.views import sign_in_context
from console.invitations import services
from console.invitations.forms import InviteForm, SignUpForm
from console.invitations.models import Invitation
from console.teams.models import Role
from console.teams.scoping import TeamScope, team_view


def _settings(scope: TeamScope) -> HttpResponse:
    return redirect(reverse("teams:settings", args=[scope.team.slug]) + "#invitations")


@never_cache
@require_POST
@team_view(Role.ADMIN)
def invitation_send(request: HttpRequest, scope: TeamScope) -> HttpResponse:
    """Send an invitation; the page shows its link once, to copy."""
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give an email address and a role.")
        return _settings(scope)
    try:
        sent = services.invitation_send(scope=scope, request=request, **form.cleaned_data)
    except services.InvitationError as exc:
        messages.error(request, str(exc))
        return _settings(scope)
    return render(request, "invitations/sent.html", {"sent": sent})


@require_POST
@team_view(Role.ADMIN)
def invitation_revoke(request: HttpRequest, scope: TeamScope, invitation_id: int) -> HttpResponse:
    """Revoke a pending invitation."""
    try:
        revoked = services.invitation_revoke(
            scope=scope, invitation_id=invitation_id, request=request
        )
    except services.InvitationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"The invitation for {revoked.email} is revoked.")
    return _settings(scope)


# ---------------------------------------------------------------- the invited person


@never_cache
@require_GET
def invitation_open(request: HttpRequest, team_slug: str, token: str) -> HttpResponse:
    """The link itself: swap its token for the session, then show the invitation."""
    invitation = services.invitation_for_link(team_slug, token)
    if invitation is None:
        return render(request, "invitations/invalid.html", status=404)
    services.invitation_open(request, invitation)
    return redirect("join:invitation")


def _page(request: HttpRequest, invitation: Invitation, **context: object) -> HttpResponse:
    refusal = services.state_message(invitation)
    membership = None
    if request.user.is_authenticated:
        membership = invitation.team.memberships.filter(user=request.user).first()
    next_url = reverse("join:invitation")
    context = {
        "invitation": invitation,
        "refusal": refusal,
        "membership": membership,
        "form": context.pop("form", None) or SignUpForm(email=invitation.email),
        "login_url": reverse("login") + "?next=" + next_url,
        **sign_in_context(request, next_url),
        **context,
    }
    return render(request, "invitations/invitation.html", context)


@never_cache
@require_GET
def invitation_page(request: HttpRequest) -> HttpResponse:
    """The opened invitation: join (signed in), or make an account or sign in first."""
    invitation = services.invitation_in_session(request)
    if invitation is None:
        return render(request, "invitations/invalid.html", status=404)
    return _page(request, invitation)


@require_POST
def invitation_switch_account(request: HttpRequest) -> HttpResponse:
    """ "Not you?": sign out, keeping the opened invitation, to join with another account."""
    invitation = services.invitation_in_session(request)
    logout(request)
    if invitation is not None:
        request.session[services.SESSION_KEY] = invitation.pk
    return redirect("join:invitation")


@require_POST
def invitation_accept(request: HttpRequest) -> HttpResponse:
    """Join the team as the signed-in person."""
    invitation = services.invitation_in_session(request)
    if invitation is None:
        return render(request, "invitations/invalid.html", status=404)
    if not request.user.is_authenticated:
        return redirect("join:invitation")
    try:
        acceptance = services.invitation_accept(
            invitation_id=invitation.pk, user=request.user, request=request
        )
    except services.InvitationError:
        return _page(request, invitation)
    return _landed(request, acceptance)


@require_POST
def invitation_sign_up(request: HttpRequest) -> HttpResponse:
    """Make an account with the invitation, join, and sign in."""
    invitation = services.invitation_in_session(request)
    if invitation is None:
        return render(request, "invitations/invalid.html", status=404)
    if request.user.is_authenticated or not settings.CONSOLE_LOCAL_PASSWORDS:
        return redirect("join:invitation")
    form = SignUpForm(request.POST, email=invitation.email)
    if not form.is_valid():
        return _page(request, invitation, form=form)
    try:
        user, acceptance = services.invitation_sign_up(
            invitation_id=invitation.pk,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password1"],
            name=form.cleaned_data.get("name", ""),
            request=request,
        )
    except services.InvitationError:
        return _page(request, invitation, form=form)
    sign_in_complete(request=request, user=user, method="password")
    return _landed(request, acceptance)


def _landed(request: HttpRequest, acceptance: services.Acceptance) -> HttpResponse:
    request.session.pop(services.SESSION_KEY, None)
    membership = acceptance.membership
    if acceptance.outcome == services.Accepted.ALREADY_MEMBER:
        messages.info(
            request,
            f"You are already in {membership.team.name} as {membership.get_role_display()}; "
            "the invitation was not used.",
        )
    else:
        messages.success(
            request,
            f"Welcome to {membership.team.name}: you joined as {membership.get_role_display()}.",
        )
    return redirect("explorer:index", team_slug=membership.team.slug)
