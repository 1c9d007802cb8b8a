"""Recording credential events in the team's history."""

from __future__ import annotations

from typing import Any

from console.history.models import AuditAction, AuditEvent


def audit_record(
    *, team: Any, user: Any, action: AuditAction, access: Any, **detail: Any
) -> AuditEvent:
    """Store one credential event; `detail` must hold nothing secret."""
    return AuditEvent.objects.create(
        team=team,
        user=user,
        username=user.get_username() if user is not None else "system",
        action=action,
        access=access,
        access_name=access.name,
        environment_name=access.environment.name,
        detail=detail,
    )
