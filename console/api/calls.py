"""Calls through the console's API and the command line: an operation by its operationId
with JSON parameters and body, through the same `run_operation` as the form's Send."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

from django.db.models import OuterRef, Subquery

from console.explorer.services import CallOutcome, operation_open, run_operation
from console.specs.engine.fields import FieldSpec
from console.specs.models import Operation, SpecVersion
from console.teams.scoping import TeamScope
from console.vault.models import ApplicationAccess


class CallRefused(Exception):
    """A call that cannot be made as asked: a status, a code, a sentence, field errors."""

    def __init__(
        self, status: int, code: str, message: str, fields: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.fields = fields or {}


def current_operations(scope: TeamScope) -> Any:
    """The operations of each spec's newest version, in the team."""
    newest = SpecVersion.objects.filter(spec=OuterRef("spec")).order_by("-number").values("pk")
    versions = SpecVersion.objects.filter(team=scope.team, pk=Subquery(newest[:1]))
    return Operation.objects.filter(team=scope.team, version__in=versions).select_related(
        "version__spec"
    )


def find_operation(scope: TeamScope, operation_id: str, spec: str = "") -> Operation:
    """The operation with this operationId in the newest version of the team's specs
    (of the spec named `spec` when several specs have one)."""
    matches = current_operations(scope).filter(operation_id=operation_id)
    if spec:
        matches = matches.filter(version__spec__name=spec)
    found = list(matches[:10])
    if not found:
        raise CallRefused(404, "not_found", f"No operation {operation_id!r} in the team's specs.")
    if len(found) > 1:
        names = ", ".join(sorted(op.version.spec.name for op in found))
        raise CallRefused(
            409, "ambiguous", f"{operation_id!r} is in several specs ({names}): name one as spec."
        )
    return found[0]


def find_access(scope: TeamScope, reference: Any) -> ApplicationAccess:
    """The team's Application Access named `reference` (its name, or its id)."""
    accesses = scope.all(ApplicationAccess).select_related("environment")
    text = str(reference or "").strip()
    access = accesses.filter(name=text).first()
    if access is None and text.isdigit():
        access = accesses.filter(pk=int(text)).first()
    if access is None:
        raise CallRefused(
            404, "not_found", f"No Application Access {text!r} in the team." if text else
            "Say which Application Access to call with (access: its name)."
        )  # fmt: skip
    return access


def _form_text(value: Any, spec: FieldSpec) -> Any:
    """A JSON value as the operation form would have posted it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if spec.multiple and isinstance(value, list):
        return [_form_text(item, spec) for item in value]
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _values(fields: list[FieldSpec], given: dict[str, Any], prefix: str) -> dict[str, Any]:
    """Parameters by name (or "location:name") as the form's posted values."""
    by_name: dict[str, list[FieldSpec]] = {}
    for spec in fields:
        by_name.setdefault(spec.name, []).append(spec)
        by_name.setdefault(spec.html_name, []).append(spec)
    values, unknown = {}, {}
    for name, value in given.items():
        specs = by_name.get(name, [])
        if len(specs) != 1:
            unknown[name] = (
                f"{prefix}{name} is not a parameter of this operation"
                if not specs
                else f"{name} is in several places: write it as "
                + " or ".join(s.html_name for s in specs)
            )
            continue
        values[specs[0].html_name] = _form_text(value, specs[0])
    if unknown:
        raise CallRefused(400, "invalid", "Some parameters are not this operation's.", unknown)
    return values


@dataclass
class ApiCall:
    """A call made, as the API answers it."""

    outcome: CallOutcome
    names: dict[str, str] = field(default_factory=dict)  # form field name -> parameter name


def api_call(
    *,
    scope: TeamScope,
    operation: Operation,
    access: ApplicationAccess,
    params: dict[str, Any] | None = None,
    body: Any = None,
    confirm_production: str = "",
) -> ApiCall:
    """Call `operation` with `access`: `params` by name, `body` as JSON (an object for a
    form body). Checked against the spec like the form; on a production environment a
    method that changes things needs `confirm_production` naming the environment."""
    if not isinstance(params or {}, dict):
        raise CallRefused(400, "invalid", "params must be an object of parameter values.")
    form = operation_open(scope=scope, operation=operation)
    values = _values(form.fields, params or {}, "")
    text = ""
    if body is not None:
        if form.body_is_form:
            if not isinstance(body, dict):
                raise CallRefused(400, "invalid", "This operation's body is a form: an object.")
            values.update(_values(form.body_fields, body, "body field "))
        elif form.body_kind:
            text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
        else:
            raise CallRefused(400, "invalid", "This operation takes no request body.")
    outcome = run_operation(
        scope=scope,
        access=access,
        operation=operation,
        values=values,
        body=text,
        confirm_production=bool(confirm_production)
        and confirm_production == access.environment.name,
    )
    names = {spec.html_name: spec.name for spec in [*form.fields, *form.body_fields]}
    return ApiCall(outcome, names)


def outcome_json(call: ApiCall) -> tuple[int, dict[str, Any]]:
    """The API's answer for a call: its HTTP status and JSON."""
    outcome = call.outcome
    if outcome.needs_confirmation:
        return 409, {
            "error": "confirmation_needed",
            "message": (
                f"{outcome.environment_name} is a production environment: send "
                f'"confirm_production": "{outcome.environment_name}" to make this '
                f"{outcome.method} call."
            ),
        }
    if not outcome.sent and outcome.record is None:
        fields = {call.names.get(k, k): v for k, v in outcome.field_errors.items()}
        return 400, {
            "error": "invalid",
            "message": outcome.error or "The values do not match the operation's spec.",
            "fields": fields,
        }
    answer: dict[str, Any] = {
        "record_id": outcome.record.pk if outcome.record else None,
        "method": outcome.method,
        "url": outcome.url,
        "duration_ms": round(outcome.duration_ms, 1),
    }
    if outcome.status is None:
        answer.update(error=outcome.error_kind or "failed", message=outcome.error)
        return 502, answer
    record = outcome.record
    raw = _response_bytes(record)
    answer.update(
        status=outcome.status,
        headers=[[k, v] for k, v in outcome.headers],
        truncated=outcome.truncated or bool(record and record.response_truncated),
    )
    answer.update(_body_json(raw, outcome.content_type, record))
    return 200, answer


def _response_bytes(record: Any) -> bytes:
    if record is None:
        return b""
    if record.response_body_b64:
        return base64.b64decode(record.response_body_b64)
    return record.response_body.encode()


def _body_json(raw: bytes, content_type: str, record: Any) -> dict[str, Any]:
    """The answer's body as the history kept it (redacted): parsed JSON, text or base64."""
    if record is not None and record.response_body_b64:
        return {"body_base64": base64.b64encode(raw).decode("ascii")}
    text = raw.decode("utf-8", errors="replace")
    if "json" in content_type:
        try:
            return {"body": json.loads(text)}
        except ValueError:
            pass
    return {"body": text}
