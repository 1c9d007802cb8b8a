"""The pass-through: `/proxy/t/<team>/<access>/<path>` sends a request as it came to the
access's environment with the team's managed token, so `curl` or a generated SDK pointed at
the console works unchanged. The caller's own Authorization (their console API token) is
never forwarded; host rules, size limits, redaction and the history are Send's."""

from __future__ import annotations

import dataclasses
import functools
import re
import time
from dataclasses import dataclass
from typing import Any

from console.api.calls import CallRefused, current_operations
from console.explorer.services import exchange, needs_production_confirmation
from console.history.models import CallRecord
from console.history.redaction import scrub, scrub_bytes
from console.history.services import CallFacts, call_record
from console.specs.engine.request import join_url
from console.specs.models import Operation
from console.teams.models import Role
from console.teams.scoping import TeamScope
from console.upstream.http import UpstreamResponse
from console.variables.services import secret_forms_for
from console.vault import services as vault
from console.vault.models import ApplicationAccess

CONFIRM_HEADER = "X-Console-Confirm-Production"
# Not forwarded: the caller's credentials, what belongs to this hop, and what the outbound
# client sets itself; and method overrides (a GET carrying X-HTTP-Method-Override: DELETE
# would change things past the production guard, which looks at the real method).
REQUEST_DROPPED = frozenset({
    "authorization", "cookie", "host", "content-length", "connection", "keep-alive",
    "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding",
    "upgrade", "accept-encoding", CONFIRM_HEADER.lower(),
    "x-http-method-override", "x-http-method", "x-method-override",
})  # fmt: skip
RESPONSE_DROPPED = frozenset({
    "connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding",
    "set-cookie", "proxy-authenticate", "trailer", "upgrade",
})  # fmt: skip


@dataclass(frozen=True)
class Passed:
    """What came back: the answer (None when the call failed) and its history record."""

    response: UpstreamResponse | None
    record: CallRecord
    error_kind: str = ""
    error: str = ""


@functools.lru_cache(maxsize=4096)
def _template(path: str) -> re.Pattern[str]:
    pattern = re.sub(r"\\\{[^/{}]+\\\}", "[^/]+", re.escape(path))
    return re.compile(pattern + "/?")


def matching_operation(scope: TeamScope, method: str, path: str) -> Operation | None:
    """The spec operation whose method and path template match, if exactly one does."""
    found = [
        op
        for op in current_operations(scope)
        .filter(method__iexact=method)
        .only("id", "path", "operation_id", "summary", "method", "version", "team")
        if _template(op.path).fullmatch(path)
    ]
    return found[0] if len(found) == 1 else None


def forwarded_headers(headers: Any) -> dict[str, str]:
    """The request's headers that go on to Usage Engine."""
    return {
        name: value
        for name, value in headers.items()
        if name.lower() not in REQUEST_DROPPED and not name.lower().startswith("x-forwarded-")
    }


def returned_headers(response: UpstreamResponse) -> list[tuple[str, str]]:
    """The answer's headers that go back to the caller."""
    return [(k, v) for k, v in response.headers if k.lower() not in RESPONSE_DROPPED]


def pass_through(
    *,
    scope: TeamScope,
    access: ApplicationAccess,
    method: str,
    path: str,
    query: str,
    headers: Any,
    body: bytes,
) -> Passed:
    """Send one request to `access`'s environment with the managed token; record it."""
    started = time.perf_counter()
    scope.require(Role.MEMBER)
    refusal = vault.access_refusal(scope, access)
    if refusal:
        raise CallRefused(403, "forbidden", refusal)
    method = method.upper()
    env = access.environment
    if needs_production_confirmation(access, method) and (
        headers.get(CONFIRM_HEADER, "") != env.name
    ):
        raise CallRefused(
            409,
            "confirmation_needed",
            f"{env.name} is a production environment: send the header "
            f"{CONFIRM_HEADER}: {env.name} to make this {method} call.",
        )
    path = "/" + path.lstrip("/")
    url = join_url(env.base_url, "", path) + (f"?{query}" if query else "")
    sent_headers = forwarded_headers(headers)
    operation = matching_operation(scope, method, path)
    facts = CallFacts(
        method=method,
        url=url,
        request_headers=[*sent_headers.items(), ("Authorization", "Bearer [redacted]")],
        request_body=body.decode("utf-8", errors="replace"),
        request_content_type=headers.get("Content-Type", ""),
    )
    sent = exchange(
        scope=scope, access=access, facts=facts, headers=sent_headers, body=body or None
    )
    facts.duration_ms = (time.perf_counter() - started) * 1000
    # The environment's secret variables never go back to the caller nor into the history:
    # an answer may hold one that an earlier call stored upstream.
    hidden = secret_forms_for(scope.team.pk, access.environment_id)
    record = call_record(
        scope=scope,
        facts=facts,
        access=access,
        operation=operation,
        secrets=[*sent.used_tokens, *hidden],
    )
    return Passed(_scrubbed(sent.response, hidden), record, facts.error_kind, facts.error_message)


def _scrubbed(
    response: UpstreamResponse | None, secrets: tuple[str, ...]
) -> UpstreamResponse | None:
    """`response` with `secrets` replaced in its body and header values."""
    if response is None or not secrets:
        return response
    return dataclasses.replace(
        response,
        headers=[(k, scrub(v, secrets)) for k, v in response.headers],
        body=scrub_bytes(response.body, secrets),
    )
