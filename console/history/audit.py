"""Recording credential events and team events in the team's history."""

from __future__ import annotations

from typing import Any

from axes.helpers import get_client_ip_address
from django.http import HttpRequest

from console.history.models import AuditAction, AuditEvent, TeamEvent, TeamEventAction
from console.teams.models import Membership


def audit_record(
    *, team: Any, user: Any, action: AuditAction, access: Any, **detail: Any
) -> AuditEvent:
    """Store one credential event; `detail` must hold nothing secret."""
    return AuditEvent.objects.create(
        team=team,
        user=user,
        username=user.get_username() if user is not None else "system",
        action=action,
        access=access,
        access_name=access.name,
        environment_name=access.environment.name,
        detail=detail,
    )


def request_address(request: HttpRequest | None) -> str | None:
    """The address a request came from, as sign-in throttling sees it (proxies counted)."""
    if request is None:
        return None
    return getattr(request, "axes_ip_address", None) or get_client_ip_address(request) or None


def _actor_name(actor: Any) -> str:
    """Who did it: a user's name, "system" for the console itself (expiry, the SSO group
    mapping), or "" where nobody is known (a failed sign-in)."""
    if isinstance(actor, str):
        return actor
    return actor.get_username() if actor is not None else "system"


def _team_event(
    team_id: int,
    actor: Any,
    action: TeamEventAction,
    subject: Any,
    address: str | None,
    detail: dict[str, Any],
) -> TeamEvent:
    return TeamEvent(
        team_id=team_id,
        user=None if isinstance(actor, str) else actor,
        username=_actor_name(actor),
        action=action,
        subject=subject,
        subject_name=subject.get_username() if subject is not None else "",
        address=address,
        detail=detail,
    )


def team_event_record(
    *,
    team: Any,
    actor: Any,
    action: TeamEventAction,
    subject: Any = None,
    request: HttpRequest | None = None,
    **detail: Any,
) -> TeamEvent:
    """Store one team event: `actor` (a user; None for the console itself; a string for
    a name with no user, "" for nobody known) did `action` to `subject`. `detail` must
    hold nothing secret: no password, token or link."""
    event = _team_event(team.pk, actor, action, subject, request_address(request), detail)
    event.save()
    return event


def team_events_for_user(
    *,
    user: Any,
    action: TeamEventAction,
    actor: Any = None,
    request: HttpRequest | None = None,
    **detail: Any,
) -> int:
    """Store the same event in every team `user` belongs to (sign-ins, lock-outs,
    two-factor changes: things of a person, which each of their teams sees). `actor`
    defaults to the user; returns how many teams got it."""
    team_ids = list(Membership.objects.filter(user=user).values_list("team_id", flat=True))
    address = request_address(request)
    who = user if actor is None else actor
    TeamEvent.objects.bulk_create(
        [_team_event(team_id, who, action, user, address, detail) for team_id in team_ids]
    )
    return len(team_ids)
