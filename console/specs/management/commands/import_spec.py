"""`python manage.py import_spec --team TEAM --name NAME (--url URL | --file PATH)`.

Runs the same import as the Import spec page (`console.specs.services.spec_import`),
as a member of the team: `--user USERNAME`, or by default the team's first owner (the
owner who joined first). That member must be an admin or owner, as on the page, and is
recorded as the importer of the new version.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from console.specs.services import SpecImportError, spec_import
from console.teams.commands import command_scope
from console.teams.models import Role

SHOWN = 10  # problems listed per kind unless --verbosity 2


class Command(BaseCommand):
    help = (
        "Import an OpenAPI document (JSON or YAML; OpenAPI 3.0, 3.1 or Swagger 2.0) into a "
        "team as a new version of the spec NAME, by URL or from a file, and print what was "
        "imported and what was skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--team", required=True, help="The team's slug (as in /t/SLUG/).")
        parser.add_argument(
            "--name", required=True, help="The spec's name; an existing name gets a new version."
        )
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--url", help="Fetch the document from this URL (host rules apply).")
        source.add_argument("--file", help="Read the document from this file ('-' for stdin).")
        parser.add_argument(
            "--user",
            help="Import as this member of the team (admin or owner). "
            "Default: the team's first owner.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        scope = command_scope(
            options["team"], options.get("user"), role=Role.ADMIN, doing="importing a spec"
        )
        data, filename = self._read(options.get("file"))
        started = time.perf_counter()
        try:
            result = spec_import(
                scope=scope,
                name=options["name"],
                url=options.get("url") or "",
                data=data,
                filename=filename,
            )
        except SpecImportError as exc:
            raise CommandError(f"Nothing was imported: {exc}") from exc
        except PermissionDenied as exc:
            raise CommandError(
                f"{scope.user.get_username()} may not import specs into {scope.team.name}: {exc}"
            ) from exc
        seconds = time.perf_counter() - started
        verbose = options["verbosity"] >= 2
        version = result.version
        write = self.stdout.write
        write(
            self.style.SUCCESS(
                f"Imported {result.spec.name} v{version.number} into {scope.team.name} "
                f"as {scope.user.get_username()}: {version.operation_count} operations "
                f"in {seconds:.1f} s."
            )
        )
        write(
            f"Document: {version.title} {version.api_version} (OpenAPI {version.openapi_version})."
        )
        skipped = result.skipped_operations
        if skipped:
            write(self.style.WARNING(f"Skipped {len(skipped)} operation(s):"))
            for op in skipped if verbose else skipped[:SHOWN]:
                write(f"  {op.method} {op.path}: {op.pointer}: {op.message}")
            if not verbose and len(skipped) > SHOWN:
                write(f"  … and {len(skipped) - SHOWN} more (--verbosity 2 lists them all).")
        warnings = [p for p in result.skipped if p.get("severity") == "warning"]
        if warnings:
            write(f"{len(warnings)} warning(s) (the operations were imported):")
            for problem in warnings if verbose else warnings[:SHOWN]:
                write(f"  {problem['pointer']}: {problem['message']}")
            if not verbose and len(warnings) > SHOWN:
                write(f"  … and {len(warnings) - SHOWN} more (--verbosity 2 lists them all).")
        if not skipped and not warnings:
            write("No problems found.")

    def _read(self, path: str | None) -> tuple[bytes | None, str | None]:
        if path is None:
            return None, None
        limit = settings.CONSOLE_SPEC_MAX_BYTES
        if path == "-":
            data = sys.stdin.buffer.read(limit + 1)
            name = None
        else:
            file = Path(path)
            if not file.is_file():
                raise CommandError(f"There is no file {path}.")
            if file.stat().st_size > limit:
                raise CommandError(
                    f"Nothing was imported: {path} is larger than the spec size limit "
                    f"({limit // (1024 * 1024)} MB, CONSOLE_SPEC_MAX_BYTES)."
                )
            try:
                data = file.read_bytes()
            except OSError as exc:
                raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
            name = file.name
        if len(data) > limit:
            raise CommandError(
                "Nothing was imported: the document is larger than the spec size limit "
                f"({limit // (1024 * 1024)} MB, CONSOLE_SPEC_MAX_BYTES)."
            )
        return data, name
