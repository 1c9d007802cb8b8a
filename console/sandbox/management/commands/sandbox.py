"""`manage.py sandbox`: run the Usage Engine sandbox in the foreground until Ctrl-C."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from console.sandbox.cli import add_arguments, config_from_options, run
from console.sandbox.config import ConfigError


class Command(BaseCommand):
    """Serve the sandbox; it needs no database, so checks and migrations are skipped."""

    help = "Run the built-in Usage Engine sandbox (an in-memory stand-in for the real API)."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        """Add the sandbox options (see console.sandbox.cli)."""
        add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        """Build the config from the options and serve until interrupted."""
        try:
            config = config_from_options(options)
        except ConfigError as exc:
            raise CommandError(str(exc)) from exc

        def write(line: str) -> None:
            self.stdout.write(line)
            self.stdout.flush()

        try:
            run(config, options["host"], options["port"], write)
        except OSError as exc:
            raise CommandError(
                f"Cannot listen on {options['host']}:{options['port']}: {exc}"
            ) from exc
