"""Teams, memberships and the roles that decide who may do what."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Role(models.TextChoices):
    """A member's role in a team, from most to least powerful."""

    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    MEMBER = "member", "Member"
    VIEWER = "viewer", "Viewer"


# Higher rank, more rights: each role can do everything the roles below it can.
ROLE_RANK = {Role.VIEWER: 0, Role.MEMBER: 1, Role.ADMIN: 2, Role.OWNER: 3}


class TeamScopedQuerySet(models.QuerySet):
    """Queries over rows that belong to a team."""

    def for_team(self, team: Team) -> TeamScopedQuerySet:
        """Only the rows of `team`."""
        return self.filter(team=team)


class Team(models.Model):
    """A group of people sharing environments, credentials, specs and a history."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Team pages open only to a session signed in with two-factor or single sign-on.
    require_two_factor = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """One user's place in one team."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)
    # Made by single sign-on's group mapping (OIDC_TEAM_ROLES), which then keeps its role
    # up to date and removes it when the person leaves the group; invitations and admins
    # make the others, which the mapping only ever raises.
    from_sso = models.BooleanField(default=False)

    objects = TeamScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="one_membership_per_team"),
        ]
        ordering = ["team__name"]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.role})"

    def has_role(self, role: Role | str) -> bool:
        """True when this member's role is `role` or above."""
        return ROLE_RANK[Role(self.role)] >= ROLE_RANK[Role(role)]

    @property
    def can_send(self) -> bool:
        """Members and above send calls; viewers only read."""
        return self.has_role(Role.MEMBER)

    @property
    def can_manage_resources(self) -> bool:
        """Admins and owners manage environments, credentials and specs."""
        return self.has_role(Role.ADMIN)

    @property
    def can_manage_members(self) -> bool:
        """Admins and owners add and remove members and change roles."""
        return self.has_role(Role.ADMIN)

    @property
    def can_manage_team(self) -> bool:
        """Only owners rename the team, appoint owners and delete it."""
        return self.has_role(Role.OWNER)


class TeamScopedModel(models.Model):
    """Base for every row that belongs to exactly one team.

    Views never query these models directly: they go through
    `console.teams.scoping.TeamScope`, which filters by the signed-in member's team.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")

    objects = TeamScopedQuerySet.as_manager()

    class Meta:
        abstract = True
