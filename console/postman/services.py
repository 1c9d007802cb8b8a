"""Postman in and out: importing collections, environments and curl commands; exporting a
collection as Postman v2.1.

Import (`postman_import`) makes one collection whose folders mirror Postman's. Each
request is matched to an operation of the chosen spec version by method and path
template (`console.postman.matching`); a match becomes a saved request holding the
request's path, query and header values and its body (``{{variables}}`` kept as
written: the console's variables use Postman's syntax), anything else with a URL
becomes a free request, and what cannot be sent from the console (file and GraphQL
bodies, no URL, WebSocket items, the OAuth token request itself) is skipped with its
reason. Postman auth blocks and Authorization headers are never imported: the console
adds the Application Access's managed token to every call.

Environment values become team variables of one console environment; values named
like a client ID and secret are not stored as variables but offered as a new
Application Access (`AccessOffer`, kept encrypted until an admin confirms it).

Export (`postman_export`) writes the collection with ``{{baseUrl}}`` and a bearer auth
of ``{{token}}``: no secret and no token ever leave the console.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404

from console.api.passthrough import REQUEST_DROPPED
from console.collections import services as collections
from console.collections.models import Collection, CollectionFolder, CollectionItem
from console.explorer.reopen import FormState
from console.explorer.services import (
    JSON_BODY,
    MULTIPART_BODY,
    URLENCODED_BODY,
    OperationForm,
    operation_open,
)
from console.freeform import services as freeform
from console.freeform.models import FreeRequest
from console.history.redaction import REDACTED, SENSITIVE_HEADERS, sensitive_keys
from console.postman.collection import (
    MAX_ITEMS,
    SCHEMA_V21,
    Folder,
    PostmanError,
    parse_collection,
)
from console.postman.collection import Request as PostmanRequest
from console.postman.curl import parse_curl
from console.postman.environment import parse_environment
from console.postman.matching import Candidate, base_path, match_operation, segments
from console.saved.models import SavedRequest
from console.saved.services import SavedRequestError, saved_create
from console.specs.engine.request import server_path_prefix
from console.specs.models import Operation, SpecVersion
from console.teams.models import Role
from console.teams.scoping import TeamScope
from console.vault import crypto
from console.vault import services as vault
from console.vault.models import ApplicationAccess, Environment

__all__ = ["INPUT_ERRORS", "PostmanError"]

MAX_TEXT = 10 * 1024 * 1024  # a pasted or uploaded document
# The web page imports at most this many requests and folders in one request: an import
# runs ~9 queries per request in one transaction (SQLite writers wait for it), and
# bench/postman_import.py measured ~2.5 s for 500 items, ~5 s for 1,000 and ~40 s for
# 5,000 on SQLite, ~4.6 s, ~10 s and ~56 s on PostgreSQL (2 cores; docs/security.md).
# The service's own default (`collection.MAX_ITEMS`) stays higher for callers outside a
# web request.
WEB_MAX_ITEMS = 500
OFFER_MAX_AGE = 15 * 60  # seconds an Application Access offer stays open
_OFFER_SALT = "console.postman.access-offer"
# Credential headers: the ones the history redacts (Authorization, Cookie, X-Api-Key …),
# never imported or exported; the console sends the Application Access's managed token.
_CREDENTIAL_HEADERS = SENSITIVE_HEADERS
# Headers a Postman request carries that the console sets itself (or never sends): those of
# one hop, which the pass-through drops too, and the ones the outbound client writes.
_OWN_HEADERS = (REQUEST_DROPPED - SENSITIVE_HEADERS) | {"accept", "content-type", "user-agent"}
_TOKEN_NAMES = re.compile(r"^(access[_\-]?token|bearer[_\-]?token|id[_\-]?token|token|jwt)$", re.I)
_AUTH_NAMES = {
    "apikey": "an API key",
    "awsv4": "AWS signature",
    "basic": "basic",
    "bearer": "bearer token",
    "digest": "digest",
    "oauth1": "OAuth 1.0",
    "oauth2": "OAuth 2.0",
    "ntlm": "NTLM",
}


# What the services raise for input a person can fix; the views show its message.
INPUT_ERRORS: tuple[type[Exception], ...] = (
    PostmanError,
    freeform.FreeRequestError,
    collections.CollectionError,
    SavedRequestError,
    vault.VaultError,
)


# ---------------------------------------------------------------- summaries


@dataclass(frozen=True)
class Entry:
    """One Postman request in an import summary: where it was, what it became and why."""

    name: str
    method: str
    url: str
    folder: str = ""  # "Meter types / Meters"
    operation: str = ""  # the matched operation's label
    reason: str = ""  # why it was not matched, or skipped
    notes: tuple[str, ...] = ()


@dataclass
class ImportSummary:
    """What `postman_import` made of a collection."""

    collection: Collection
    version: str
    matched: list[Entry] = field(default_factory=list)
    free: list[Entry] = field(default_factory=list)
    skipped: list[Entry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Every request of the collection."""
        return len(self.matched) + len(self.free) + len(self.skipped)


