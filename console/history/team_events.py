"""Team events read back: filters for their page and export, and each event in words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import QueryDict

from console.history.models import TeamEvent, TeamEventAction
from console.teams.models import Role

_ROLE = dict(Role.choices)


def _role(value: Any) -> str:
    return _ROLE.get(str(value), str(value)).lower()


@dataclass(frozen=True)
class TeamEventFilter:
    """What the team events page shows: one kind of event, one person (who did it or to
    whom), or everything."""

    action: str = ""
    person: str = ""

    @classmethod
    def from_query(cls, query: QueryDict) -> TeamEventFilter:
        """The filter from the page's query string (unknown kinds are ignored)."""
        action = query.get("action", "")
        return cls(
            action=action if action in TeamEventAction.values else "",
            person=query.get("person", "").strip()[:150],
        )

    @property
    def active(self) -> bool:
        """True when anything is filtered."""
        return bool(self.action or self.person)

    def apply(self, events: QuerySet[TeamEvent]) -> QuerySet[TeamEvent]:
        """`events` narrowed by this filter."""
        if self.action:
            events = events.filter(action=self.action)
        if self.person:
            events = events.filter(Q(username=self.person) | Q(subject_name=self.person))
        return events


def _who(event: TeamEvent) -> str:
    if event.username == "system":
        return "The console"
    return event.username or "Someone"


def describe(event: TeamEvent) -> str:
    """The event as a sentence, e.g. "olivia changed mia's role from member to admin"."""
    d, who, whom = event.detail or {}, _who(event), event.subject_name
    a = TeamEventAction
    via = {"sso": " (single sign-on groups)", "invitation": " (invitation)"}.get(d.get("via"), "")
    match event.action:
        case a.INVITATION_SENT:
            mailed = "mailed" if d.get("mailed") else "link shown to copy, not mailed"
            return f"{who} invited {d.get('email')} as {_role(d.get('role'))} ({mailed})"
        case a.INVITATION_ACCEPTED:
            return (
                f"{whom} accepted the invitation for {d.get('email')} from "
                f"{d.get('invited_by')} and joined as {_role(d.get('role'))}"
            )
        case a.INVITATION_REVOKED:
            why = " (replaced by a new one)" if d.get("replaced") else ""
            return f"{who} revoked the invitation for {d.get('email')}{why}"
        case a.INVITATION_EXPIRED:
            return f"The invitation for {d.get('email')} from {d.get('invited_by')} expired unused"
        case a.MEMBER_ADDED:
            return f"{who} added {whom} as {_role(d.get('new_role'))}{via}"
        case a.MEMBER_REMOVED:
            return f"{who} removed {whom} (was {_role(d.get('old_role'))}){via}"
        case a.ROLE_CHANGED:
            return (
                f"{who} changed {whom}'s role from {_role(d.get('old_role'))} to "
                f"{_role(d.get('new_role'))}{via}"
            )
        case a.SIGNED_IN:
            method = {"two_factor": "password and code", "sso": "single sign-on"}
            return f"{whom} signed in with {method.get(d.get('method'), 'password')}"
        case a.SIGN_IN_FAILED:
            return f"A sign-in as {whom} failed: {d.get('reason', 'wrong password')}"
        case a.LOCKED_OUT:
            return (
                f"Sign-in as {whom} locked for {d.get('minutes')} minutes after "
                f"{d.get('failures')} failed attempts (limit reached by {d.get('by')})"
            )
        case a.UNLOCKED:
            return f"{who} unlocked {whom}'s sign-in"
        case a.TWO_FACTOR_ENROLLED:
            return f"{whom} turned on two-factor sign-in"
        case a.TWO_FACTOR_REMOVED:
            return f"{whom} turned off two-factor sign-in"
        case a.TWO_FACTOR_RESET:
            return f"{who} reset {whom}'s two-factor sign-in"
        case a.PASSWORD_CHANGED:
            return f"{whom} {d.get('how', 'changed')} their password"
        case a.PASSWORD_RESET_ISSUED:
            mailed = "mailed" if d.get("mailed") else "shown to copy"
            return f"{who} issued a password reset link for {whom} ({mailed})"
        case a.SESSIONS_ENDED:
            return f"{whom} signed out everywhere else ({d.get('sessions', 0)} session(s))"
        case a.TEAM_RENAMED:
            return f"{who} renamed the team from {d.get('old_name')} to {d.get('new_name')}"
        case a.TWO_FACTOR_POLICY:
            state = "must" if d.get("required") else "no longer must"
            return f"{who}: members {state} use two-factor or single sign-on"
    return event.get_action_display()
