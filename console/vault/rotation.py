"""Re-encrypting every stored secret under the current (first) key.

Each value is swapped only if it is still what was read (compare and swap), so a
rotation can run while the console serves calls: a token saved meanwhile is
already under the current key and is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models

from console.vault import crypto
from console.vault.models import ApplicationAccess, CachedToken

ENCRYPTED_FIELDS: list[tuple[type[models.Model], str]] = [
    (ApplicationAccess, "client_id_encrypted"),
    (ApplicationAccess, "client_secret_encrypted"),
    (CachedToken, "token_encrypted"),
]


@dataclass
class RotationReport:
    """How many values were re-encrypted, already current, or unreadable."""

    changed: int = 0
    current: int = 0
    unreadable: list[str] = field(default_factory=list)


def rotate_all() -> RotationReport:
    """Re-encrypt every encrypted value that is not under the first key yet."""
    report = RotationReport()
    for model, name in ENCRYPTED_FIELDS:
        rows = model.objects.exclude(**{name: ""}).values_list("pk", name).iterator()
        for pk, value in rows:
            if crypto.is_current(value):
                report.current += 1
                continue
            try:
                rotated = crypto.rotate(value)
            except crypto.UndecryptableValue:
                report.unreadable.append(f"{model._meta.verbose_name} #{pk} ({name})")
                continue
            swapped = model.objects.filter(pk=pk, **{name: value}).update(**{name: rotated})
            report.changed += swapped
            report.current += 1 - swapped
    return report