@dataclass(frozen=True)
class AccessOffer:
    """A client ID and secret found in an environment file, offered as an Application
    Access. Never rendered: a page shows `client_id_hint` only."""

    name: str
    # Out of repr: a logged or printed offer (a debug page, an assertion) shows neither.
    client_id: str = field(repr=False)
    client_secret: str = field(repr=False)

    @property
    def client_id_hint(self) -> str:
        """The client ID's last four characters, as the console shows stored ones."""
        return self.client_id[-4:]


@dataclass
class EnvSummary:
    """What `postman_environment_import` made of an environment file."""

    name: str
    environment: Environment
    created: list[str] = field(default_factory=list)  # variable names
    updated: list[str] = field(default_factory=list)
    secret: list[str] = field(default_factory=list)  # of those, the secret ones
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (name, reason)
    offer: AccessOffer | None = None
    offer_problem: str = ""  # why credentials that were found are not offered


# ---------------------------------------------------------------- helpers


def _text_of(text: str | bytes) -> str | bytes:
    if len(text) > MAX_TEXT:
        raise PostmanError(f"The document is larger than {MAX_TEXT // (1024 * 1024)} MB.")
    return text


def _auth_sentence(kinds: list[str], *, headers: bool) -> str:
    """What the summary says about the auth it left out ("" when there was none)."""
    named = [_AUTH_NAMES.get(k, k) for k in kinds if k != "noauth"]
    managed = "the console sends the Application Access's managed token."
    if named:
        return (
            "Postman auth settings (" + ", ".join(named) + ") were not imported, nor any "
            "credential header (Authorization, Cookie, X-Api-Key …): " + managed
        )
    if not headers:
        return ""
    return "Credential headers (Authorization, Cookie, X-Api-Key …) were not imported: " + managed


def _looks_like_token_request(request: PostmanRequest) -> bool:
    """The OAuth token request people keep in collections (the console fetches tokens)."""
    path = request.path.rstrip("/").lower()
    if path.endswith(("/oauth/token", "/oauth2/token")):
        return True
    return any(f.name == "grant_type" for f in request.body_fields if f.enabled)


