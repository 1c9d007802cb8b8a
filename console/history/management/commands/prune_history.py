"""`python manage.py prune_history --older-than 180d`: retention that keeps the chain verifiable."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from console.core.durations import parse_duration
from console.history.chain import chain_prune
from console.teams.models import Team


def parse_age(text: str) -> timedelta:
    """'180d', '12h' or '4w' as a timedelta."""
    try:
        return parse_duration(text, units="hdw")
    except ValueError as exc:
        raise CommandError(f"--older-than takes {exc}.") from exc


class Command(BaseCommand):
    help = "Remove call records older than an age, leaving a checkpoint so the chain verifies."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than", required=True, help="Age, e.g. 180d, 12h, 4w.")
        parser.add_argument("--team", help="Slug of one team (default: every team).")

    def handle(self, *args: Any, older_than: str, team: str | None = None, **opts: Any) -> None:
        cutoff = timezone.now() - parse_age(older_than)
        teams = Team.objects.all() if team is None else Team.objects.filter(slug=team)
        if team is not None and not teams.exists():
            raise CommandError(f"There is no team {team!r}.")
        for each in teams.order_by("slug"):
            removed = chain_prune(each, cutoff)
            self.stdout.write(
                f"{each.slug}: removed {removed} record(s) older than {cutoff:%Y-%m-%d %H:%M}."
            )
