"""`python manage.py createteam NAME --owner USERNAME`: bootstrap a team without the demo."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from console.teams.models import Team
from console.teams.services import TeamRuleError, team_create


class Command(BaseCommand):
    help = "Create a team with an existing user as its owner."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="The team's name.")
        parser.add_argument("--owner", required=True, help="User name of the first owner.")

    def handle(self, *args: Any, name: str, owner: str, **options: Any) -> None:
        user = get_user_model().objects.filter(username=owner).first()
        if user is None:
            raise CommandError(
                f"There is no user named {owner!r}. Create one first: "
                f"python manage.py createsuperuser --username {owner}"
            )
        if Team.objects.filter(name__iexact=name.strip()).exists():
            raise CommandError(f"A team named {name!r} already exists.")
        try:
            team = team_create(name=name, owner=user)
        except TeamRuleError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Created team {team.name!r} (/t/{team.slug}/) owned by {owner}.")
        )
