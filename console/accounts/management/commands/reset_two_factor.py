"""`python manage.py reset_two_factor USERNAME`: an operator turns a person's two-factor off
(a lost phone, for someone in several teams whose admins may not do it)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from console.accounts import two_factor
from console.history.audit import team_events_for_user
from console.history.models import TeamEventAction


class Command(BaseCommand):
    help = "Turn a user's two-factor sign-in off (their teams get a team event)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **opts: Any) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user named {username!r}.")
        if not two_factor.remove(user):
            raise CommandError(f"{username} has no two-factor to reset.")
        teams = team_events_for_user(
            user=user, actor="operator", action=TeamEventAction.TWO_FACTOR_RESET
        )
        self.stdout.write(
            f"Two-factor of {username} is off; they sign in with their password and can set "
            f"it up again. Recorded in {teams} team(s)."
        )
