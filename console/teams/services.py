"""Use cases for teams and their members. Each owns its transaction, its rules and the
team events it causes."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpRequest
from django.utils.text import slugify

from console.core import signin_method
from console.core.sessions import end_sessions
from console.history.audit import team_event_record
from console.history.models import TeamEventAction
from console.teams.models import Membership, Role, Team
from console.teams.scoping import TeamScope


class TeamRuleError(Exception):
    """A team change that the rules refuse, with a message for the person who asked."""


def _unique_slug(name: str) -> str:
    base = slugify(name)[:90] or "team"
    slug, n = base, 2
    while Team.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def team_create(*, name: str, owner: Any) -> Team:
    """Create a team with `owner` as its first owner."""
    name = name.strip()
    if not name:
        raise TeamRuleError("A team needs a name.")
    team = Team.objects.create(name=name, slug=_unique_slug(name))
    Membership.objects.create(team=team, user=owner, role=Role.OWNER)
    team_event_record(
        team=team, actor=None, action=TeamEventAction.MEMBER_ADDED, subject=owner,
        new_role=Role.OWNER.value, via="team created",
    )  # fmt: skip
    return team


@transaction.atomic
def team_rename(*, scope: TeamScope, name: str, request: HttpRequest | None = None) -> Team:
    """Rename the team (owners only); the slug in URLs stays as it is."""
    scope.require(Role.OWNER)
    name = name.strip()
    if not name:
        raise TeamRuleError("A team needs a name.")
    team = scope.team
    old, team.name = team.name, name
    team.save(update_fields=["name"])
    team_event_record(
        team=team, actor=scope.user, action=TeamEventAction.TEAM_RENAMED, request=request,
        old_name=old, new_name=name,
    )  # fmt: skip
    return team


@transaction.atomic
def team_require_two_factor(
    *, scope: TeamScope, required: bool, request: HttpRequest | None = None
) -> Team:
    """Turn the team's "members must use two-factor or single sign-on" on or off (owners).

    Turning it on needs a session that meets it, so the owner cannot close the team to
    themselves.
    """
    scope.require(Role.OWNER)
    if required and request is not None and not signin_method.is_strong(request.session):
        raise TeamRuleError(
            "Sign in with two-factor or single sign-on first (set up two-factor on your "
            "account page): the rule would close this team to your current session."
        )
    team = scope.team
    if team.require_two_factor == required:
        return team
    team.require_two_factor = required
    team.save(update_fields=["require_two_factor"])
    team_event_record(
        team=team, actor=scope.user, action=TeamEventAction.TWO_FACTOR_POLICY, request=request,
        required=required,
    )  # fmt: skip
    return team


def _check_role_change(scope: TeamScope, target_role: str | None, new_role: str | None) -> None:
    """Admins manage members and admins; only owners touch owners."""
    scope.require(Role.ADMIN)
    touches_owner = Role.OWNER in (target_role, new_role)
    if touches_owner and not scope.membership.has_role(Role.OWNER):
        raise TeamRuleError("Only an owner can appoint, change or remove an owner.")


def _owner_count(team: Team) -> int:
    return Membership.objects.filter(team=team, role=Role.OWNER).count()


@transaction.atomic
def membership_add(
    *, scope: TeamScope, username: str, role: str, request: HttpRequest | None = None
) -> Membership:
    """Add an existing user to the team with `role`."""
    role = Role(role)
    _check_role_change(scope, None, role)
    user = get_user_model().objects.filter(username=username.strip()).first()
    if user is None:
        raise TeamRuleError(
            f"There is no user named {username.strip()!r}. To bring in someone new, send an "
            "invitation instead."
        )
    if Membership.objects.filter(team=scope.team, user=user).exists():
        raise TeamRuleError(f"{user.username} is already in this team.")
    membership = Membership.objects.create(team=scope.team, user=user, role=role)
    team_event_record(
        team=scope.team, actor=scope.user, action=TeamEventAction.MEMBER_ADDED, subject=user,
        request=request, new_role=role.value,
    )  # fmt: skip
    return membership


@transaction.atomic
def membership_change_role(
    *, scope: TeamScope, membership_id: int, role: str, request: HttpRequest | None = None
) -> Membership:
    """Change a member's role, keeping at least one owner."""
    role = Role(role)
    target = scope.get(Membership, pk=membership_id, related=("user",))
    _check_role_change(scope, target.role, role)
    if target.role == Role.OWNER and role != Role.OWNER and _owner_count(scope.team) == 1:
        raise TeamRuleError("A team needs at least one owner: appoint another owner first.")
    old = target.role
    if old == role:
        return target
    target.role = role
    target.save(update_fields=["role"])
    team_event_record(
        team=scope.team, actor=scope.user, action=TeamEventAction.ROLE_CHANGED,
        subject=target.user, request=request, old_role=old, new_role=role.value,
    )  # fmt: skip
    return target


@transaction.atomic
def membership_remove(
    *, scope: TeamScope, membership_id: int, request: HttpRequest | None = None
) -> None:
    """Remove a member from the team, keeping at least one owner.

    Their access ends at once: every team page reads the membership on each request, so
    their next click in this team is a 404; a person left in no team is signed out
    everywhere. What they did stays in the history, which names them by value.
    """
    target = scope.get(Membership, pk=membership_id, related=("user",))
    _check_role_change(scope, target.role, None)
    if target.role == Role.OWNER and _owner_count(scope.team) == 1:
        raise TeamRuleError("A team needs at least one owner: appoint another owner first.")
    user, old = target.user, target.role
    target.delete()
    ended = 0
    if not Membership.objects.filter(user=user).exists() and user.pk != scope.user.pk:
        ended = end_sessions(user)
    team_event_record(
        team=scope.team, actor=scope.user, action=TeamEventAction.MEMBER_REMOVED, subject=user,
        request=request, old_role=old, sessions_ended=ended,
    )  # fmt: skip
    return
