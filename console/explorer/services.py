"""The explorer's use cases: open an operation as a form, and run it.

`run_operation` is the one path by which a call leaves the console: it builds the
request from the spec, gets the shared token from the broker, sends through the
safe outbound client, and writes exactly one history record for every call it
attempted, whatever happened.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import TextField
from django.db.models.functions import Cast
from django.http import Http404
from urllib3 import encode_multipart_formdata
from urllib3.fields import RequestField

from console.core.http import MUTATING_METHODS
from console.explorer.rendering import RenderedBody, render_body
from console.explorer.reopen import capture
from console.explorer.timing import TimingSplit
from console.history.models import CallRecord
from console.history.redaction import scrub_bytes
from console.history.services import CallFacts, call_record
from console.specs.engine import patterns
from console.specs.engine.errors import RequestBuildError
from console.specs.engine.examples import Variant, example_for_schema, variants_for_schema
from console.specs.engine.fields import (
    MAX_FORM_FIELDS,
    FieldSpec,
    fields_for_object_schema,
    fields_for_operation,
    is_flat_object,
    object_properties,
    parse_field_value,
    too_many_fields,
)
from console.specs.engine.jsontext import InvalidJson, parse_json
from console.specs.engine.operation import MediaType, load_operation
from console.specs.engine.operation import Operation as ResolvedOperation
from console.specs.engine.request import (
    build_request,
    join_url,
    scalar_text,
    server_path_prefix,
)
from console.specs.engine.responses import ResponseCheck, check_response
from console.specs.engine.schemas import schema_types
from console.specs.engine.validation import dialect_for, validate_value
from console.specs.models import Operation, SpecVersion
from console.teams.models import Role
from console.teams.scoping import TeamScope
from console.upstream.errors import UpstreamError
from console.upstream.http import OutboundPolicy, UpstreamResponse, send
from console.upstream.tokens import Token
from console.variables import services as variables
from console.vault import services as vault
from console.vault.models import ApplicationAccess, CachedToken

# What the parsed documents kept per process may weigh, in estimated bytes of memory (see
# `_weight`): a few big specs (25 MB of ordinary schemas weighs about 80 MB), or one
# pathological one, which is always kept, whatever it weighs.
DOCUMENT_CACHE_BYTES = 256 * 1024 * 1024
# Bytes a parsed JSON value takes at least in CPython (an empty dict is 64, a list 56, a
# pointer to it 8; strings and numbers are counted by their text).
_BYTES_PER_VALUE = 64


def _weight(text: str) -> int:
    """What a document parsed from `text` weighs in memory, roughly: its text plus
    `_BYTES_PER_VALUE` for each value (every ``,``, ``{`` and ``[`` starts at most one
    more; ones inside strings make it an overestimate, which is on the safe side).
    A 25 MB document of 6.5 million ``{}`` weighs 0.9 GB; 25 MB of ordinary schemas ~0.1 GB."""
    values = text.count(",") + text.count("{") + text.count("[") + 1
    return len(text) + _BYTES_PER_VALUE * values


class _DocumentCache:
    """Parsed documents by version id, least recently used first out, their total
    `_weight` under `DOCUMENT_CACHE_BYTES` (the last one read is always kept).

    A count of entries bounds nothing: one 25 MB document of 6.5 million ``{}`` takes
    about 0.5 GB once parsed (bench/hostile_specs.py, part d).
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[int, tuple[dict[str, Any], int]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def weight(self) -> int:
        """The total weight of the documents kept."""
        return sum(weight for _, weight in self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)

    def __call__(self, version_id: int) -> dict[str, Any]:
        """The document of the spec version `version_id` (read once, then kept)."""
        with self._lock:
            found = self._entries.get(version_id)
            if found is not None:
                self._entries.move_to_end(version_id)
                return found[0]
        # The raw text (not the field's parsed value): its length and commas give the weight.
        text = (
            SpecVersion.objects.filter(pk=version_id)
            .values_list(Cast("document", TextField()), flat=True)
            .get()
        )
        document = json.loads(text)
        weight = _weight(text)
        del text
        with self._lock:
            self._entries[version_id] = (document, weight)
            self._entries.move_to_end(version_id)
            total = self.weight
            while total > self.max_bytes and len(self._entries) > 1:
                _, (_, dropped) = self._entries.popitem(last=False)
                total -= dropped
        return document

    def cache_clear(self) -> None:
        """Forget every document (tests: ids are reused after a rollback)."""
        with self._lock:
            self._entries.clear()


# A spec version's document, parsed once per process (documents never change).
_document = _DocumentCache(DOCUMENT_CACHE_BYTES)


JSON_BODY, URLENCODED_BODY, MULTIPART_BODY, RAW_BODY = "json", "urlencoded", "multipart", "raw"
MAX_BODY_MESSAGES = 10
# A prefilled body longer than this is not put in the editor (an example of 10,000 long
# strings can still be many MB of text).
BODY_EXAMPLE_MAX_CHARS = 500_000
_MISSING_PROPERTY = re.compile(r"^missing required property '(.+)'$")


def body_kind(content_type: str) -> str:
    """How a body of this content type is edited: as JSON, as a form, or as text."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "application/x-www-form-urlencoded":
        return URLENCODED_BODY
    if media.startswith("multipart/"):
        return MULTIPART_BODY
    if "json" in media:
        return JSON_BODY
    return RAW_BODY


@dataclass(frozen=True)
class BodyChoice:
    """The body options a page shows: content type, JSON or form view, oneOf/anyOf variant.

    They travel as ``?body_type=…&body_view=form&variant=1`` on the page and as hidden
    fields of the same names in the send form.
    """

    content_type: str = ""
    view: str = "json"  # "json" or "form"
    variant: int | None = None


def body_choice(data: Any) -> BodyChoice:
    """The body options a query string (page) or a posted form (Send) carries."""
    content_type = str(data.get("body_type") or "")[:200]
    view = "form" if data.get("body_view") == "form" else "json"
    raw = str(data.get("variant") or "")
    variant = int(raw) if raw.isdigit() and len(raw) <= 3 else None
    return BodyChoice(content_type, view, variant)


@dataclass(frozen=True)
class OperationForm:
    """Everything the operation page shows: the resolved operation, its fields, a body.

    `body_kind` is ``"json"`` (an editor, or a form for flat objects when `body_view` is
    ``"form"``), ``"urlencoded"`` and ``"multipart"`` (always a form of `body_fields`),
    ``"raw"`` (a text area) or ``""`` (no body).
    """

    operation: Operation
    resolved: ResolvedOperation
    fields: list[FieldSpec]
    body_content_type: str | None
    body_example: str
    body_required: bool
    body_kind: str = ""
    body_content_types: list[str] = field(default_factory=list)
    body_media: MediaType | None = None
    body_schema: dict[str, Any] = field(default_factory=dict)
    body_fields: list[FieldSpec] = field(default_factory=list)
    body_view: str = "json"
    body_flat: bool = False
    variants: list[Variant] = field(default_factory=list)
    variant: int | None = None
    has_spec_example: bool = False

    @property
    def dialect(self) -> str:
        """The schema dialect of the operation's document (3.0 or 3.1)."""
        return dialect_for(self.resolved.openapi_version)

    @property
    def schema_key(self) -> tuple[Any, ...]:
        """Names this operation's schemas for good (a spec version never changes): the
        cache key of their compiled checks (validation.problems)."""
        op = self.operation
        return ("operation", op.version_id, op.method, op.path)

    @property
    def pattern_notices(self) -> list[str]:
        """What the page says of patterns in this operation RE2 cannot run (not checked)."""
        schemas = [p.schema for p in self.resolved.parameters]
        if self.body_media is not None:
            schemas.append(self.body_media.schema)
        return patterns.pattern_notices(schemas)

    @property
    def body_is_form(self) -> bool:
        """The body is edited as one field per property."""
        return self.body_kind in (URLENCODED_BODY, MULTIPART_BODY) or (
            self.body_kind == JSON_BODY and self.body_view == "form"
        )

    @property
    def multipart(self) -> bool:
        """The send form must post as multipart/form-data (it carries files)."""
        return self.body_kind == MULTIPART_BODY


def _json_text(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


def _note(warnings: list[str], message: str) -> None:
    """Add `message` to an operation's warnings (shown on its page) once."""
    if message not in warnings:
        warnings.append(message)


def _spec_example(media: MediaType) -> tuple[bool, Any]:
    """The media type's own example (``example``, else the first of ``examples``)."""
    if media.example is not None:
        return True, media.example
    if media.examples:
        return True, next(iter(media.examples.values()))
    return False, None


def _wide_form(warnings: list[str], schema: Any, instead: str) -> bool:
    """Whether `schema` has more properties than a form shows; if so the page says what
    the body is instead ("edited as JSON", "typed as text")."""
    wide = too_many_fields(schema)
    if wide:
        _note(
            warnings,
            f"This body has {wide:,} properties, more than a form shows "
            f"({MAX_FORM_FIELDS}): it is {instead}.",
        )
    return bool(wide)


def _default_variant(variants: list[Variant]) -> int | None:
    """The variant an example is generated from by default: the first that is not null."""
    for variant in variants:
        if schema_types(variant.schema) != ["null"]:
            return variant.index
    return variants[0].index if variants else None


def _open_body(resolved: ResolvedOperation, choice: BodyChoice) -> dict[str, Any]:
    """The OperationForm fields that describe the request body, for `choice`."""
    body = resolved.request_body
    if body is None or not body.content:
        return {}
    types = list(body.content)
    if choice.content_type in body.content:
        content_type = choice.content_type
    else:
        json_types = [ct for ct in types if "json" in ct.split(";")[0]]
        content_type = json_types[0] if json_types else types[0]
    media = body.content[content_type]
    kind = body_kind(content_type)
    dialect = dialect_for(resolved.openapi_version)
    schema = media.schema or {}
    has_example, spec_example = _spec_example(media)
    out: dict[str, Any] = {
        "body_content_type": content_type,
        "body_content_types": types,
        "body_media": media,
        "body_kind": kind,
        "body_schema": schema,
        "has_spec_example": has_example,
        "body_example": "",
    }
    if kind == JSON_BODY:
        variants = variants_for_schema(schema)
        indexes = {v.index for v in variants}
        variant = choice.variant if choice.variant in indexes else None
        if variant is None and not has_example:
            variant = _default_variant(variants)
        chosen = next((v for v in variants if v.index == variant), None)
        if chosen is not None:
            schema = chosen.schema
            example = example_for_schema(schema, direction="request")
            if variant == choice.variant or not has_example:
                spec_example = None  # the form view starts from the variant's defaults
        elif has_example:
            example = spec_example
        else:
            example = example_for_schema(schema, direction="request")
        example_text = _json_text(example)
        if len(example_text) > BODY_EXAMPLE_MAX_CHARS:
            # The spec's own example is too long: one built from the schema, if it is not.
            built = chosen is None and has_example
            example_text = (
                _json_text(example_for_schema(schema, direction="request")) if built else ""
            )
            if len(example_text) > BODY_EXAMPLE_MAX_CHARS:
                example_text = ""
            _note(
                resolved.warnings,
                f"The example of this body is longer than {BODY_EXAMPLE_MAX_CHARS:,} "
                "characters: the editor does not start with it.",
            )
        flat = is_flat_object(schema)
        _wide_form(resolved.warnings, schema, "edited as JSON")
        view = "form" if choice.view == "form" and flat else "json"
        out.update(
            body_schema=schema,
            body_example=example_text,
            variants=variants,
            variant=variant,
            body_flat=flat,
            body_view=view,
        )
        if view == "form":
            out["body_fields"] = fields_for_object_schema(
                schema, example=spec_example, dialect=dialect
            )
    elif kind in (URLENCODED_BODY, MULTIPART_BODY):
        props, _ = object_properties(schema)
        if props and not _wide_form(resolved.warnings, schema, "typed as text"):
            out["body_view"] = "form"
            out["body_fields"] = fields_for_object_schema(
                schema, example=spec_example, files=kind == MULTIPART_BODY, dialect=dialect
            )
        else:  # no properties to make fields of: the body is typed as text
            out["body_kind"] = RAW_BODY
    if out["body_kind"] == RAW_BODY and isinstance(spec_example, str):
        out["body_example"] = spec_example
    return out


def operation_open(
    *, scope: TeamScope, operation: Operation, choice: BodyChoice | None = None
) -> OperationForm:
    """Resolve one operation of the team's spec and build its form (body as `choice` says)."""
    if operation.team_id != scope.team.pk:
        raise Http404("No such operation.")
    resolved = load_operation(_document(operation.version_id), operation.method, operation.path)
    body = resolved.request_body
    options: dict[str, Any] = {"body_content_type": None, "body_example": ""}
    options.update(_open_body(resolved, choice or BodyChoice()))
    return OperationForm(
        operation=operation,
        resolved=resolved,
        fields=fields_for_operation(resolved),
        body_required=bool(body and body.required),
        **options,
    )


def _token_scope(access: ApplicationAccess) -> str | None:
    """The scope string of the access's cached token (None when none is cached).

    Only the plain `scope` column is read; the token itself stays encrypted.
    """
    return (
        CachedToken.objects.filter(
            access_id=access.pk,
            audience=access.environment.effective_audience,
            generation=vault.token_generation(access),
        )
        .exclude(token_encrypted="")
        .values_list("scope", flat=True)
        .first()
    )


@dataclass(frozen=True)
class ScopeBadge:
    """One scope an operation requires, and whether the chosen token lacks it."""

    name: str
    missing: bool = False


@dataclass(frozen=True)
class ScopeCheck:
    """The operation's scopes against the chosen Application Access's cached token.

    `token` is ``"none"`` (nothing cached: test the connection to know), ``"unlisted"``
    (the token does not say its scopes) or ``"known"``.
    """

    badges: list[ScopeBadge]
    access: ApplicationAccess | None
    token: str

    @property
    def missing(self) -> list[str]:
        """The scopes the token lacks (none unless `token` is known)."""
        return [b.name for b in self.badges if b.missing]


def scope_check(resolved: ResolvedOperation, access: ApplicationAccess | None) -> ScopeCheck:
    """Which of the operation's scopes the access's cached token lacks (read, not decrypted).

    An operation may list alternative security requirements: when the token satisfies one
    of them completely, nothing is missing.
    """
    granted = _token_scope(access) if access is not None else None
    if granted is None:
        state = "none"
    elif not granted.split():
        state = "unlisted"
    else:
        state = "known"
    missing: set[str] = set()
    if state == "known" and granted is not None:
        have = set(granted.split())
        requirements = [
            {name for names in requirement.values() for name in names}
            for requirement in resolved.security
        ]
        if requirements and not any(needed <= have for needed in requirements):
            missing = {name for name in resolved.scopes if name not in have}
    badges = [ScopeBadge(name, name in missing) for name in resolved.scopes]
    return ScopeCheck(badges=badges, access=access, token=state)


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
    # Not sent only because values break their schemas: "Send anyway" would send it.
    can_force: bool = False
    forced: bool = False
    response_check: ResponseCheck | None = None
    # Not sent because the environment is production and the method changes things:
    # the panel asks to confirm (see `needs_production_confirmation`).
    needs_confirmation: bool = False
    environment_name: str = ""
    environment_id: int | None = None
    operation_label: str = ""
    # Set by the view just before rendering: token, upstream and console milliseconds.
    timing: TimingSplit | None = None


# Methods that change things: on a production environment they are sent only after
# an explicit confirmation naming the environment and the operation.
GUARDED_METHODS = MUTATING_METHODS


def needs_production_confirmation(access: ApplicationAccess, method: str) -> bool:
    """Whether a call of `method` with `access` must be confirmed before it is sent."""
    return access.environment.is_production and method.upper() in GUARDED_METHODS


def _posted(raw: Any, spec: FieldSpec) -> Any:
    posted = raw.getlist(spec.html_name) if hasattr(raw, "getlist") else raw.get(spec.html_name)
    if isinstance(posted, list) and not spec.multiple:
        posted = posted[-1] if posted else ""
    return posted if posted is not None else ""


def _parse_values(
    fields: list[FieldSpec], raw: Any, *, check: bool = True, prefix: str = ""
) -> tuple[dict[tuple[str, str], Any], dict[str, str]]:
    """Typed values from the posted form, and a message per field that does not parse.

    With ``check=False`` ("send anyway") values are not checked against their schemas.
    """
    values: dict[tuple[str, str], Any] = {}
    errors: dict[str, str] = {}
    for spec in fields:
        value, error = parse_field_value(spec, _posted(raw, spec), check=check)
        if error:
            errors[spec.html_name] = f"{prefix}{spec.label} {error}."
        elif value is not None:
            values[spec.key] = value
    return values, errors


def _check_json_body(body: str, content_type: str | None) -> str | None:
    """A message when a JSON body does not parse, so nothing malformed is sent."""
    if not body.strip() or not content_type or "json" not in content_type:
        return None
    try:
        parse_json(body, "The request body")
    except InvalidJson as exc:
        return exc.message
    return None


def _body_schema_errors(messages: list[str]) -> dict[str, str]:
    """Schema messages for a request body, keyed ``body:<where>`` (``body`` for the root).

    A top-level property's key is its form field's name (``body:name``), so in the form
    view the message shows beside that field.
    """
    errors: dict[str, str] = {}
    for message in messages[:MAX_BODY_MESSAGES]:
        where, sep, text = message.partition(": ")
        if not sep or not where or " " in where:
            where, text = "", message
        missing = _MISSING_PROPERTY.match(text)
        if missing:
            where = f"{where}.{missing.group(1)}" if where else missing.group(1)
            text = "is required"
        line = f"Request body field {where} {text}." if where else f"Request body {text}."
        key = f"body:{where}" if where else "body"
        errors[key] = f"{errors[key]} {line}" if key in errors else line
    return errors


def _body_errors(form: OperationForm, value: Any) -> dict[str, str]:
    """Schema messages for the body: none when it matches the spec's schema; else those of
    the chosen oneOf/anyOf variant (more telling than "matches none of the shapes")."""
    full = form.body_media.schema if form.body_media else form.body_schema
    key = (*form.schema_key, "request", form.body_content_type)
    messages = validate_value(full, value, dialect=form.dialect, direction="request", key=key)
    if not messages:
        return {}
    if form.body_schema is not full:  # a variant is chosen: its messages say more
        chosen = validate_value(
            form.body_schema,
            value,
            dialect=form.dialect,
            direction="request",
            key=(*key, "variant", form.variant),
        )
        if chosen:
            return _body_schema_errors(chosen)
    return _body_schema_errors(messages)


def _uploads(files: Any, spec: FieldSpec) -> list[Any]:
    if files is None:
        return []
    found = (
        files.getlist(spec.html_name) if hasattr(files, "getlist") else files.get(spec.html_name)
    )
    found = found if isinstance(found, list) else [found] if found is not None else []
    return [f for f in found if f is not None and getattr(f, "name", None) is not None]


def _file_as_text(value: Any) -> Any:
    if hasattr(value, "read"):
        return ""
    if isinstance(value, list) and value and hasattr(value[0], "read"):
        return [""] * len(value)
    return value


def _max_upload_bytes() -> int:
    return int(getattr(settings, "CONSOLE_MAX_UPLOAD_BYTES", 25 * 1024 * 1024))


@dataclass
class _Prepared:
    """Parsed parameters and body, before anything is encoded or sent."""

    params: dict[tuple[str, str], Any]
    body: Any  # None, the typed text (JSON editor, raw), or a dict (body forms)
    errors: dict[str, str]
    error: str = ""


def _prepare_form_body(
    form: OperationForm, values: Any, files: Any, check: bool
) -> tuple[dict[str, Any], dict[str, str], str]:
    """The body form's values by property name (files as uploads) and their messages."""
    data: dict[str, Any] = {}
    plain = [spec for spec in form.body_fields if spec.widget != "file"]
    parsed, errors = _parse_values(plain, values, check=check, prefix="Request body field ")
    total = 0
    for spec in form.body_fields:
        if spec.widget == "file":
            uploads = _uploads(files, spec)
            total += sum(int(getattr(f, "size", 0) or 0) for f in uploads)
            if uploads:
                data[spec.name] = uploads if spec.multiple else uploads[-1]
            elif spec.required and check:
                errors[spec.html_name] = (
                    f"Request body field {spec.name} is required (choose a file)."
                )
        elif spec.key in parsed:
            data[spec.name] = parsed[spec.key]
    if total > _max_upload_bytes():
        limit = _max_upload_bytes() // (1024 * 1024)
        message = f"The files are larger than the console sends ({limit} MB)."
        return data, {**errors, "body": message}, message
    if check and not errors:
        # Files stand in as empty strings: their bytes are not checked against the schema.
        probe = {name: _file_as_text(value) for name, value in data.items()}
        errors.update(_body_errors(form, probe))
    return data, errors, ""


def _prepare(form: OperationForm, values: Any, body: str, files: Any, *, check: bool) -> _Prepared:
    """Parse parameters and body; with `check`, validate both against their schemas.

    Without `check` ("send anyway") only what makes a request impossible to build is an
    error: JSON that does not parse, an empty path parameter, files over the size limit.
    """
    params, errors = _parse_values(form.fields, values, check=check)
    kind = form.body_kind
    if not kind:
        return _Prepared(params, None, errors)
    if form.body_is_form:
        data, body_errors, error = _prepare_form_body(form, values, files, check)
        errors.update(body_errors)
        return _Prepared(params, data, errors, error)
    if not body.strip():
        if form.body_required and check:
            errors["body"] = "The request body is required."
        return _Prepared(params, None, errors)
    if kind == JSON_BODY:
        body_error = _check_json_body(body, form.body_content_type)
        if body_error:
            errors["body"] = body_error
            return _Prepared(params, None, errors, body_error)
        if check:
            errors.update(_body_errors(form, json.loads(body)))
    return _Prepared(params, body, errors)


def _multipart(form: OperationForm, data: dict[str, Any]) -> tuple[bytes, str, str]:
    """The multipart body, its Content-Type (with boundary), and what the history keeps.

    Scalars are text parts; objects and lists of objects JSON parts; files carry their
    name and type (the spec's ``encoding.contentType``, else what the browser said). The
    history keeps field values and, for files, name, type and size, never their bytes.
    """
    encoding = form.body_media.encoding if form.body_media else {}
    parts: list[RequestField] = []
    kept: dict[str, Any] = {}

    def declared(name: str) -> str | None:
        spec = encoding.get(name)
        value = spec.get("contentType") if isinstance(spec, dict) else None
        return value.split(",")[0].strip() if isinstance(value, str) and value.strip() else None

    def add(name: str, value: Any) -> Any:
        if hasattr(value, "read"):
            value.seek(0)
            content = value.read()
            mime = (
                declared(name) or getattr(value, "content_type", None) or "application/octet-stream"
            )
            part = RequestField(name=name, data=content, filename=value.name)
            part.make_multipart(content_type=mime)
            parts.append(part)
            return {"file": value.name, "contentType": mime, "size": len(content)}
        if isinstance(value, dict | list):
            text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
            part = RequestField(name=name, data=text)
            part.make_multipart(content_type=declared(name) or "application/json")
            parts.append(part)
            return value
        part = RequestField(name=name, data=scalar_text(value))
        part.make_multipart(content_type=declared(name))
        parts.append(part)
        return value

    for name, value in data.items():
        is_files = isinstance(value, list) and value and hasattr(value[0], "read")
        scalars = isinstance(value, list) and all(not isinstance(v, dict | list) for v in value)
        if is_files or scalars:
            kept[name] = [add(name, item) for item in value]
        else:
            kept[name] = add(name, value)
    payload, content_type = encode_multipart_formdata(parts)
    return payload, content_type, json.dumps(kept, ensure_ascii=False, indent=2)


def _relaxed(op: ResolvedOperation) -> ResolvedOperation:
    """The operation with only path parameters required ("send anyway")."""
    parameters = [p if p.location == "path" else replace(p, required=False) for p in op.parameters]
    body = replace(op.request_body, required=False) if op.request_body else None
    return replace(op, parameters=parameters, request_body=body)


def _encode_body(form: OperationForm, body: Any) -> tuple[Any, str | None, str | None]:
    """What `build_request` gets for the body, its content type, and the history's text."""
    if body is None:
        return None, None, None
    if isinstance(body, str):
        return body.encode(), form.body_content_type, None
    if form.body_kind == MULTIPART_BODY:
        payload, content_type, kept = _multipart(form, body)
        return payload, content_type, kept
    return body, form.body_content_type, None


@dataclass(frozen=True)
class CallPreview:
    """A call as Send would make it, without sending: the messages that stop it (by form
    field name), or its method, URL and body text."""

    errors: dict[str, str]
    method: str = ""
    url: str = ""
    body: str = ""


def preview_call(
    form: OperationForm,
    access: ApplicationAccess | None,
    values: Any,
    body: str = "",
    *,
    vset: variables.VariableSet | None = None,
) -> CallPreview:
    """Check `values` and `body` as Send does (schemas, required fields, the request's
    build) and say what would be sent, for checking many rows before a bulk run.

    With `vset` (`variables.variables_for`), placeholders are replaced first, as Send
    replaces them, and secret values are shown as ``[secret]``."""
    if vset is not None:
        values, body, unknown = variables.resolve_posted(vset, values, body)
        if unknown:
            return CallPreview(unknown)
        preview = preview_call(form, access, values, body)
        return CallPreview(
            {k: vset.display(v) for k, v in preview.errors.items()},
            preview.method,
            vset.display(preview.url),
            vset.display(preview.body),
        )
    prepared = _prepare(form, values, body, None, check=True)
    if prepared.errors:
        return CallPreview(prepared.errors)
    payload, content_type, kept_body = _encode_body(form, prepared.body)
    try:
        built = build_request(form.resolved, prepared.params, payload, content_type)
    except RequestBuildError as exc:
        return CallPreview(
            {f"{loc}:{name}" if name else loc: exc.message for loc, name in exc.fields}
        )
    base = access.environment.base_url if access is not None else ""
    url = join_url(base, server_path_prefix(form.resolved.servers), built.path, built.query)
    text = kept_body if kept_body is not None else (built.body or b"").decode("utf-8", "replace")
    return CallPreview({}, built.method.upper(), url, text)


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
    files: Any = None,
    force: bool = False,
    confirm_production: bool = False,
    confirmed_environment: str | None = None,
) -> CallOutcome:
    """Build, authorise, send and record one call of `operation` with `access`.

    `values` is the posted form: parameters (``"query:limit"``), body fields
    (``"body:name"``) and the body options (`body_choice`); `body` the JSON editor's
    text; `files` the uploads of a multipart body. Values are checked against their
    schemas first and nothing is sent when they do not match, unless `force` ("send
    anyway"). After the call the answer is checked against the response schema.

    On a production environment, POST, PUT, PATCH and DELETE are sent only with
    `confirm_production`; without it nothing is sent or recorded, and the outcome asks
    for the confirmation (`needs_confirmation`). The confirmation step also says which
    environment it named (`confirmed_environment`, its id): when that is given and is
    not this access's environment (the picker was changed), it is asked again.
    """
    started = time.perf_counter()
    scope.require(Role.MEMBER)
    if access.team_id != scope.team.pk:
        raise Http404("No such Application Access.")
    refusal = vault.access_refusal(scope, access)
    if refusal:
        return CallOutcome(sent=False, error=refusal)
    form = operation_open(scope=scope, operation=operation, choice=body_choice(values))
    # Variables ({{name}}) are replaced before anything is checked, so the schemas, the
    # request and the history see the values sent; the form values kept for replay stay
    # as typed (placeholders, never a secret). Read only when the form refers to one.
    # The environment's secret values are scrubbed from every call's answer and record,
    # named in the form or not: one call can store a secret upstream, the next read it.
    posted = values
    # (The Send view's access read brings the secrets' marker: then no statement here.)
    marker = getattr(access, "secret_marker", None)
    hide = _Hide(variables.secret_forms_for(scope.team.pk, access.environment_id, marker))
    if variables.has_placeholders(values, body):
        vset = variables.variables_for(scope, access.environment)
        values, body, unknown = variables.resolve_posted(vset, values, body)
        if unknown:
            return CallOutcome(sent=False, field_errors=unknown, error=next(iter(unknown.values())))
        hide = _Hide(tuple(dict.fromkeys([*vset.secrets, *hide.secrets])))
    prepared = _prepare(form, values, body, files, check=not force)
    if prepared.errors:
        can_force = not force and not _prepare(form, values, body, files, check=False).errors
        return CallOutcome(
            sent=False,
            field_errors={k: hide.text(v) for k, v in prepared.errors.items()},
            error=hide.text(prepared.error),
            can_force=can_force,
        )
    resolved = _relaxed(form.resolved) if force else form.resolved
    payload, content_type, kept_body = _encode_body(form, prepared.body)
    try:
        built = build_request(resolved, prepared.params, payload, content_type)
    except RequestBuildError as exc:
        errors = {
            f"{loc}:{name}" if name else loc: hide.text(exc.message) for loc, name in exc.fields
        }
        outcome = CallOutcome(sent=False, field_errors=errors, error=hide.text(exc.message))
        if exc.refused:
            # A refused value is an attempted call (someone tried to send it): record it.
            facts = CallFacts(
                method=resolved.method.upper(),
                url=join_url(
                    access.environment.base_url,
                    server_path_prefix(form.resolved.servers),
                    resolved.path,
                    [],
                ),
                error_kind="refused",
                error_message=exc.message,
            )
            outcome.record = call_record(
                scope=scope, facts=facts, access=access, operation=operation, secrets=hide.secrets
            )
        return outcome

    env = access.environment
    url = join_url(env.base_url, server_path_prefix(form.resolved.servers), built.path, built.query)
    confirmed = confirm_production and confirmed_environment in (None, str(env.pk))
    if needs_production_confirmation(access, built.method) and not confirmed:
        return CallOutcome(
            sent=False,
            url=hide.text(url),
            method=built.method.upper(),
            forced=force,
            needs_confirmation=True,
            environment_name=env.name,
            environment_id=env.pk,
            operation_label=operation.label,
        )
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
        request_body=kept_body
        if kept_body is not None
        else (built.body or b"").decode("utf-8", errors="replace"),
        request_content_type=built.content_type or "",
        form_values=capture(form, posted).options(),  # for replay
    )
    outcome = CallOutcome(sent=True, url=hide.text(url), method=built.method, forced=force)
    sent = exchange(scope=scope, access=access, facts=facts, headers=headers, body=built.body)
    outcome.upstream_ms, outcome.token_ms = facts.upstream_ms, facts.token_ms
    if sent.response is None:
        outcome.error_kind, outcome.error = facts.error_kind, facts.error_message
    else:
        response, info = sent.response, sent.info
        outcome.status, outcome.reason = response.status, response.reason
        outcome.headers = [(k, hide.text(v)) for k, v in response.headers]
        # An answer that echoes a secret variable shows it redacted, as the history keeps it
        # (and the response check, whose messages quote values, reads that text too).
        shown = hide.bytes(response.body)
        outcome.body = render_body(shown, response.content_type or "", pointers=True)
        outcome.truncated = response.truncated
        outcome.content_type = response.content_type or ""
        outcome.token_source = info.source
        outcome.retried = info.retried
        if response.truncated:
            outcome.error_kind = "truncated"
        outcome.response_check = check_response(
            form.resolved,
            response.status,
            response.content_type or "",
            shown,
            truncated=response.truncated,
            key=form.schema_key,
        )
    facts.duration_ms = (time.perf_counter() - started) * 1000
    outcome.duration_ms = facts.duration_ms
    outcome.record = call_record(
        scope=scope,
        facts=facts,
        access=access,
        operation=operation,
        secrets=[*sent.used_tokens, *hide.secrets],
    )
    return outcome


@dataclass(frozen=True)
class _Hide:
    """The secret variables' values of one call, scrubbed from what is shown."""

    secrets: tuple[str, ...] = ()

    def text(self, text: str) -> str:
        return variables.scrub_secrets(text, self.secrets) if self.secrets and text else text

    def bytes(self, body: bytes) -> bytes:
        return scrub_bytes(body, self.secrets) if self.secrets and body else body


@dataclass
class Exchange:
    """One call sent with an Application Access: the answer (None when it failed, the
    facts then say why), the token broker's account of it, and the tokens it used (to
    scrub from what the history keeps)."""

    response: UpstreamResponse | None
    info: Any
    used_tokens: list[str]


def exchange(
    *,
    scope: TeamScope,
    access: ApplicationAccess,
    facts: CallFacts,
    headers: dict[str, str],
    body: bytes | None,
) -> Exchange:
    """Send `facts.method` `facts.url` with `access`'s managed token, through the safe
    client under the access's host rule (one retry with a new token after a 401), and
    put what came back, or what went wrong, and the times into `facts`.

    The one way a call leaves the console with a team's token: the operation form's
    Send, the API and the pass-through all come here.
    """
    policy = _policy_for(access)
    used_tokens: list[str] = []
    upstream_ms: list[float] = []  # one per attempt (two after a 401)

    def do(token: Token) -> UpstreamResponse:
        used_tokens.append(token.access_token)
        sending = time.perf_counter()
        try:
            return send(
                policy,
                method=facts.method,
                url=facts.url,
                headers={**headers, "Authorization": f"Bearer {token.access_token}"},
                body=body,
            )
        finally:
            upstream_ms.append((time.perf_counter() - sending) * 1000)

    calling = time.perf_counter()
    try:
        response, info = vault.access_call(access, do, scope=scope)
    except (UpstreamError, vault.VaultError) as exc:
        facts.error_kind = getattr(exc, "kind", "vault")
        facts.error_message = getattr(exc, "message", str(exc))
        # No CallTokenInfo on failure: what was not the exchange went to the token.
        facts.upstream_ms = sum(upstream_ms)
        facts.token_ms = max(0.0, (time.perf_counter() - calling) * 1000 - facts.upstream_ms)
        return Exchange(None, None, used_tokens)
    facts.status = response.status
    facts.response_headers = list(response.headers)
    facts.response_body = response.body
    facts.response_content_type = response.content_type or ""
    facts.response_truncated = response.truncated
    facts.token_ms = info.token_ms
    facts.token_source = info.source
    facts.upstream_ms = sum(upstream_ms)
    return Exchange(response, info, used_tokens)
