"""Use cases of invitations: send, revoke, open, accept (signed in, or with a new account).

The token is 256 random bits, shown in the link once and stored only as its SHA-256. The
person opening a link swaps it for the session at once (`invitation_open`), so later
pages, the sign-in's `next` and the log hold no token. Accepting locks the invitation's
row, so a link works once even when two tabs press Join together.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from console.core.mail import send_templated
from console.history.audit import team_event_record
from console.history.models import TeamEventAction
from console.invitations.models import Invitation, InvitationState
from console.teams.models import Membership, Role, Team
from console.teams.scoping import TeamScope

SESSION_KEY = "console_invitation"


class InvitationError(Exception):
    """An invitation the rules refuse, with a message for the person asking."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_url(request: HttpRequest | None, team: Team, token: str, base: str = "") -> str:
    """The link a person opens: absolute, from the request (or `base`, e.g. for the demo)."""
    path = reverse("join:open", args=[team.slug, token])
    if request is not None:
        return request.build_absolute_uri(path)
    return base.rstrip("/") + path


@dataclass(frozen=True)
class SentInvitation:
    """A new invitation, its link (shown once) and whether it was mailed."""

    invitation: Invitation
    url: str
    mailed: bool


def _pending(team: Team, email: str) -> Any:
    return Invitation.objects.filter(
        team=team,
        email__iexact=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    )


def _revoke(invitation: Invitation, by: Any, request: HttpRequest | None, **detail: Any) -> None:
    invitation.revoked_at = timezone.now()
    invitation.revoked_by_name = by.get_username()
    invitation.save(update_fields=["revoked_at", "revoked_by_name"])
    team_event_record(
        team=invitation.team,
        actor=by,
        action=TeamEventAction.INVITATION_REVOKED,
        request=request,
        email=invitation.email,
        role=invitation.role,
        **detail,
    )


@transaction.atomic
def invitation_send(
    *,
    scope: TeamScope,
    email: str,
    role: str,
    request: HttpRequest | None = None,
    base: str = "",
    mail: bool = True,
) -> SentInvitation:
    """Invite `email` with `role` (admins invite up to admin, owners anyone).

    A pending invitation for the same address is replaced (revoked) by the new one. The
    link is mailed when mail is set up (and `mail`); either way it is returned to show once.
    `base` is the console's address for a link made outside a request (the demo).
    """
    scope.require(Role.ADMIN)
    role = Role(role)
    if role == Role.OWNER and not scope.membership.has_role(Role.OWNER):
        raise InvitationError("Only an owner can invite an owner.")
    email = email.strip()
    member = (
        Membership.objects.filter(team=scope.team, user__email__iexact=email)
        .select_related("user")
        .first()
    )
    if member is not None:
        raise InvitationError(
            f"{email} is already in this team, as {member.user.get_username()} "
            f"({member.get_role_display()})."
        )
    for old in _pending(scope.team, email).select_for_update():
        _revoke(old, scope.user, request, replaced=True)
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation = Invitation.objects.create(
        team=scope.team,
        email=email,
        role=role,
        token_hash=_hash(token),
        created_by=scope.user,
        created_by_name=scope.user.get_username(),
        created_at=now,
        expires_at=now + settings.CONSOLE_INVITE_TTL,
    )
    url = invitation_url(request, scope.team, token, base)
    mailed = mail and send_templated(
        to=email,
        template="invitations/mail/invitation.txt",
        context={"invitation": invitation, "url": url, "team": scope.team, "by": scope.user},
    )
    if mailed:
        invitation.mailed = True
        invitation.save(update_fields=["mailed"])
    team_event_record(
        team=scope.team,
        actor=scope.user,
        action=TeamEventAction.INVITATION_SENT,
        request=request,
        email=email,
        role=role.value,
        mailed=mailed,
        expires=invitation.expires_at.isoformat(timespec="seconds"),
    )
    return SentInvitation(invitation, url, mailed)


@transaction.atomic
def invitation_revoke(
    *, scope: TeamScope, invitation_id: int, request: HttpRequest | None = None
) -> Invitation:
    """Revoke a pending invitation: its link then says so."""
    scope.require(Role.ADMIN)
    invitation = scope.get(Invitation, pk=invitation_id)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.role == Role.OWNER and not scope.membership.has_role(Role.OWNER):
        raise InvitationError("Only an owner can revoke an owner's invitation.")
    if not invitation.is_pending:
        raise InvitationError(
            f"The invitation for {invitation.email} is already {invitation.state.label.lower()}."
        )
    _revoke(invitation, scope.user, request)
    return invitation


