"""Use cases of a person's sign-in and of the admins who look after it.

Each function owns its rules and records the team events they cause. Acting on another
member (unlock, a password-reset link, resetting two-factor) follows the team's role
rules: admins for members, viewers and admins; only owners for owners; nobody for
themselves here (their account page does that).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.tokens import default_token_generator
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from console.accounts import throttle, two_factor
from console.core import signin_method
from console.core.mail import send_templated
from console.core.models import Session
from console.core.sessions import end_sessions
from console.history.audit import team_event_record, team_events_for_user
from console.history.models import TeamEventAction
from console.teams.models import Membership, Role
from console.teams.scoping import TeamScope

SIGNIN_METHOD = signin_method.SESSION_KEY


class PeopleRuleError(Exception):
    """An action on a member that the rules refuse, with a message for the person asking."""


def sign_in_complete(*, request: HttpRequest, user: Any, method: str) -> None:
    """Sign `user` in on this request's session, remembering how (`signin_method`).

    Django's login (new session key, the user's session hash) with the console's backend,
    which reads the session's user in the request's one statement whatever signed them in.
    """
    request.console_signin_method = method  # the user_logged_in receiver records it
    auth.login(request, user, backend="console.core.auth.ModelBackend")
    request.session[SIGNIN_METHOD] = method


def mark_session_strong(request: HttpRequest) -> None:
    """The person just proved a second factor (enrolment): this session counts as such."""
    request.session[SIGNIN_METHOD] = signin_method.TWO_FACTOR


def active_sessions(user: Any) -> Any:
    """The user's sessions that have not expired (their sign-ins on every device)."""
    return Session.objects.filter(user_id=user.pk, expire_date__gt=timezone.now())


def sessions_end_others(*, request: HttpRequest) -> int:
    """Sign the user out everywhere but here; returns how many sessions ended."""
    user = request.user
    ended = end_sessions(user, keep=request.session.session_key)
    team_events_for_user(
        user=user, action=TeamEventAction.SESSIONS_ENDED, request=request, sessions=ended
    )
    return ended


def password_changed(*, request: HttpRequest, user: Any, how: str) -> None:
    """Record that the user's password changed ("changed" or "reset with a link")."""
    team_events_for_user(
        user=user, action=TeamEventAction.PASSWORD_CHANGED, request=request, how=how
    )


def two_factor_enrolled(*, request: HttpRequest, user: Any) -> None:
    """Record that the user turned two-factor on; this session now counts as two-factor."""
    mark_session_strong(request)
    team_events_for_user(user=user, action=TeamEventAction.TWO_FACTOR_ENROLLED, request=request)


def two_factor_turn_off(*, request: HttpRequest, user: Any) -> bool:
    """The user turns their own two-factor off; True if it was on."""
    if not two_factor.remove(user):
        return False
    request.session[SIGNIN_METHOD] = signin_method.PASSWORD
    team_events_for_user(user=user, action=TeamEventAction.TWO_FACTOR_REMOVED, request=request)
    return True


# ---------------------------------------------------------------- acting on a member


def _target(scope: TeamScope, membership_id: int) -> Membership:
    """The member to act on, checked against the role rules."""
    scope.require(Role.ADMIN)
    target = scope.get(Membership, pk=membership_id, related=("user",))
    if target.pk == scope.membership.pk:
        raise PeopleRuleError("Use your account page for your own sign-in.")
    if target.role == Role.OWNER and not scope.membership.has_role(Role.OWNER):
        raise PeopleRuleError("Only an owner can do that for an owner.")
    return target


def _record(
    scope: TeamScope,
    action: TeamEventAction,
    target: Membership,
    request: HttpRequest,
    **detail: Any,
) -> None:
    """The team event of an admin's action on a member."""
    team_event_record(
        team=scope.team, actor=scope.user, action=action, subject=target.user, request=request,
        **detail,
    )  # fmt: skip


def _only_in_this_team(scope: TeamScope, target: Membership, what: str) -> None:
    """Refuse `what` for a person who is also in other teams, or who runs the console:
    an admin of one team must not take over, or weaken, an account other teams trust."""
    user = target.user
    if user.is_superuser or user.is_staff:
        raise PeopleRuleError(
            f"{user.get_username()} is an operator of this console: ask another operator "
            f"for {what}."
        )
    if Membership.objects.filter(user=user).exclude(team=scope.team).exists():
        raise PeopleRuleError(
            f"{user.get_username()} is also in another team, so only they (on their account "
            f"page) or an operator of the console can do {what}."
        )


def member_unlock(*, scope: TeamScope, membership_id: int, request: HttpRequest) -> Membership:
    """Lift a member's sign-in lock-out (their failed sign-ins are forgotten)."""
    target = _target(scope, membership_id)
    cleared = throttle.unlock(target.user.get_username())
    _record(scope, TeamEventAction.UNLOCKED, target, request, attempts_cleared=cleared)
    return target


@dataclass(frozen=True)
class ResetLink:
    """A one-time password-reset link, and whether it was mailed."""

    url: str
    mailed: bool
    member: Membership


def reset_link_for(request: HttpRequest, user: Any) -> str:
    """A link that lets `user` set a new password: one-time (it dies when the password
    changes or the user signs in) and expiring (CONSOLE_PASSWORD_RESET_TTL)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return request.build_absolute_uri(reverse("account:reset", args=[uid, token]))


def member_reset_link(*, scope: TeamScope, membership_id: int, request: HttpRequest) -> ResetLink:
    """Issue a password-reset link for a member (and mail it to them if mail is set up)."""
    target = _target(scope, membership_id)
    if not settings.CONSOLE_LOCAL_PASSWORDS:
        raise PeopleRuleError("Passwords are turned off here: members sign in with single sign-on.")
    _only_in_this_team(scope, target, "a password reset")
    user = target.user
    url = reset_link_for(request, user)
    mailed = send_templated(
        to=user.email,
        template="accounts/mail/reset_link.txt",
        context={"url": url, "user": user, "team": scope.team, "issuer": scope.user},
    )
    _record(scope, TeamEventAction.PASSWORD_RESET_ISSUED, target, request, mailed=mailed)
    return ResetLink(url, mailed, target)


def member_two_factor_reset(
    *, scope: TeamScope, membership_id: int, request: HttpRequest
) -> Membership:
    """Turn a member's two-factor off (a lost phone); they set it up again at next sign-in."""
    target = _target(scope, membership_id)
    _only_in_this_team(scope, target, "a two-factor reset")
    if not two_factor.remove(target.user):
        raise PeopleRuleError(f"{target.user.get_username()} has no two-factor to reset.")
    _record(scope, TeamEventAction.TWO_FACTOR_RESET, target, request)
    return target
