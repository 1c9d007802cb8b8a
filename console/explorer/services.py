"""The explorer's use cases: open an operation as a form, and run it.

`run_operation` is the one path by which a call leaves the console: it builds the
request from the spec, gets the shared token from the broker, sends through the
safe outbound client, and writes exactly one history record for every call it
attempted, whatever happened.
"""

from __future__ import annotations

import functools
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.http import Http404

from console.explorer.rendering import RenderedBody, render_body
from console.history.models import CallRecord
from console.history.services import CallFacts, call_record
from console.specs.engine.errors import RequestBuildError
from console.specs.engine.examples import example_for_schema
from console.specs.engine.fields import FieldSpec, fields_for_operation, parse_field_value
from console.specs.engine.operation import Operation as ResolvedOperation
from console.specs.engine.operation import load_operation
from console.specs.engine.request import build_request, join_url, server_path_prefix
from console.specs.models import Operation, SpecVersion
from console.teams.models import Role
from console.teams.scoping import TeamScope
from console.upstream.errors import UpstreamError
from console.upstream.http import OutboundPolicy, UpstreamResponse, send
from console.upstream.tokens import Token
from console.vault import services as vault
from console.vault.models import ApplicationAccess


@functools.lru_cache(maxsize=8)
def _document(version_id: int) -> dict[str, Any]:
    """A spec version's document, parsed once per process (documents never change)."""
    return SpecVersion.objects.values_list("document", flat=True).get(pk=version_id)


@dataclass(frozen=True)
class OperationForm:
    """Everything the operation page shows: the resolved operation, its fields, a body."""

    operation: Operation
    resolved: ResolvedOperation
    fields: list[FieldSpec]
    body_content_type: str | None
    body_example: str
    body_required: bool