def invitations_expire_due(team: Team) -> int:
    """Record "invitation expired" once for each of the team's invitations that ran out
    unused; returns how many. Cheap when there are none (one indexed query)."""
    due = Invitation.objects.filter(
        team=team,
        expiry_recorded=False,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__lte=timezone.now(),
    )
    recorded = 0
    for invitation in due:
        # The conditional update makes each expiry recorded once, whatever runs beside it.
        claimed = Invitation.objects.filter(pk=invitation.pk, expiry_recorded=False).update(
            expiry_recorded=True
        )
        if claimed:
            team_event_record(
                team=team,
                actor=None,
                action=TeamEventAction.INVITATION_EXPIRED,
                email=invitation.email,
                role=invitation.role,
                invited_by=invitation.created_by_name,
                expired=invitation.expires_at.isoformat(timespec="seconds"),
            )
            recorded += 1
    return recorded


def invitation_for_link(team_slug: str, token: str) -> Invitation | None:
    """The invitation a link names, or None (unknown token, or the link's team is not the
    invitation's: an edited link says no more than a wrong one)."""
    if not token or len(token) > 100:
        return None
    invitation = Invitation.objects.select_related("team").filter(token_hash=_hash(token)).first()
    if invitation is None or invitation.team.slug != team_slug:
        return None
    return invitation


def invitation_open(request: HttpRequest, invitation: Invitation) -> None:
    """Remember the opened invitation in the session (the token stays out of every later
    address), and record its expiry if it has run out."""
    if invitation.state == InvitationState.EXPIRED:
        invitations_expire_due(invitation.team)
    request.session[SESSION_KEY] = invitation.pk


def invitation_in_session(request: HttpRequest) -> Invitation | None:
    """The invitation this session opened, if any."""
    pk = request.session.get(SESSION_KEY)
    if not isinstance(pk, int):
        return None
    return Invitation.objects.select_related("team").filter(pk=pk).first()


class Accepted(StrEnum):
    """What accepting did."""

    JOINED = "joined"
    ALREADY_MEMBER = "already a member"


@dataclass(frozen=True)
class Acceptance:
    """The outcome of accepting: the membership the person has now, and how."""

    outcome: Accepted
    membership: Membership


@transaction.atomic
def invitation_accept(
    *, invitation_id: int, user: Any, request: HttpRequest | None = None
) -> Acceptance:
    """`user` takes the invitation: they join its team with its role.

    A person already in the team keeps their role and the invitation stays unused.
    Raises InvitationError (in words) when it was used, revoked or has expired.
    """
    invitation = (
        Invitation.objects.select_for_update().select_related("team").filter(pk=invitation_id)
    ).first()
    if invitation is None:
        raise InvitationError("This invitation no longer exists. Ask for a new one.")
    existing = Membership.objects.filter(team=invitation.team, user=user).first()
    if existing is not None:
        existing.team = invitation.team
        return Acceptance(Accepted.ALREADY_MEMBER, existing)
    refusal = state_message(invitation)
    if refusal:
        raise InvitationError(refusal)
    membership = Membership.objects.create(team=invitation.team, user=user, role=invitation.role)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.accepted_by_name = user.get_username()
    invitation.save(update_fields=["accepted_at", "accepted_by", "accepted_by_name"])
    if not user.email:
        user.email = invitation.email
        user.save(update_fields=["email"])
    team_event_record(
        team=invitation.team,
        actor=user,
        action=TeamEventAction.INVITATION_ACCEPTED,
        subject=user,
        request=request,
        email=invitation.email,
        role=invitation.role,
        invited_by=invitation.created_by_name,
    )
    team_event_record(
        team=invitation.team,
        actor=invitation.created_by or invitation.created_by_name,
        action=TeamEventAction.MEMBER_ADDED,
        subject=user,
        request=request,
        new_role=invitation.role,
        via="invitation",
    )
    return Acceptance(Accepted.JOINED, membership)


@transaction.atomic
def invitation_sign_up(
    *, invitation_id: int, username: str, password: str, name: str = "",
    request: HttpRequest | None = None,
) -> tuple[Any, Acceptance]:  # fmt: skip
    """Make an account for the invited person (the form checked the name and password)
    and accept the invitation with it, in one transaction: no account without the team."""
    invitation = Invitation.objects.filter(pk=invitation_id).first()
    refusal = state_message(invitation) if invitation else "This invitation no longer exists."
    if refusal:
        raise InvitationError(refusal)
    user = get_user_model().objects.create_user(
        username=username, password=password, email=invitation.email, first_name=name.strip()
    )
    return user, invitation_accept(invitation_id=invitation_id, user=user, request=request)


def state_message(invitation: Invitation) -> str:
    """Why an invitation cannot be used, in words, or "" when it can."""
    state = invitation.state
    if state == InvitationState.ACCEPTED:
        return (
            "This invitation has already been used. If that was not you, ask the person "
            f"who invited you ({invitation.created_by_name}) for a new one."
        )
    if state == InvitationState.REVOKED:
        return (
            "This invitation was withdrawn. Ask the team's owners or admins for a new one "
            "if you still need access."
        )
    if state == InvitationState.EXPIRED:
        return (
            f"This invitation expired on {invitation.expires_at:%Y-%m-%d at %H:%M} UTC. "
            f"Ask {invitation.created_by_name} to send a new one."
        )
    return ""
