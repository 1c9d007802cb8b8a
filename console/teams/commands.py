"""Who a management command acts as in a team: a named member, or the team's first owner."""

from __future__ import annotations

from django.core.management.base import CommandError

from console.teams.models import Membership, Role, Team
from console.teams.scoping import TeamScope

NEEDS = {
    Role.OWNER: "an owner",
    Role.ADMIN: "an admin or owner",
    Role.MEMBER: "a member, admin or owner",
    Role.VIEWER: "a member of the team",
}


def command_scope(
    slug: str, username: str | None, *, role: Role, doing: str, via: str = ""
) -> TeamScope:
    """The scope of `username` (default: the team's first owner) in the team `slug`, who
    must hold `role` for `doing` ("importing a spec"); CommandError says what is wrong."""
    team = Team.objects.filter(slug=slug).first()
    if team is None:
        raise CommandError(f"There is no team with the slug {slug!r}.")
    memberships = Membership.objects.select_related("team", "user").filter(team=team)
    if username:
        membership = memberships.filter(user__username=username).first()
        if membership is None:
            raise CommandError(f"{username!r} is not a member of {team.name}.")
        if not membership.has_role(role):
            raise CommandError(
                f"{username} is a {membership.role} of {team.name}; {doing} needs {NEEDS[role]}."
            )
    else:
        membership = memberships.filter(role=Role.OWNER).order_by("created_at", "pk").first()
        if membership is None:
            raise CommandError(f"{team.name} has no owner; name a member with --user.")
    return TeamScope(membership, via=via)
