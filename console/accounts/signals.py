"""Sign-ins, failed sign-ins and lock-outs as team events, from Django's and django-axes'
signals, so that every way in (the sign-in page, the two-factor step, single sign-on,
an invitation's new account) is recorded alike.

A failed sign-in is recorded in the teams of the user whose name was typed (a name that
belongs to nobody is in no team: the log has it, the user name masked). For the attempt
that starts a lock-out, axes reports the lock-out while Django reports the failure; the
two are recorded in that order (failure, then lock-out), whichever signal comes first.
"""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from console.accounts.throttle import ConsoleAxesHandler
from console.history.audit import team_events_for_user
from console.history.models import TeamEventAction


def _user_named(username: Any) -> Any:
    if not isinstance(username, str) or not username:
        return None
    return get_user_model().objects.filter(username=username).first()


@receiver(user_logged_in, dispatch_uid="console.accounts.signed_in")
def record_sign_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """A sign-in, with how (password, password and code, single sign-on)."""
    method = getattr(request, "console_signin_method", "password")
    team_events_for_user(
        user=user, action=TeamEventAction.SIGNED_IN, request=request, method=method
    )


def _failure_reason(request: HttpRequest, user: Any) -> str:
    if getattr(request, "console_failure_reason", ""):
        return request.console_failure_reason
    if getattr(request, "axes_locked_out", False) and request.axes_failures_since_start is None:
        return "refused: locked out"
    if not user.is_active:
        return "account disabled"
    return "wrong password"


def _record_lockout(request: HttpRequest, user: Any) -> None:
    failures = request.console_lockout
    team_events_for_user(
        user=user,
        actor="",
        action=TeamEventAction.LOCKED_OUT,
        request=request,
        by=failures.locked_by or "user name",
        failures=failures.by_username,
        address_failures=failures.by_address,
        minutes=round(settings.CONSOLE_SIGNIN_LOCKOUT.total_seconds() / 60),
    )


@receiver(user_login_failed, dispatch_uid="console.accounts.sign_in_failed")
def record_failed_sign_in(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """A failed sign-in for an existing user name (and the lock-out it started, if any)."""
    user = _user_named(credentials.get("username"))
    if request is None or user is None:
        return
    team_events_for_user(
        user=user,
        actor="",
        action=TeamEventAction.SIGN_IN_FAILED,
        request=request,
        reason=_failure_reason(request, user),
    )
    request.console_failure_recorded = True
    if getattr(request, "console_lockout", None) is not None:
        _record_lockout(request, user)


@receiver(user_locked_out, dispatch_uid="console.accounts.locked_out")
def record_lockout(
    sender: Any, request: HttpRequest, username: str | None = None, **kwargs: Any
) -> None:
    """A lock-out that starts now (axes also reports each attempt refused during one: the
    failed sign-in records those)."""
    if request is None or getattr(request, "axes_failures_since_start", None) is None:
        return
    user = _user_named(username)
    if user is None:
        return
    request.console_lockout = ConsoleAxesHandler().failures(
        request, getattr(request, "axes_credentials", None) or {"username": username}
    )
    if getattr(request, "console_failure_recorded", False):
        _record_lockout(request, user)