def _redact_pairs(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Values of fields named like a secret, unless they are a ``{{variable}}``."""
    keys = sensitive_keys()
    return [
        (k, REDACTED if k.lower() in keys and not re.fullmatch(r"\{\{[^{}]+\}\}", v) else v)
        for k, v in pairs
    ]


def _note_credentials(request: PostmanRequest, used: set[str], notes: list[str]) -> None:
    """Say which credential headers were left out (`used`: those the operation declares,
    kept in its form, where saving redacts them)."""
    left = [
        h.name
        for h in request.headers
        if h.enabled and h.name.lower() in _CREDENTIAL_HEADERS and h.name.lower() not in used
    ]
    if left:
        notes.append("Credential headers left out: " + ", ".join(left))


def _flat(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def secret_named(name: str) -> bool:
    """Whether a value's name says it holds a secret, by the rules the history redacts by:
    it ends with one of `sensitive_keys()` (password, client_secret, …) or of the credential
    headers' names (X-Api-Key, Authorization …), compared without case, ``_``, ``-`` or a
    leading ``x-`` (``apiKey``, ``DB_PASSWORD``, ``userSecret``)."""
    ends = {_flat(k) for k in sensitive_keys()}
    ends |= {_flat(h.removeprefix("x-")) for h in SENSITIVE_HEADERS}
    flat = _flat(name)
    return any(flat.endswith(end) for end in ends if end)


def _path_with_values(request: PostmanRequest) -> str:
    """The request's path with ``:name`` segments as their values (or ``{{name}}``)."""
    out = []
    for segment in request.path.split("/"):
        if segment.startswith(":") and len(segment) > 1:
            name = segment[1:]
            out.append(request.path_variables.get(name) or "{{" + name + "}}")
        else:
            out.append(segment)
    path = "/".join(out)
    return path if path.startswith("/") else "/" + path


def _team_base_paths(scope: TeamScope) -> list[list[str]]:
    return [
        base_path(url)
        for url in scope.all(Environment).values_list("base_url", flat=True)
        if base_path(url)
    ]


def _strip_base(path: str, prefixes: list[list[str]]) -> str:
    """`path` without the longest of `prefixes` it starts with."""
    parts = segments(path)
    for prefix in sorted(prefixes, key=len, reverse=True):
        if prefix and parts[: len(prefix)] == prefix and len(parts) > len(prefix):
            rest = path.lstrip("/").split("/", len(prefix))[-1]
            return "/" + rest
    return path


# ---------------------------------------------------------------- a matched request


def _json_object(pairs: list[tuple[str, str]]) -> str:
    return json.dumps(dict(pairs), indent=2, ensure_ascii=False)


def _form_state(
    form: OperationForm, request: PostmanRequest, params: dict[str, str], notes: list[str]
) -> FormState:
    """The saved request's form state: path, query and header values and the body."""
    values: dict[str, Any] = {}
    query = [(q.name, q.value) for q in request.query if q.enabled]
    headers = {h.name.lower(): h.value for h in request.headers if h.enabled}
    used_query: set[str] = set()
    used_headers: set[str] = set()
    for spec in form.fields:
        if spec.location == "path" and spec.name in params:
            values[spec.html_name] = params[spec.name]
        elif spec.location == "query":
            found = [v for k, v in query if k == spec.name]
            if found:
                used_query.add(spec.name)
                values[spec.html_name] = found if spec.multiple else found[-1]
        elif spec.location == "header" and spec.name.lower() in headers:
            used_headers.add(spec.name.lower())
            text = headers[spec.name.lower()]
            values[spec.html_name] = text.split(",") if spec.multiple else text
    _note_credentials(request, used_headers, notes)
    extra_query = sorted({k for k, _ in query} - used_query)
    if extra_query:
        notes.append("Query parameters the operation does not have: " + ", ".join(extra_query))
    extra_headers = sorted(
        h.name
        for h in request.headers
        if h.enabled
        and h.name.lower() not in used_headers
        and h.name.lower() not in _OWN_HEADERS
        and h.name.lower() not in _CREDENTIAL_HEADERS
    )
    if extra_headers:
        notes.append("Headers the operation does not have: " + ", ".join(extra_headers))
    disabled = [q.name for q in request.query if not q.enabled]
    disabled += [h.name for h in request.headers if not h.enabled]
    if disabled:
        notes.append("Disabled in Postman, left out: " + ", ".join(disabled))
    body: str | None = None
    body_view = form.body_view
    fields = [(f.name, f.value) for f in request.body_fields if f.enabled]
    if not form.body_kind:
        if request.body or fields:
            notes.append("The operation takes no body: the Postman body was left out.")
    elif form.body_kind in (URLENCODED_BODY, MULTIPART_BODY) or form.body_is_form:
        if request.body_mode == "raw" and request.body.strip():
            try:
                parsed = json.loads(request.body)
            except ValueError:
                parsed = None
            if isinstance(parsed, dict):
                fields = [
                    (k, v if isinstance(v, str) else json.dumps(v)) for k, v in parsed.items()
                ]
        names = {f.name: f for f in form.body_fields}
        for name, value in fields:
            if name in names:
                values[names[name].html_name] = value
    elif form.body_kind == JSON_BODY:
        if request.body_mode == "raw":
            body = request.body
        elif fields:
            body = _json_object(fields)
            notes.append("The form body was turned into a JSON object (the operation takes JSON).")
        else:
            body = ""
        body_view = "json"
    else:  # a text body
        body = request.body if request.body_mode == "raw" else urlencode(fields)
    return FormState(
        values=values,
        body=body,
        body_type=form.body_content_type or "",
        body_view=body_view,
        variant=form.variant,
    )


# ---------------------------------------------------------------- importing a collection


class _Importer:
    """One collection import: the spec's operations, the folders made so far, the counts."""

    def __init__(self, scope: TeamScope, version: SpecVersion | None, parsed: Any) -> None:
        self.scope = scope
        self.version = version
        self.parsed = parsed
        operations = version.operations.all() if version is not None else []
        self.operations = {op.pk: op for op in operations}
        self.candidates = [Candidate(op.method, op.path, op.pk) for op in self.operations.values()]
        document = version.document if version is not None else {}
        prefix = server_path_prefix((document or {}).get("servers"))
        # Base paths a Postman URL may carry before the operation's path: those of the
        # collection's URL variables ({{baseUrl}} = https://host/ue) and of the team's
        # environments; the spec server's own prefix is tried too when matching.
        self.host_paths: list[list[str]] = [
            base_path(pair.value) for pair in parsed.variables if "://" in pair.value
        ]
        self.host_paths += _team_base_paths(scope)
        self.base_paths = [*self.host_paths, *([segments(prefix)] if prefix else [])]
        self.forms: dict[int, OperationForm] = {}

    def form(self, operation: Operation) -> OperationForm:
        if operation.pk not in self.forms:
            self.forms[operation.pk] = operation_open(scope=self.scope, operation=operation)
        return self.forms[operation.pk]

    def run(self, summary: ImportSummary) -> None:
        self.summary = summary
        self.items(self.parsed.items, None, ())

    def items(self, items: list[Any], folder: CollectionFolder | None, trail: tuple) -> None:
        for item in items:
            if isinstance(item, Folder):
                child = folder
                if len(trail) < collections.MAX_FOLDER_DEPTH:
                    child = collections.folder_add(
                        scope=self.scope,
                        collection=self.summary.collection,
                        name=item.name,
                        parent=folder,
                    )
                elif "deep" not in " ".join(self.summary.notes):
                    self.summary.notes.append(
                        f"Folders nested deeper than {collections.MAX_FOLDER_DEPTH} levels "
                        "were merged into their parent."
                    )
                self.items(item.items, child, (*trail, item.name))
            else:
                self.request(item, folder, trail)

    def entry(self, request: PostmanRequest, trail: tuple, **extra: Any) -> Entry:
        return Entry(
            name=request.name,
            method=request.method,
            url=freeform.stored_path(request.raw_url or request.path),  # shown: no secret
            folder=" / ".join(trail),
            **extra,
        )

    def request(self, request: PostmanRequest, folder: CollectionFolder | None, trail: tuple):
        notes = list(request.notes)
        if request.unsupported:
            self.summary.skipped.append(self.entry(request, trail, reason=request.unsupported))
            return
        if _looks_like_token_request(request):
            reason = "it asks for an OAuth token: the console fetches and renews tokens itself"
            self.summary.skipped.append(self.entry(request, trail, reason=reason))
            return
        captures = [{"variable": v, "pointer": p} for v, p in request.captures]
        found = match_operation(
            request.method,
            request.path,
            self.candidates,
            base_paths=self.base_paths,
            variables=request.path_variables,
        )
        try:
            if found is not None:
                operation = self.operations[found.candidate.key]
                state = _form_state(self.form(operation), request, found.params, notes)
                with transaction.atomic():
                    saved = saved_create(
                        scope=self.scope, operation=operation, name=request.name, state=state
                    )
                    collections.item_add(
                        scope=self.scope,
                        collection=self.summary.collection,
                        name=request.name,
                        saved_request=saved,
                        folder=folder,
                        captures=captures,
                    )
                self.summary.matched.append(
                    self.entry(request, trail, operation=operation.label, notes=tuple(notes))
                )
                return
            with transaction.atomic():
                free = freeform.free_request_create(scope=self.scope, **self.free(request, notes))
                collections.item_add(
                    scope=self.scope,
                    collection=self.summary.collection,
                    name=request.name,
                    free_request=free,
                    folder=folder,
                    captures=captures,
                )
        except (freeform.FreeRequestError, collections.CollectionError, SavedRequestError) as exc:
            self.summary.skipped.append(self.entry(request, trail, reason=str(exc)))
            return
        reason = (
            f"no {request.method} operation of the spec has the path {request.path}"
            if self.version is not None
            else "no spec was chosen to match against"
        )
        self.summary.free.append(self.entry(request, trail, reason=reason, notes=tuple(notes)))

    def free(self, request: PostmanRequest, notes: list[str]) -> dict[str, Any]:
        """The free request's fields for an unmatched Postman request (its path relative to
        the environment's base URL, as free requests are sent)."""
        path = _strip_base(_path_with_values(request), self.host_paths)
        fields = [(f.name, f.value) for f in request.body_fields if f.enabled]
        content_type = request.content_type
        if request.body_mode == "raw":
            body = request.body
        elif request.body_mode in ("urlencoded", "formdata"):
            body = urlencode(_redact_pairs(fields), safe="{}")
            content_type = "application/x-www-form-urlencoded"
            if request.body_mode == "formdata":
                notes.append(
                    "Its form-data body is kept as a URL-encoded form (free requests send "
                    "text bodies)."
                )
        else:
            body = ""
        _note_credentials(request, set(), notes)
        if request.host and not request.host.startswith("{{"):
            notes.append(
                f"Its host {request.host} is not kept: it is sent to the chosen Application "
                "Access's environment."
            )
        headers = [
            {"name": h.name, "value": h.value, "enabled": h.enabled}
            for h in request.headers
            if h.name.lower() not in _CREDENTIAL_HEADERS
            and not (body and h.name.lower() == "content-type")
        ]
        return {
            "name": request.name,
            "method": request.method,
            "path": path,
            "query": [
                {"name": q.name, "value": q.value, "enabled": q.enabled} for q in request.query
            ],
            "headers": headers,
            "body": body,
            "body_content_type": content_type if body else "",
        }


def postman_import(
    *,
    scope: TeamScope,
    spec_version: SpecVersion | None,
    text: str | bytes,
    name: str | None = None,
    max_items: int = MAX_ITEMS,
) -> ImportSummary:
    """Import a Postman v2.0/v2.1 collection as a new collection of the team.

    Requests are matched to `spec_version`'s operations (None: every request becomes a
    free request); everything is made in one transaction (a failure leaves nothing
    behind). Raises PostmanError for a document that is not a collection or holds more
    than `max_items` requests and folders (the web page passes `WEB_MAX_ITEMS`).
    """
    scope.require(Role.MEMBER)
    if spec_version is not None and spec_version.team_id != scope.team.pk:
        raise Http404("No such spec version.")
    parsed = parse_collection(_text_of(text), max_items=max_items)
    with transaction.atomic():
        collection = collections.collection_create(
            scope=scope,
            name=(name or "").strip() or parsed.name,
            description=parsed.description,
        )
        summary = ImportSummary(
            collection=collection, version=parsed.version, notes=list(parsed.notes)
        )
        _Importer(scope, spec_version, parsed).run(summary)
    names = [p.name for p in parsed.variables if p.enabled]
    if names:
        summary.notes.append(
            "Collection variables (" + ", ".join(names) + ") were not imported: set them as "
            "team variables, or import a Postman environment that holds them."
        )
    headers = any(
        h.name.lower() in _CREDENTIAL_HEADERS for _, r in parsed.requests() for h in r.headers
    )
    sentence = _auth_sentence(parsed.auth_types, headers=headers)
    if sentence:
        summary.notes.insert(0, sentence)
    return summary


# ---------------------------------------------------------------- importing an environment


def _offer_name(env_name: str) -> str:
    return (env_name.strip() or "Postman")[:150] + " (from Postman)"


def postman_environment_import(
    *, scope: TeamScope, environment: Environment, text: str | bytes
) -> EnvSummary:
    """Set the environment file's values as team variables of `environment`.

    Secret values, and values named like a secret (`secret_named`: Postman's "default"
    type is its default, so a password is often left so), become secret variables
    (admins and owners only; for others they are skipped with the reason, never stored
    in clear for viewers). Disabled values, tokens and values no database stores are
    skipped. A client ID and secret are not stored: they come back as `EnvSummary.offer`.
    """
    from console.variables.models import Variable
    from console.variables.services import VariableError, variable_set

    scope.require(Role.MEMBER)
    if environment.team_id != scope.team.pk:
        raise Http404("No such environment.")
    parsed = parse_environment(_text_of(text))
    summary = EnvSummary(name=parsed.name, environment=environment)
    summary.skipped.extend(parsed.refused)
    existing = set(
        scope.all(Variable).filter(environment=environment).values_list("name", flat=True)
    )
    for value in parsed.values:
        if not value.enabled:
            summary.skipped.append((value.name, "disabled in Postman"))
            continue
        if _TOKEN_NAMES.match(value.name):
            summary.skipped.append(
                (value.name, "a token: the console fetches its own from the Application Access")
            )
            continue
        secret = value.secret or secret_named(value.name)
        try:
            with transaction.atomic():
                variable_set(
                    scope=scope,
                    name=value.name,
                    value=value.value,
                    environment=environment,
                    secret=secret,
                )
        except VariableError as exc:
            summary.skipped.append((value.name, str(exc)))
            continue
        except PermissionDenied:
            kind = "a secret value" if value.secret else "named like a secret"
            summary.skipped.append(
                (value.name, f"{kind}: only admins and owners set secret variables")
            )
            continue
        (summary.updated if value.name in existing else summary.created).append(value.name)
        if secret:
            summary.secret.append(value.name)
    client_id, client_secret = parsed.client_id, parsed.client_secret
    if client_id or client_secret:
        usable = [
            v for v in (client_id, client_secret)
            if v is not None and v.enabled and v.value.strip() and "{{" not in v.value
        ]  # fmt: skip
        if len(usable) < 2:
            summary.offer_problem = (
                "A client ID or secret was found without the other (or without a value), so "
                "no Application Access can be made from it; it was not stored as a variable."
            )
        else:
            assert client_id is not None
            assert client_secret is not None
            summary.offer = AccessOffer(
                name=_offer_name(parsed.name),
                client_id=client_id.value.strip(),
                client_secret=client_secret.value.strip(),
            )
    return summary


def offer_seal(scope: TeamScope, offer: AccessOffer) -> str:
    """The offer encrypted (with the vault's key) and signed for this team, to keep in the
    session until it is confirmed; it opens for `OFFER_MAX_AGE` seconds."""
    plain = json.dumps({"id": offer.client_id, "secret": offer.client_secret})
    return signing.dumps(
        {"team": scope.team.pk, "name": offer.name, "box": crypto.encrypt(plain)},
        salt=_OFFER_SALT,
    )


def offer_open(scope: TeamScope, sealed: str) -> AccessOffer | None:
    """The offer `offer_seal` made for this team, None when it is missing, expired or not
    this team's."""
    try:
        data = signing.loads(sealed or "", salt=_OFFER_SALT, max_age=OFFER_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("team") != scope.team.pk:
        return None
    plain = crypto.decrypt_or_none(str(data.get("box") or ""))
    if plain is None:
        return None
    box = json.loads(plain)
    return AccessOffer(
        name=str(data.get("name") or ""), client_id=box["id"], client_secret=box["secret"]
    )


def offer_accept(
    *, scope: TeamScope, offer: AccessOffer, name: str, environment: Environment
) -> ApplicationAccess:
    """Make the offered Application Access (admins and owners, as any new access)."""
    scope.require(Role.ADMIN)
    if environment.team_id != scope.team.pk:
        raise Http404("No such environment.")
    name = " ".join(str(name or "").split())[:200]
    if not name:
        raise vault.VaultError("Give the Application Access a name.")
    return vault.access_create(
        scope=scope,
        name=name,
        environment=environment,
        client_id=offer.client_id,
        client_secret=offer.client_secret,
    )


# ---------------------------------------------------------------- importing curl


def curl_import(
    *, scope: TeamScope, text: str, collection: Collection | None = None
) -> FreeRequest:
    """A free request from a pasted curl command (added at the end of `collection` when given).

    The URL's host is dropped, as is a leading base path of one of the team's
    environments: a free request is sent to the chosen access's environment. `-u` and
    Authorization headers are dropped (the managed token is sent instead).
    """
    scope.require(Role.MEMBER)
    if collection is not None and collection.team_id != scope.team.pk:
        raise Http404("No such collection.")
    parsed = parse_curl(text)
    from console.postman.collection import split_raw_url

    _, _, path, query = split_raw_url(parsed.url)
    path = _strip_base(path, _team_base_paths(scope))
    body = parsed.body
    content_type = parsed.content_type
    if content_type == "application/x-www-form-urlencoded":
        body = urlencode(_redact_pairs(parse_qsl(body, keep_blank_values=True)), safe="{}")
    notes = list(parsed.notes)
    credentials = [n for n, _ in parsed.headers if n.lower() in _CREDENTIAL_HEADERS]
    if credentials:
        notes.append("Credential headers left out: " + ", ".join(credentials))
    headers = [
        {"name": n, "value": v, "enabled": True}
        for n, v in parsed.headers
        if not (body and n.lower() == "content-type") and n.lower() not in _CREDENTIAL_HEADERS
    ]
    rows = [
        {"name": k, "value": v, "enabled": True}
        for k, v in parse_qsl(query, keep_blank_values=True)
    ]
    with transaction.atomic():
        free = freeform.free_request_create(
            scope=scope,
            name=f"{parsed.method} {path}"[:200],
            method=parsed.method,
            path=path,
            query=rows,
            headers=headers,
            body=body,
            body_content_type=content_type if body else "",
        )
        if collection is not None:
            collections.item_add(
                scope=scope, collection=collection, name=free.name, free_request=free
            )
    free.import_notes = notes  # type: ignore[attr-defined]  # shown once by the view
    return free


# ---------------------------------------------------------------- exporting


def _pm_pairs(rows: list[tuple[str, str, bool]]) -> list[dict[str, Any]]:
    out = []
    for name, value, enabled in rows:
        pair: dict[str, Any] = {"key": name, "value": value, "type": "text"}
        if not enabled:
            pair["disabled"] = True
        out.append(pair)
    return out


def _pm_url(prefix: str, path: str, query: list[tuple[str, str, bool]], variables: list) -> dict:
    full = "/".join(s for s in (prefix + "/" + path.lstrip("/")).split("/") if s)
    raw = "{{baseUrl}}/" + full
    enabled = [(k, v) for k, v, on in query if on]
    if enabled:
        raw += "?" + "&".join(f"{k}={v}" for k, v in enabled)
    url: dict[str, Any] = {
        "raw": raw,
        "host": ["{{baseUrl}}"],
        "path": full.split("/") if full else [],
    }
    if query:
        url["query"] = _pm_pairs(query)
    if variables:
        url["variable"] = [{"key": k, "value": v} for k, v in variables]
    return url


def _pm_body(text: str, content_type: str, fields: list[tuple[str, str]] | None = None) -> dict:
    media = content_type.split(";", 1)[0].strip().lower()
    if fields is not None and media == "application/x-www-form-urlencoded":
        return {"mode": "urlencoded", "urlencoded": _pm_pairs([(k, v, True) for k, v in fields])}
    if fields is not None and media.startswith("multipart/"):
        return {"mode": "formdata", "formdata": _pm_pairs([(k, v, True) for k, v in fields])}
    if fields is not None:  # a JSON body edited as a form
        text = json.dumps(dict(fields), indent=2, ensure_ascii=False)
    body: dict[str, Any] = {"mode": "raw", "raw": text}
    if "json" in media or (not media and text.lstrip()[:1] in ("{", "[")):
        body["options"] = {"raw": {"language": "json"}}
    elif media.endswith("xml"):
        body["options"] = {"raw": {"language": "xml"}}
    return body


def _pm_headers(rows: list[tuple[str, str, bool]], content_type: str) -> list[dict[str, Any]]:
    out = _pm_pairs([(n, v, on) for n, v, on in rows if n.lower() not in _CREDENTIAL_HEADERS])
    if content_type and not any(r[0].lower() == "content-type" for r in rows):
        out.insert(0, {"key": "Content-Type", "value": content_type, "type": "text"})
    return out


def _value_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _saved_request(saved: SavedRequest, prefixes: dict[int, str]) -> dict[str, Any]:
    values = saved.values or {}
    path_parts, variables = [], []
    for segment in saved.path.split("/"):
        names = re.findall(r"\{([^{}]+)\}", segment)
        if len(names) == 1 and segment == "{" + names[0] + "}":
            path_parts.append(":" + names[0])
            variables.append((names[0], str(values.get("path:" + names[0], ""))))
        else:
            path_parts.append(
                re.sub(
                    r"\{([^{}]+)\}",
                    lambda m: str(values.get("path:" + m.group(1)) or "{{" + m.group(1) + "}}"),
                    segment,
                )
            )
    query = [
        (key.split(":", 1)[1], v, True)
        for key, value in values.items()
        if key.startswith("query:")
        for v in _value_list(value)
    ]
    headers = [
        (key.split(":", 1)[1], ",".join(_value_list(value)), True)
        for key, value in values.items()
        if key.startswith("header:")
    ]
    request: dict[str, Any] = {
        "method": saved.method,
        "header": _pm_headers(
            headers,
            saved.body_content_type
            if saved.body or any(k.startswith("body:") for k in values)
            else "",
        ),
        "url": _pm_url(prefixes.get(saved.spec_id, ""), "/".join(path_parts), query, variables),
    }
    form_fields = [
        (k.split(":", 1)[1], ",".join(_value_list(v)))
        for k, v in values.items()
        if k.startswith("body:")
    ]
    if form_fields:
        request["body"] = _pm_body("", saved.body_content_type, form_fields)
    elif saved.body:
        request["body"] = _pm_body(saved.body, saved.body_content_type)
    if saved.operation_label:
        request["description"] = saved.operation_label
    return request


def _free_request(free: FreeRequest) -> dict[str, Any]:
    path, _, typed = free.path.partition("?")
    query = [(k, v, True) for k, v in parse_qsl(typed, keep_blank_values=True)]
    query += [
        (r.get("name", ""), r.get("value", ""), r.get("enabled", True) is not False)
        for r in free.query or []
    ]
    headers = [
        (r.get("name", ""), r.get("value", ""), r.get("enabled", True) is not False)
        for r in free.headers or []
    ]
    request: dict[str, Any] = {
        "method": free.method,
        "header": _pm_headers(headers, free.body_content_type if free.body else ""),
        "url": _pm_url("", path, query, []),
    }
    if free.body:
        fields = None
        if free.body_content_type.startswith("application/x-www-form-urlencoded"):
            fields = parse_qsl(free.body, keep_blank_values=True)
        request["body"] = _pm_body(free.body, free.body_content_type, fields)
    return request


def _capture_script(captures: list[dict[str, str]]) -> list[dict[str, Any]]:
    if not captures:
        return []
    lines = []
    for capture in captures:
        tokens = [
            t.replace("~1", "/").replace("~0", "~") for t in capture["pointer"].split("/")[1:]
        ]
        # ASCII digits only: U+0661 (Arabic-Indic one) passes str.isdigit() but is a
        # key in JavaScript, not an index.
        access = "".join(
            f"[{t}]" if t.isascii() and t.isdigit() else f"[{json.dumps(t)}]" for t in tokens
        )
        name = json.dumps(capture["variable"])
        lines.append(f"pm.collectionVariables.set({name}, pm.response.json(){access});")
    return [{"listen": "test", "script": {"type": "text/javascript", "exec": lines}}]


def postman_export(*, scope: TeamScope, collection: Collection) -> dict[str, Any]:
    """`collection` as a Postman v2.1 collection (viewers and above).

    Requests use ``{{baseUrl}}``; the collection's auth is a bearer ``{{token}}``
    placeholder. No secret, token or client credential is written: saved values were
    redacted when saved and credential headers are left out.
    """
    if collection.team_id != scope.team.pk:
        raise Http404("No such collection.")
    folders = list(collection.folders.all())
    items = list(
        collection.items.select_related("saved_request", "free_request").order_by("position", "id")
    )
    spec_ids = {i.saved_request.spec_id for i in items if i.saved_request_id}
    prefixes: dict[int, str] = {}
    for spec_id in spec_ids:
        doc = (
            SpecVersion.objects.filter(spec_id=spec_id)
            .order_by("-number")
            .values_list("document", flat=True)
            .first()
        )
        prefixes[spec_id] = server_path_prefix((doc or {}).get("servers"))
    children: dict[int | None, list[Any]] = {}
    for row in [*folders, *items]:
        parent = row.parent_id if isinstance(row, CollectionFolder) else row.folder_id
        children.setdefault(parent, []).append(row)

    def build(parent: int | None) -> list[dict[str, Any]]:
        rows = sorted(
            children.get(parent, []),
            key=lambda r: (r.position, isinstance(r, CollectionItem), r.pk),
        )
        out = []
        for row in rows:
            if isinstance(row, CollectionFolder):
                out.append({"name": row.name, "item": build(row.pk)})
                continue
            request = (
                _saved_request(row.saved_request, prefixes)
                if row.saved_request_id
                else _free_request(row.free_request)
            )
            entry: dict[str, Any] = {"name": row.name}
            events = _capture_script(row.captures or [])
            if events:
                entry["event"] = events
            entry["request"] = request
            entry["response"] = []
            out.append(entry)
        return out

    environments = list(scope.all(Environment).order_by("name").values_list("base_url", flat=True))
    info: dict[str, Any] = {
        "_postman_id": f"ue-console-{scope.team.slug}-{collection.pk}",
        "name": collection.name,
        "schema": SCHEMA_V21,
    }
    if collection.description:
        info["description"] = collection.description
    return {
        "info": info,
        "item": build(None),
        "auth": {
            "type": "bearer",
            "bearer": [{"key": "token", "value": "{{token}}", "type": "string"}],
        },
        "variable": [
            {
                "key": "baseUrl",
                "value": environments[0].rstrip("/") if len(environments) == 1 else "",
                "type": "string",
            }
        ],
    }


def export_filename(collection: Collection) -> str:
    """The download's file name, as Postman names its exports."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", collection.name).strip("-.") or "collection"
    return f"{stem[:80]}.postman_collection.json"
