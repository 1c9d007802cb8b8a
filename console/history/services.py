"""Writing call records: one per attempted call, secrets redacted first."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from console.history.chain import chain_append
from console.history.models import CallRecord
from console.history.redaction import redact_body, redact_headers
from console.teams.scoping import TeamScope


@dataclass
class CallFacts:
    """Everything known about one attempted call, before redaction."""

    method: str
    url: str
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    request_body: str = ""
    request_content_type: str = ""
    status: int | None = None
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    response_body: bytes = b""
    response_content_type: str = ""
    response_truncated: bool = False
    duration_ms: float = 0.0
    token_ms: float = 0.0
    token_source: str = ""
    error_kind: str = ""
    error_message: str = ""


def _decode(body: bytes) -> str:
    return body.decode("utf-8", errors="replace")


def call_record(
    *,
    scope: TeamScope,
    facts: CallFacts,
    access: Any = None,
    operation: Any = None,
    secrets: Iterable[str] = (),
) -> CallRecord:
    """Store one call in the team's history, redacting credentials and known secrets."""
    secrets = [s for s in secrets if s]
    limit = settings.CONSOLE_HISTORY_BODY_LIMIT
    stored_body = facts.response_body[:limit]
    truncated = facts.response_truncated or len(facts.response_body) > limit
    is_text = not stored_body or b"\x00" not in stored_body[:1024]
    response_text = (
        redact_body(_decode(stored_body), facts.response_content_type, secrets)
        if is_text
        else f"[{len(facts.response_body)} bytes of binary content not stored]"
    )
    record = CallRecord(
        team=scope.team,
        user=scope.user,
        username=scope.user.get_username(),
        access=access,
        access_name=getattr(access, "name", ""),
        environment_name=getattr(getattr(access, "environment", None), "name", ""),
        operation=operation,
        operation_key=getattr(operation, "operation_id", ""),
        operation_label=getattr(operation, "label", ""),
        method=facts.method,
        url=facts.url,
        request_headers=redact_headers(facts.request_headers, secrets),
        request_body=redact_body(facts.request_body[:limit], facts.request_content_type, secrets),
        status=facts.status,
        response_headers=redact_headers(facts.response_headers, secrets),
        response_body=response_text,
        response_size=len(facts.response_body),
        response_truncated=truncated,
        duration_ms=round(facts.duration_ms, 2),
        token_ms=round(facts.token_ms, 2),
        token_source=facts.token_source,
        error_kind=facts.error_kind,
        error_message=facts.error_message,
    )
    return chain_append(record)
