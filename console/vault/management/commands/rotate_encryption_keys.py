"""`python manage.py rotate_encryption_keys`: re-encrypt every secret under the first key."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from console.vault.rotation import rotate_all


class Command(BaseCommand):
    help = (
        "Re-encrypt client IDs, secrets and cached tokens under the first key of "
        "CONSOLE_ENCRYPTION_KEYS. Safe to run twice and while the console serves calls."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = rotate_all()
        self.stdout.write(
            f"Re-encrypted {report.changed} value(s); {report.current} already under the "
            "current key."
        )
        if report.unreadable:
            raise CommandError(
                f"{len(report.unreadable)} value(s) could not be decrypted with any configured "
                "key (was a key removed too early?): " + ", ".join(report.unreadable)
            )
        self.stdout.write(
            self.style.SUCCESS("Every value is under the first key; older keys can be removed.")
        )