def _json_text(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


def _body_example(media: Any) -> Any:
    """The spec's own example when it has one, else one built from the schema."""
    if media.example is not None:
        return media.example
    if media.examples:
        return next(iter(media.examples.values()))
    return example_for_schema(media.schema or {}, direction="request")


def operation_open(*, scope: TeamScope, operation: Operation) -> OperationForm:
    """Resolve one operation of the team's spec and build its form."""
    if operation.team_id != scope.team.pk:
        raise Http404("No such operation.")
    resolved = load_operation(_document(operation.version_id), operation.method, operation.path)
    body = resolved.request_body
    content_type, example = None, ""
    if body is not None and body.content:
        json_types = [ct for ct in body.content if "json" in ct.split(";")[0]]
        content_type = json_types[0] if json_types else next(iter(body.content))
        media = body.content[content_type]
        if json_types:
            example = _json_text(_body_example(media))
    return OperationForm(
        operation=operation,
        resolved=resolved,
        fields=fields_for_operation(resolved),
        body_content_type=content_type,
        body_example=example,
        body_required=bool(body and body.required),
    )


@dataclass
class CallOutcome:
    """What the response panel shows after Send."""

    sent: bool
    field_errors: dict[str, str] = field(default_factory=dict)
    record: CallRecord | None = None
    status: int | None = None
    reason: str = ""
    url: str = ""
    method: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: RenderedBody | None = None
    truncated: bool = False
    content_type: str = ""
    duration_ms: float = 0.0
    token_ms: float = 0.0
    upstream_ms: float = 0.0
    token_source: str = ""
    retried: bool = False
    error_kind: str = ""
    error: str = ""


def _parse_values(
    fields: list[FieldSpec], raw: Any
) -> tuple[dict[tuple[str, str], Any], dict[str, str]]:
    """Typed values from the posted form, and a message per field that does not parse."""
    values: dict[tuple[str, str], Any] = {}
    errors: dict[str, str] = {}
    for spec in fields:
        posted = raw.getlist(spec.html_name) if hasattr(raw, "getlist") else raw.get(spec.html_name)
        if isinstance(posted, list) and not spec.multiple:
            posted = posted[-1] if posted else ""
        value, error = parse_field_value(spec, posted if posted is not None else "")
        if error:
            errors[spec.html_name] = f"{spec.label} {error}."
        elif value is not None:
            values[spec.key] = value
    return values, errors


def _check_json_body(body: str, content_type: str | None) -> str | None:
    """A message when a JSON body does not parse, so nothing malformed is sent."""
    if not body.strip() or not content_type or "json" not in content_type:
        return None
    try:
        json.loads(body)
    except ValueError as exc:
        return f"The request body is not valid JSON: {exc}."
    return None


def _policy_for(access: ApplicationAccess) -> OutboundPolicy:
    """Calls with an Application Access may only reach its environment's host."""
    base = vault.outbound_policy()
    parts = urlsplit(access.environment.base_url)
    hosts = {(parts.hostname or "").lower()}
    if parts.port:
        hosts.add(f"{(parts.hostname or '').lower()}:{parts.port}")
    return OutboundPolicy(
        allowed_hosts=frozenset(hosts),
        allow_private=base.allow_private,
        allow_http=base.allow_http,
        connect_timeout=base.connect_timeout,
        read_timeout=base.read_timeout,
        max_response_bytes=base.max_response_bytes,
    )


def run_operation(
    *,
    scope: TeamScope,
    access: ApplicationAccess,
    operation: Operation,
    values: Any,
    body: str = "",
) -> CallOutcome:
    """Build, authorise, send and record one call of `operation` with `access`."""
    scope.require(Role.MEMBER)
    if access.team_id != scope.team.pk:
        raise Http404("No such Application Access.")
    refusal = vault.access_refusal(scope, access)
    if refusal:
        return CallOutcome(sent=False, error=refusal)
    form = operation_open(scope=scope, operation=operation)
    parsed, field_errors = _parse_values(form.fields, values)
    if field_errors:
        return CallOutcome(sent=False, field_errors=field_errors)
    content_type = form.body_content_type if body.strip() else None
    body_error = _check_json_body(body, content_type)
    if body_error:
        return CallOutcome(sent=False, field_errors={"body": body_error}, error=body_error)
    try:
        built = build_request(
            form.resolved, parsed, body.encode() if body.strip() else None, content_type
        )
    except RequestBuildError as exc:
        errors = {f"{loc}:{name}" if name else loc: exc.message for loc, name in exc.fields}
        return CallOutcome(sent=False, field_errors=errors, error=exc.message)

    env = access.environment
    url = join_url(env.base_url, server_path_prefix(form.resolved.servers), built.path, built.query)
    headers = {"Accept": "application/json, */*;q=0.5", **built.headers}
    if built.content_type:
        headers["Content-Type"] = built.content_type
    if built.cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in built.cookies.items())
    facts = CallFacts(
        method=built.method,
        url=url,
        # The token itself is never put in the facts; the scheme stays readable.
        request_headers=[*headers.items(), ("Authorization", "Bearer [redacted]")],
        request_body=(built.body or b"").decode("utf-8", errors="replace"),
        request_content_type=built.content_type or "",
    )
    outcome = CallOutcome(sent=True, url=url, method=built.method)
    policy = _policy_for(access)
    used_tokens: list[str] = []

    def do(token: Token) -> UpstreamResponse:
        used_tokens.append(token.access_token)
        return send(
            policy,
            method=built.method,
            url=url,
            headers={**headers, "Authorization": f"Bearer {token.access_token}"},
            body=built.body,
        )

    started = time.perf_counter()
    try:
        response, info = vault.access_call(access, do, scope=scope)
    except (UpstreamError, vault.VaultError) as exc:
        facts.error_kind = getattr(exc, "kind", "vault")
        facts.error_message = getattr(exc, "message", str(exc))
        outcome.error_kind, outcome.error = facts.error_kind, facts.error_message
    else:
        facts.status = response.status
        facts.response_headers = list(response.headers)
        facts.response_body = response.body
        facts.response_content_type = response.content_type or ""
        facts.response_truncated = response.truncated
        facts.token_ms = info.token_ms
        facts.token_source = info.source
        outcome.status, outcome.reason = response.status, response.reason
        outcome.headers = list(response.headers)
        outcome.body = render_body(response.body, response.content_type or "")
        outcome.truncated = response.truncated
        outcome.content_type = response.content_type or ""
        outcome.upstream_ms = response.elapsed_ms
        outcome.token_ms, outcome.token_source = info.token_ms, info.source
        outcome.retried = info.retried
        if response.truncated:
            outcome.error_kind = "truncated"
    facts.duration_ms = (time.perf_counter() - started) * 1000
    outcome.duration_ms = facts.duration_ms
    outcome.record = call_record(
        scope=scope, facts=facts, access=access, operation=operation, secrets=used_tokens
    )
    return outcome
