"""Team roles from the provider's groups: OIDC_TEAM_ROLES, e.g.

    OIDC_TEAM_ROLES="ue-admins=metering:admin, ue-devs=metering:member, finance=billing:viewer"

Each entry gives the people in a group (as the provider names it in the OIDC_GROUPS_CLAIM
claim, "groups" by default) a role in a team (by its slug). On every single sign-on:

- a person in a mapped group who is not in the team joins it with the highest role their
  groups give (a membership the mapping made, `Membership.from_sso`);
- a membership the mapping made follows the groups: its role changes with them, and it
  ends when none of the person's groups maps to the team any more;
- a membership made by an invitation or an admin is only ever raised by the mapping,
  never lowered or removed.

A team keeps at least one owner whatever the groups say.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction

from console.history.audit import team_event_record
from console.history.models import TeamEventAction
from console.teams.models import ROLE_RANK, Membership, Role, Team

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GroupRole:
    """One entry of OIDC_TEAM_ROLES."""

    group: str
    team_slug: str
    role: Role


def parse_team_roles(text: str) -> list[GroupRole]:
    """The entries of OIDC_TEAM_ROLES; ValueError names the first one that is not
    `group=team:role` with a known role."""
    entries = []
    for raw in text.split(","):
        item = raw.strip()
        if not item:
            continue
        group, _, target = item.rpartition("=")
        team_slug, _, role = target.partition(":")
        if not group.strip() or not team_slug.strip() or role.strip() not in Role.values:
            raise ValueError(
                f"{item!r} is not group=team:role with a role of {', '.join(Role.values)}"
            )
        entries.append(GroupRole(group.strip(), team_slug.strip(), Role(role.strip())))
    return entries


def _wanted(entries: Iterable[GroupRole], groups: set[str]) -> dict[str, Role]:
    wanted: dict[str, Role] = {}
    for entry in entries:
        if entry.group in groups:
            current = wanted.get(entry.team_slug)
            if current is None or ROLE_RANK[entry.role] > ROLE_RANK[current]:
                wanted[entry.team_slug] = entry.role
    return wanted


def _groups(claims: dict[str, Any]) -> set[str]:
    value = claims.get(settings.CONSOLE_SSO_GROUPS_CLAIM) or []
    if isinstance(value, str):
        value = value.split()
    return {str(group) for group in value} if isinstance(value, list | tuple) else set()


def _is_last_owner(membership: Membership) -> bool:
    return (
        membership.role == Role.OWNER
        and Membership.objects.filter(team_id=membership.team_id, role=Role.OWNER).count() == 1
    )


@transaction.atomic
def apply_team_roles(user: Any, claims: dict[str, Any], request: Any = None) -> None:
    """Bring `user`'s memberships of the mapped teams in line with their groups."""
    entries = parse_team_roles(settings.CONSOLE_SSO_TEAM_ROLES)
    if not entries:
        return
    wanted = _wanted(entries, _groups(claims))
    teams = {t.slug: t for t in Team.objects.filter(slug__in={e.team_slug for e in entries})}
    for slug in sorted({e.team_slug for e in entries}):
        team = teams.get(slug)
        if team is None:
            log.warning("OIDC_TEAM_ROLES names the team %r, which does not exist.", slug)
            continue
        _apply(team, user, wanted.get(slug), request)


def _apply(team: Team, user: Any, want: Role | None, request: Any) -> None:
    membership = Membership.objects.filter(team=team, user=user).select_for_update().first()
    event = {"team": team, "actor": None, "subject": user, "request": request, "via": "sso"}
    if membership is None:
        if want is not None:
            Membership.objects.create(team=team, user=user, role=want, from_sso=True)
            team_event_record(action=TeamEventAction.MEMBER_ADDED, new_role=want.value, **event)
        return
    if want is None:
        if membership.from_sso and not _is_last_owner(membership):
            old = membership.role
            membership.delete()
            team_event_record(action=TeamEventAction.MEMBER_REMOVED, old_role=old, **event)
        return
    rank, current = ROLE_RANK[want], ROLE_RANK[Role(membership.role)]
    if rank == current or (rank < current and not membership.from_sso):
        return
    if rank < current and _is_last_owner(membership):
        return
    old = membership.role
    membership.role = want
    membership.save(update_fields=["role"])
    team_event_record(
        action=TeamEventAction.ROLE_CHANGED, old_role=old, new_role=want.value, **event
    )
