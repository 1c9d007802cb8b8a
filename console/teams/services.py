"""Use cases for teams and their members. Each owns its transaction and its rules."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.text import slugify

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
    return team


def team_rename(*, scope: TeamScope, name: str) -> Team:
    """Rename the team (owners only); the slug in URLs stays as it is."""
    scope.require(Role.OWNER)
    name = name.strip()
    if not name:
        raise TeamRuleError("A team needs a name.")
    team = scope.team
    team.name = name
    team.save(update_fields=["name"])
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
def membership_add(*, scope: TeamScope, username: str, role: str) -> Membership:
    """Add an existing user to the team with `role`."""
    role = Role(role)
    _check_role_change(scope, None, role)
    user = get_user_model().objects.filter(username=username.strip()).first()
    if user is None:
        raise TeamRuleError(f"There is no user named {username.strip()!r}.")
    if Membership.objects.filter(team=scope.team, user=user).exists():
        raise TeamRuleError(f"{user.username} is already in this team.")
    return Membership.objects.create(team=scope.team, user=user, role=role)


@transaction.atomic
def membership_change_role(*, scope: TeamScope, membership_id: int, role: str) -> Membership:
    """Change a member's role, keeping at least one owner."""
    role = Role(role)
    target = scope.get(Membership, pk=membership_id)
    _check_role_change(scope, target.role, role)
    if target.role == Role.OWNER and role != Role.OWNER and _owner_count(scope.team) == 1:
        raise TeamRuleError("A team needs at least one owner: appoint another owner first.")
    target.role = role
    target.save(update_fields=["role"])
    return target


@transaction.atomic
def membership_remove(*, scope: TeamScope, membership_id: int) -> None:
    """Remove a member from the team, keeping at least one owner."""
    target = scope.get(Membership, pk=membership_id)
    _check_role_change(scope, target.role, None)
    if target.role == Role.OWNER and _owner_count(scope.team) == 1:
        raise TeamRuleError("A team needs at least one owner: appoint another owner first.")
    target.delete()
