"""Writing call records: one per attempted call, secrets redacted first."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from console.explorer.rendering import is_binary
from console.history.chain import chain_append
from console.history.models import CallRecord
from console.history.redaction import (
    redact_body,
    redact_form_values,
    redact_headers,
    scrub,
    scrub_bytes,
)
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
    upstream_ms: float = 0.0
    token_source: str = ""
    error_kind: str = ""
    error_message: str = ""
    # The operation form's values and body options (`explorer.reopen.FormState.options`).
    form_values: dict[str, Any] | None = None


def _decode(body: bytes) -> str:
    return body.decode("utf-8", errors="replace")


def _stored_form(form: dict[str, Any] | None, secrets: list[str]) -> dict[str, Any] | None:
    """The form's values as a record keeps them: redacted like the request."""
    if form is None:
        return None
    return {**form, "values": redact_form_values(form.get("values") or {}, secrets)}


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
    # A binary answer keeps its first `limit` bytes as base64 (for the download), with
    # the call's token scrubbed from them like from text; `response_body` says what it is.
    binary = is_binary(stored_body, facts.response_content_type)
    response_b64 = ""
    if binary:
        response_text = f"[{len(facts.response_body)} bytes of binary content]"
        response_b64 = base64.b64encode(scrub_bytes(stored_body, secrets)).decode("ascii")
    else:
        response_text = redact_body(_decode(stored_body), facts.response_content_type, secrets)
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
        url=scrub(facts.url, secrets),  # a secret variable may be in a path or query
        request_headers=redact_headers(facts.request_headers, secrets),
        request_body=redact_body(facts.request_body[:limit], facts.request_content_type, secrets),
        form_values=_stored_form(facts.form_values, secrets),
        status=facts.status,
        response_headers=redact_headers(facts.response_headers, secrets),
        response_body=response_text,
        response_body_b64=response_b64,
        response_size=len(facts.response_body),
        response_truncated=truncated,
        duration_ms=round(facts.duration_ms, 2),
        token_ms=round(facts.token_ms, 2),
        upstream_ms=round(facts.upstream_ms, 2),
        token_source=facts.token_source,
        error_kind=facts.error_kind,
        error_message=facts.error_message,
        via=scope.via,
    )
    return chain_append(record)
