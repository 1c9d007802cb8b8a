"""Failed sign-ins throttled by django-axes: per user name and per address, each with its
own limit, and the page that says so.

django-axes keeps the failures (its `AccessAttempt` rows, in the database, so every
process sees them) and compares one number with one limit. The console wants two limits:
a few wrong passwords for one user name (`CONSOLE_SIGNIN_FAILURE_LIMIT`), and more for one
address (`CONSOLE_SIGNIN_ADDRESS_FAILURE_LIMIT`), which a whole office may share behind
one NAT. `ConsoleAxesHandler.get_failures` therefore reports the address's failures scaled
to the user-name limit, so axes' one comparison locks out at either limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse
from django.utils import timezone


@dataclass(frozen=True)
class Failures:
    """Failed sign-ins inside the lock-out window, counted both ways."""

    by_username: int
    by_address: int

    @property
    def locked_by(self) -> str:
        """Which limit is reached: "user name", "address" or "" (none)."""
        if self.by_username >= settings.CONSOLE_SIGNIN_FAILURE_LIMIT:
            return "user name"
        if self.by_address >= settings.CONSOLE_SIGNIN_ADDRESS_FAILURE_LIMIT:
            return "address"
        return ""


def _sum(attempts: Any) -> int:
    return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0


class ConsoleAxesHandler(AxesDatabaseHandler):
    """axes' database handler, with a limit per user name and another per address."""

    def failures(self, request: HttpRequest, credentials: dict | None = None) -> Failures:
        """The request's failures in the window, by its user name and by its address."""
        by_username, by_address = self.get_user_attempts(request, credentials)
        return Failures(_sum(by_username), _sum(by_address))

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        """What axes compares with AXES_FAILURE_LIMIT (the user-name limit): the larger of
        the user name's failures and the address's, scaled so that the address reaches
        the limit exactly at CONSOLE_SIGNIN_ADDRESS_FAILURE_LIMIT."""
        counts = self.failures(request, credentials)
        scaled = (
            counts.by_address
            * settings.CONSOLE_SIGNIN_FAILURE_LIMIT
            // max(1, settings.CONSOLE_SIGNIN_ADDRESS_FAILURE_LIMIT)
        )
        return max(counts.by_username, scaled)


def _window_start() -> datetime:
    return timezone.now() - settings.CONSOLE_SIGNIN_LOCKOUT


def locked_usernames(usernames: list[str]) -> dict[str, datetime]:
    """Of `usernames`, those locked out now by their own failures, with when it ends."""
    rows = (
        AccessAttempt.objects.filter(username__in=usernames, attempt_time__gte=_window_start())
        .values("username")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
    )
    return {
        row["username"]: row["last"] + settings.CONSOLE_SIGNIN_LOCKOUT
        for row in rows
        if row["failures"] >= settings.CONSOLE_SIGNIN_FAILURE_LIMIT
    }


def unlock(username: str) -> int:
    """Forget the failed sign-ins of `username` (every address); returns how many rows."""
    return reset(username=username)


def _minutes(delta: timedelta) -> str:
    minutes = max(1, round(delta.total_seconds() / 60))
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def lockout_message(locked_by: str = "user name") -> str:
    """The sentence a locked-out person reads."""
    wait = _minutes(settings.CONSOLE_SIGNIN_LOCKOUT)
    if locked_by == "address":
        return f"Too many failed sign-ins from your network address. Wait {wait} and try again."
    return (
        f"Too many failed sign-ins for this user name: sign-in is locked for {wait}. "
        "Try again then, or ask an owner or admin of your team to unlock you."
    )


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """axes' AXES_LOCKOUT_CALLABLE: the sign-in page again, with the lock-out in words (429)."""
    from console.accounts.views import sign_in_page  # the views import this module

    handler = ConsoleAxesHandler()
    locked_by = handler.failures(request, credentials).locked_by or "user name"
    return sign_in_page(request, error=lockout_message(locked_by), status=429)
