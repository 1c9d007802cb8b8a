"""Free requests: saving them, and sending one to an Application Access's environment.

`free_send` gives a call typed by hand the guarantees of a spec Send: members and above
(viewers 403), only the team's accesses (404), the access's own refusals, only the
environment's host (a path that would leave it is refused with a message), the production
guard for methods that change things, the caller's credential and hop-by-hop headers
dropped (the managed token is added here), the outbound client's size limits, redaction
and one history record. It goes out through `explorer.services.exchange`, as the
pass-through does.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote, unquote_plus, urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404

from console.api.passthrough import forwarded_headers
from console.core.text import clean_name as _clean_name
from console.core.text import clean_text
from console.explorer.rendering import render_body
from console.explorer.services import CallOutcome, exchange, needs_production_confirmation
from console.freeform.models import FreeRequest, Method
from console.history.redaction import (
    REDACTED,
    redact_headers,
    redact_json_text,
    scrub,
    scrub_bytes,
    sensitive_keys,
)
from console.history.services import CallFacts, call_record
from console.specs.engine.jsontext import InvalidJson, parse_json
from console.specs.engine.request import join_url
from console.teams.models import Role
from console.teams.scoping import TeamScope
from console.variables.services import (
    UnresolvedVariables,
    resolve_request,
    scrub_secrets,
    secret_forms_for,
    variables_for,
)
from console.vault import services as vault
from console.vault.models import ApplicationAccess

MAX_NAME = 200
MAX_PATH = 2000
MAX_ROWS = 100
MAX_ROW_TEXT = 8000
METHODS = tuple(Method.values)
# A header name is an RFC 9110 token.
_HEADER_NAME = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_CONTROL = re.compile(r"[\x00-\x20\x7f]")
_ELSEWHERE = (
    "Type the path only, such as /metering/v1/meter-types: the host comes from the "
    "Application Access's environment."
)


class FreeRequestError(Exception):
    """A free request that cannot be saved or sent, with one message for a person."""


@dataclass(frozen=True)
class Row:
    """One query or header row."""

    name: str
    value: str
    enabled: bool = True

    def as_json(self) -> dict[str, Any]:
        """The row as the model stores it."""
        return {"name": self.name, "value": self.value, "enabled": self.enabled}


def clean_rows(rows: Iterable[Any], what: str = "row") -> list[Row]:
    """Rows from dicts (``name``, ``value``, ``enabled``) or pairs; rows without a name go.

    Raises FreeRequestError for too many rows or an over-long value.
    """
    out: list[Row] = []
    for row in rows or ():
        if isinstance(row, Row):
            name, value, enabled = row.name, row.value, row.enabled
        elif isinstance(row, Mapping):
            name, value = row.get("name", ""), row.get("value", "")
            enabled = row.get("enabled", True) not in (False, "false", "0", "", None)
        elif isinstance(row, list | tuple) and len(row) in (2, 3):
            name, value = row[0], row[1]
            enabled = bool(row[2]) if len(row) == 3 else True
        else:
            continue
        name = clean_text(name, f"a {what}'s name", FreeRequestError).strip()
        value = clean_text(value, f"the value of the {what} {name[:60]}", FreeRequestError)
        if not name:
            continue
        if len(name) > MAX_ROW_TEXT or len(value) > MAX_ROW_TEXT:
            raise FreeRequestError(f"A {what} has more than {MAX_ROW_TEXT} characters.")
        out.append(Row(name, value, bool(enabled)))
    if len(out) > MAX_ROWS:
        raise FreeRequestError(f"A request has at most {MAX_ROWS} {what}s.")
    return out


def clean_method(method: str) -> str:
    """The method in capitals; an error for one free requests do not send."""
    method = str(method or "").strip().upper()
    if method not in METHODS:
        raise FreeRequestError(f"Choose a method: {', '.join(METHODS)}.")
    return method


def clean_name(name: str) -> str:
    """The name as stored: one line, trimmed; an error when empty, too long or holding
    a character that cannot be stored."""
    return _clean_name(name, "request", FreeRequestError, MAX_NAME)


def path_problem(path: str) -> str | None:
    """Why `path` cannot be sent below an environment's base URL; None when it can.

    Refused: absolute URLs and scheme changes (``https://…``, ``mailto:``), a host
    (``//host``), backslashes, spaces and control characters, fragments, and ``.`` or
    ``..`` segments (also percent-encoded), which would leave the base URL's path.
    """
    if len(path) > MAX_PATH:
        return f"The path has more than {MAX_PATH} characters."
    if "://" in path or path.startswith("//") or "\\" in path:
        return _ELSEWHERE
    head = path.split("/", 1)[0].split("?", 1)[0]
    if ":" in head:  # a scheme such as https: or javascript:
        return _ELSEWHERE
    if _CONTROL.search(path):
        return "The path cannot hold spaces or control characters: percent-encode them (%20)."
    if "#" in path:
        return "The path cannot hold a fragment (#…): it is never sent to the API."
    segments = unquote(unquote(path.split("?", 1)[0])).split("/")
    if any(segment in (".", "..") for segment in segments):
        return "The path cannot hold . or .. segments: type the path as the API names it."
    parts = urlsplit(path)
    if parts.scheme or parts.netloc:
        return _ELSEWHERE
    return None


# A value that is only a {{variable}}: kept when saved, the secret stays in the variable.
_ONLY_VARIABLE = re.compile(r"\{\{[^{}]+\}\}")


def _hidden_value(name: str, value: str) -> str:
    """`value` as stored for a query parameter or form field called `name`: redacted when
    the name is one of the saved-request rules' secret names (`sensitive_keys`), unless
    the value is a ``{{variable}}``."""
    if value and name.lower() in sensitive_keys() and not _ONLY_VARIABLE.fullmatch(value):
        return REDACTED
    return value


def redact_pairs_text(text: str) -> str:
    """Form-encoded text (``a=1&client_secret=…``) with secret-named values redacted,
    every other byte kept as typed."""
    parts = []
    for part in text.split("&"):
        name, eq, value = part.partition("=")
        if eq and _hidden_value(unquote_plus(name).strip(), unquote_plus(value)) == REDACTED:
            value = REDACTED
        parts.append(name + eq + value)
    return "&".join(parts)


def stored_path(path: str) -> str:
    """The path (or URL) as stored and shown: a query typed into it follows the query
    rows' rules (secret-named values redacted)."""
    head, mark, query = path.partition("?")
    return head + mark + redact_pairs_text(query) if mark else path


def _is_form(body_content_type: str, headers: list[Row]) -> bool:
    declared = body_content_type or next(
        (r.value for r in headers if r.name.lower() == "content-type"), ""
    )
    return "application/x-www-form-urlencoded" in declared.lower()


def _check_header_names(rows: list[Row]) -> None:
    """Header names are tokens (RFC 9110): no {{variables}}, spaces or line breaks."""
    for row in rows:
        if "{{" in row.name:
            raise FreeRequestError(
                "A header name cannot hold a {{variable}}: type the name, and put "
                "variables in the value."
            )
        if not _HEADER_NAME.match(row.name):
            shown = _CONTROL.sub(" ", row.name[:60]).strip()
            raise FreeRequestError(f"“{shown}” is not a header name (letters, digits and - only).")


def _stored_rows(rows: list[Row], *, headers: bool) -> list[dict[str, Any]]:
    if not headers:
        return [Row(r.name, _hidden_value(r.name, r.value), r.enabled).as_json() for r in rows]
    _check_header_names(rows)
    # Credential headers are not kept: they would never be sent anyway, and a saved
    # request is shown to the whole team. Values named like a secret are redacted.
    kept = [r for r in rows if forwarded_headers({r.name: r.value})]
    redacted = redact_headers([(r.name, r.value) for r in kept])
    return [
        Row(r.name, value, r.enabled).as_json()
        for r, (_, value) in zip(kept, redacted, strict=True)
    ]


def _fields(
    *,
    method: str,
    path: str,
    query: Iterable[Any],
    headers: Iterable[Any],
    body: str,
    body_content_type: str,
) -> dict[str, Any]:
    path = clean_text(path, "the path", FreeRequestError).strip()
    # Only the template is checked here ({{variables}} may still hold anything).
    problem = path_problem(path)
    if problem:
        raise FreeRequestError(problem)
    header_rows = clean_rows(headers, "header")
    body = clean_text(body, "the body", FreeRequestError)
    body_content_type = clean_text(body_content_type, "the content type", FreeRequestError)
    body_content_type = body_content_type.strip()[:200]
    # The saved-request rules: secret-named values are not kept (a {{variable}} is).
    if _is_form(body_content_type, header_rows):
        body = redact_pairs_text(body)
    return {
        "method": clean_method(method),
        "path": stored_path(path),
        "query": _stored_rows(clean_rows(query, "query parameter"), headers=False),
        "headers": _stored_rows(header_rows, headers=True),
        "body": redact_json_text(body),
        "body_content_type": body_content_type,
    }


def free_request_create(
    *,
    scope: TeamScope,
    name: str,
    method: str,
    path: str,
    query: Iterable[Any] = (),
    headers: Iterable[Any] = (),
    body: str = "",
    body_content_type: str = "",
) -> FreeRequest:
    """Save a free request named `name`, shared with the team (members and above)."""
    scope.require(Role.MEMBER)
    return FreeRequest.objects.create(
        team=scope.team,
        name=clean_name(name),
        created_by=scope.user,
        **_fields(
            method=method,
            path=path,
            query=query,
            headers=headers,
            body=body,
            body_content_type=body_content_type,
        ),
    )


def can_edit(scope: TeamScope, free: FreeRequest) -> bool:
    """The member who saved it (while a member or above) and admins may change it."""
    if scope.membership.has_role(Role.ADMIN):
        return True
    return scope.membership.can_send and free.created_by_id == scope.user.pk


def _require_edit(scope: TeamScope, free: FreeRequest) -> None:
    if free.team_id != scope.team.pk:
        raise Http404("No such free request.")
    if not can_edit(scope, free):
        raise PermissionDenied("Only the member who saved it and admins can change it.")


def free_request_update(
    *,
    scope: TeamScope,
    free: FreeRequest,
    method: str,
    path: str,
    query: Iterable[Any] = (),
    headers: Iterable[Any] = (),
    body: str = "",
    body_content_type: str = "",
    name: str | None = None,
) -> FreeRequest:
    """Replace what `free` sends (and its name, when given)."""
    scope.require(Role.MEMBER)
    _require_edit(scope, free)
    fields = _fields(
        method=method,
        path=path,
        query=query,
        headers=headers,
        body=body,
        body_content_type=body_content_type,
    )
    if name is not None:
        fields["name"] = clean_name(name)
    for key, value in fields.items():
        setattr(free, key, value)
    free.save()
    return free


def free_request_delete(*, scope: TeamScope, free: FreeRequest) -> None:
    """Delete `free` (its calls stay in the history; collection steps with it go)."""
    scope.require(Role.MEMBER)
    _require_edit(scope, free)
    free.delete()


# ---------------------------------------------------------------- variables

# What the variables' own pattern does not take ({{my var}}): never sent as typed.
_LEFT_OVER = re.compile(r"\{\{\s*([^{}]+?)\s*\}\}")


def _left_over(*texts: str) -> str | None:
    names = sorted({name for text in texts for name in _LEFT_OVER.findall(text)})
    if not names:
        return None
    shown = ", ".join("{{" + name + "}}" for name in names)
    return f"{shown} is not a variable name (letters, digits, _ . and -): nothing was sent."


# ---------------------------------------------------------------- sending


def _content_type(body: bytes, declared: str, headers: dict[str, str]) -> str:
    """The body's Content-Type: the one chosen, else a Content-Type header row, else
    JSON for text that parses as JSON, else plain text."""
    if declared:
        return declared
    for name, value in headers.items():
        if name.lower() == "content-type":
            return value
    if not body:
        return ""
    try:
        json.loads(body)
    except ValueError:
        return "text/plain; charset=utf-8"
    return "application/json"


def _check_headers(rows: list[Row]) -> str | None:
    for row in rows:
        if not _HEADER_NAME.match(row.name):
            return f"“{row.name[:60]}” is not a header name (letters, digits and - only)."
        if "\r" in row.value or "\n" in row.value or "\x00" in row.value:
            return f"The value of the header {row.name} cannot hold line breaks."
    return None


def _redacted_part(path: str, query: list[Row], headers: list[Row], body: str) -> str:
    """Which part still holds a value redacted when it was saved ("" when none does)."""
    if REDACTED in path:
        return "The path"
    for what, rows in (("query parameter", query), ("header", headers)):
        for row in rows:
            if REDACTED in row.value or REDACTED in row.name:
                return f"The {what} {row.name}"
    return "The body" if REDACTED in body else ""


def free_send(
    *,
    scope: TeamScope,
    access: ApplicationAccess,
    method: str,
    path: str,
    query: Iterable[Any],
    headers: Iterable[Any],
    body: str,
    body_content_type: str = "",
    confirm_production: bool = False,
    confirmed_environment: str | None = None,
    label: str = "",
) -> CallOutcome:
    """Send a request typed by hand to `access`'s environment with the managed token.

    `path` is relative to the environment's base URL; `query` and `headers` are rows
    (dicts or pairs, disabled rows skipped); ``{{variables}}`` in path, query, headers and
    body are resolved for the access's environment first (an unknown one: nothing sent).
    Mutating methods on a production environment need `confirm_production` (and, when
    given, `confirmed_environment` must be this environment's id), as Send does.
    Messages a person can act on come back in the outcome (`sent=False`, `error`).
    """
    started = time.perf_counter()
    scope.require(Role.MEMBER)
    if access.team_id != scope.team.pk:
        raise Http404("No such Application Access.")
    refusal = vault.access_refusal(scope, access)
    if refusal:
        return CallOutcome(sent=False, error=refusal)
    env = access.environment
    try:
        method = clean_method(method)
        path = clean_text(path, "the path", FreeRequestError)
        body = clean_text(body, "the body", FreeRequestError)
        query_rows = [r for r in clean_rows(query, "query parameter") if r.enabled]
        header_rows = [r for r in clean_rows(headers, "header") if r.enabled]
        # Checked before resolving: a {{secret}} in a header name would be sent as the
        # name (and stored unscrubbed), or echoed in the "not a header name" message.
        _check_header_names(header_rows)
    except FreeRequestError as exc:
        return CallOutcome(sent=False, error=str(exc))
    held = _redacted_part(str(path or ""), query_rows, header_rows, str(body or ""))
    if held:
        return CallOutcome(
            sent=False,
            error=f"{held} holds a redacted value ({REDACTED}): type the value, or use a "
            "secret variable such as {{apiKey}}, before sending.",
        )
    variables = variables_for(scope, env)
    # Every secret the environment sees, named in this call or not: one stored upstream by
    # an earlier call may come back in this answer (as for Send, `secret_forms_for`).
    hidden = tuple(dict.fromkeys([*variables.secrets, *secret_forms_for(scope.team.pk, env.pk)]))

    def refused(message: str) -> CallOutcome:
        # Messages after resolving may quote resolved text: never a secret variable's value.
        return CallOutcome(sent=False, error=variables.display(message))

    try:
        _, resolved_path, pairs, header_pairs, text = resolve_request(
            variables,
            method,
            str(path or "").strip(),
            [(r.name, r.value) for r in query_rows],
            [(r.name, r.value) for r in header_rows],
            str(body or ""),
        )
    except UnresolvedVariables as exc:
        return refused(f"{exc.message} Nothing was sent.")
    left = _left_over(
        resolved_path, text, *(part for pair in pairs + header_pairs for part in pair)
    )
    if left:
        return refused(left)
    header_rows = [Row(name, value) for name, value in header_pairs]
    problem = path_problem(resolved_path) or _check_headers(header_rows)
    if problem:
        return refused(problem)
    if "?" in resolved_path:  # a query typed into the path goes before the rows
        resolved_path, typed = resolved_path.split("?", 1)
        pairs = parse_qsl(typed, keep_blank_values=True) + pairs
    payload = text.encode("utf-8")
    if len(payload) > settings.CONSOLE_MAX_UPLOAD_BYTES:
        return refused("The request body is larger than the console sends.")
    sent_headers = forwarded_headers({r.name: r.value for r in header_rows})
    content_type = _content_type(payload, str(body_content_type or "").strip(), sent_headers)
    if payload and "json" in content_type.lower():
        try:
            parse_json(payload, "The request body")
        except InvalidJson as exc:
            return refused(exc.message)
    url = join_url(env.base_url, "", "/" + resolved_path.lstrip("/"), pairs or None)
    base, target = urlsplit(env.base_url), urlsplit(url)
    if (target.scheme, target.netloc) != (base.scheme, base.netloc):
        return refused(_ELSEWHERE)  # belt and braces: never elsewhere
    confirmed = confirm_production and confirmed_environment in (None, str(env.pk))
    if needs_production_confirmation(access, method) and not confirmed:
        # The panel shows both: the URL scrubbed as the history keeps it, the label from
        # the path as typed ({{apiKey}}, not its value).
        typed = "/" + str(path or "").strip().split("?", 1)[0].lstrip("/")
        return CallOutcome(
            sent=False,
            url=scrub(url, hidden),
            method=method,
            needs_confirmation=True,
            environment_name=env.name,
            environment_id=env.pk,
            operation_label=variables.display(label or typed),  # after the method
        )
    headers_out = {"Accept": "application/json, */*;q=0.5"}
    headers_out.update({k: v for k, v in sent_headers.items() if k.lower() != "content-type"})
    if payload and content_type:
        headers_out["Content-Type"] = content_type
    facts = CallFacts(
        method=method,
        url=url,
        request_headers=[*headers_out.items(), ("Authorization", "Bearer [redacted]")],
        request_body=text,
        request_content_type=content_type if payload else "",
    )
    outcome = CallOutcome(sent=True, url=url, method=method)
    sent = exchange(
        scope=scope, access=access, facts=facts, headers=headers_out, body=payload or None
    )
    outcome.upstream_ms, outcome.token_ms = facts.upstream_ms, facts.token_ms
    if sent.response is None:
        outcome.error_kind = facts.error_kind
        outcome.error = scrub(facts.error_message or "", [*sent.used_tokens, *hidden])
    else:
        response, info = sent.response, sent.info
        outcome.status, outcome.reason = response.status, response.reason
        # An answer that echoes a secret variable shows it redacted, as the history keeps it.
        outcome.headers = [(k, scrub_secrets(v, hidden)) for k, v in response.headers]
        outcome.body = render_body(
            scrub_bytes(response.body, hidden),
            response.content_type or "",
            pointers=True,  # the panel's "set a variable from this value"
        )
        outcome.truncated = response.truncated
        outcome.content_type = response.content_type or ""
        outcome.token_source = info.source
        outcome.retried = info.retried
        if response.truncated:
            outcome.error_kind = "truncated"
    facts.duration_ms = (time.perf_counter() - started) * 1000
    outcome.duration_ms = facts.duration_ms
    secrets = [*sent.used_tokens, *hidden]
    # The panel shows this URL too: a secret variable in the path or the query is scrubbed.
    facts.url = scrub(facts.url, secrets)  # `secrets` holds their percent-encoded forms too
    outcome.url = facts.url
    outcome.record = call_record(
        scope=scope, facts=facts, access=access, operation=None, secrets=secrets
    )
    return outcome
