"""`python manage.py verify_history [--team TEAM]`: check the history chains hold."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from console.history.chain import chain_verify
from console.teams.models import Team


class Command(BaseCommand):
    help = (
        "Walk each team's history chain and report the first altered, inserted or removed record."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--team", help="Slug of one team (default: every team).")

    def handle(self, *args: Any, team: str | None = None, **options: Any) -> None:
        teams = Team.objects.all() if team is None else Team.objects.filter(slug=team)
        if team is not None and not teams.exists():
            raise CommandError(f"There is no team {team!r}.")
        broken = 0
        for each in teams.order_by("slug"):
            report = chain_verify(each)
            if report.ok:
                self.stdout.write(
                    f"{each.slug}: {report.checked} record(s) verified, chain intact."
                )
            else:
                broken += 1
                self.stdout.write(
                    self.style.ERROR(
                        f"{each.slug}: BROKEN after {report.checked} good record(s): "
                        f"{report.problem}"
                    )
                )
        if broken:
            raise CommandError(f"{broken} team history chain(s) do not verify.")
