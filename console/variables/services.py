"""Team variables: setting them, and putting their values into a call.

A variable is written ``{{name}}`` (spaces inside the braces allowed) in any
parameter, header or body text; `variables_for(scope, environment)` reads the values
one environment sees (an environment's own value beats the team-wide one of the same
name) as a `VariableSet`, whose `resolve_text` / `resolve_values` / `resolve_request`
replace the placeholders. Text is replaced as it is written (Postman's rule): in a JSON
body ``"{{id}}"`` gives a string and ``{{count}}`` a number.

Who may do what: viewers see names and non-secret values; members and above create,
change and delete non-secret variables and set them from a response; secret variables
are managed by admins and owners only, like the client secrets of Application Access
(members still use them in calls, without ever seeing them). A secret value is stored
encrypted (`console.vault.crypto`), never shown again, and scrubbed from everything
the console keeps or shows (history, previews, the response panel); it needs at least
`MIN_SECRET` characters so it can be recognised wherever it appears.
"""

from __future__ import annotations

import functools
import json
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote_plus

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.http import Http404

from console.history.models import CallRecord
from console.history.redaction import MIN_SECRET, REDACTED, scrub
from console.specs.engine.request import encoded_forms
from console.teams.models import Role
from console.teams.scoping import TeamScope
from console.variables.models import MAX_NAME, NAME_PATTERN, Variable
from console.vault import crypto
from console.vault.models import ApplicationAccess, Environment

MAX_VALUE = 10_000
# How deep a value may refer to other variables ({{url}} = "{{host}}/v1").
MAX_DEPTH = 5
# How long one text may grow once its variables are replaced: values that refer to each
# other many times over would otherwise multiply (4 values of 60 placeholders: 13 million).
MAX_EXPANSION = 1_000_000
SKIPPED_KEYS = frozenset({"csrfmiddlewaretoken"})

PLACEHOLDER = re.compile(r"\{\{\s*(" + NAME_PATTERN + r")\s*\}\}")
_NAME = re.compile(NAME_PATTERN)


class VariableError(Exception):
    """A variable that cannot be set, with one message for a person."""


class UnresolvedVariables(Exception):
    """Placeholders naming no variable of the environment; `names` lists them."""

    def __init__(self, names: Iterable[str], environment_name: str = "", message: str = "") -> None:
        self.names = sorted(set(names))
        self.environment_name = environment_name
        self._message = message
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """``No variable named {{x}} in Sandbox.`` (one sentence for all names)."""
        if self._message:
            return self._message
        shown = ", ".join("{{" + name + "}}" for name in self.names)
        where = f"in {self.environment_name}" if self.environment_name else "for this team"
        noun = "variable" if len(self.names) == 1 else "variables"
        return f"No {noun} named {shown} {where}."


def placeholders(text: str) -> list[str]:
    """The variable names `text` refers to, in order of first use."""
    seen: dict[str, None] = {}
    for match in PLACEHOLDER.finditer(text or ""):
        seen.setdefault(match.group(1), None)
    return list(seen)


def secret_forms(secret: str) -> list[str]:
    """The ways a secret value may appear once sent: as is, as each of the request
    builder's encoders writes it (path, query name and value, cookie), form-encoded, and
    escaped inside a JSON string (ASCII-only or not). All are scrubbed."""
    forms = [
        secret,
        *encoded_forms(secret),
        quote_plus(secret),
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
    ]
    return list(dict.fromkeys(f for f in forms if f))


def scrub_secrets(text: str, secrets: Iterable[str], mark: str = REDACTED) -> str:
    """`text` with every secret (`VariableSet.secrets`) replaced by `mark`."""
    return scrub(text, secrets, mark)


@dataclass(frozen=True)
class VariableSet:
    """The variables one environment sees, by name, ready to replace placeholders."""

    # Never in a repr: it holds decrypted secrets (a log line or a traceback prints reprs).
    values: Mapping[str, str] = field(default_factory=dict, repr=False)
    secret_names: frozenset[str] = frozenset()
    environment_name: str = ""

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every secret value of the set in every form it may be sent in, to scrub from
        what is kept and shown (`call_record(..., secrets=...)`, `scrub_secrets`)."""
        forms: list[str] = []
        for name in sorted(self.secret_names):
            forms.extend(secret_forms(self.values[name]))
        return tuple(dict.fromkeys(forms))

    def names(self) -> list[str]:
        """The names of the set, sorted."""
        return sorted(self.values)

    def _value(self, name: str, depth: int, missing: set[str], memo: dict[str, str]) -> str:
        if name in memo:
            return memo[name]  # each name is resolved once per text: no exponential work
        value = self.values[name]
        if name in self.secret_names or "{{" not in value:
            return value  # a secret is opaque: its text is never read for placeholders
        if depth >= MAX_DEPTH:
            raise UnresolvedVariables(
                [name],
                self.environment_name,
                f"The variable {{{{{name}}}}} refers to other variables more than "
                f"{MAX_DEPTH} deep (do they refer to each other?).",
            )
        memo[name] = self._replace(value, depth + 1, missing, memo)
        return memo[name]

    def _replace(self, text: str, depth: int, missing: set[str], memo: dict[str, str]) -> str:
        size = len(text)  # an upper bound of the result, counted as it is built

        def one(match: re.Match[str]) -> str:
            nonlocal size
            name = match.group(1)
            if name not in self.values:
                missing.add(name)
                return match.group(0)
            value = self._value(name, depth, missing, memo)
            size += len(value)
            if size > MAX_EXPANSION:
                raise UnresolvedVariables(
                    [name],
                    self.environment_name,
                    f"Variables expand to more than {MAX_EXPANSION:,} characters "
                    "(do their values refer to each other many times over?).",
                )
            return value

        return PLACEHOLDER.sub(one, text)

    def resolve_text(self, text: str) -> str:
        """`text` with every ``{{name}}`` replaced by its value; `UnresolvedVariables`
        when a name is not a variable of this environment."""
        if not text or "{{" not in text:
            return text
        missing: set[str] = set()
        resolved = self._replace(text, 0, missing, {})
        if missing:
            raise UnresolvedVariables(missing, self.environment_name)
        return resolved

    def resolve_any(self, value: Any) -> Any:
        """A JSON-like value with every string in it resolved (dicts, lists, nested)."""
        if isinstance(value, str):
            return self.resolve_text(value)
        if isinstance(value, list | tuple):
            return [self.resolve_any(item) for item in value]
        if isinstance(value, dict):
            return {key: self.resolve_any(item) for key, item in value.items()}
        return value

    def resolve_values(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Every str value of `values` (and str items of lists) resolved. A posted form
        (a QueryDict) comes back as a QueryDict with all its items; uploads untouched.
        Raises `UnresolvedVariables` naming every unknown variable."""
        resolved, errors = resolve_form_values(self, values)
        if errors:
            names = [n for text in _texts(values) for n in placeholders(text)]
            unknown = [n for n in names if n not in self.values]
            if not unknown:  # a loop of references, not an unknown name
                raise UnresolvedVariables([], self.environment_name, next(iter(errors.values())))
            raise UnresolvedVariables(unknown, self.environment_name)
        return resolved

    def display(self, text: str, mark: str = "[secret]") -> str:
        """`text` (already resolved) with the secret values shown as `mark`."""
        return scrub_secrets(text, self.secrets, mark) if self.secret_names else text


def _texts(values: Mapping[str, Any]) -> list[str]:
    found: list[str] = []
    items = values.lists() if hasattr(values, "lists") else values.items()
    for _key, value in items:
        for item in value if isinstance(value, list | tuple) else [value]:
            if isinstance(item, str):
                found.append(item)
    return found


def resolve_form_values(vset: VariableSet, values: Mapping[str, Any]) -> tuple[Any, dict[str, str]]:
    """`values` with their placeholders replaced, and a message per field (by key) that
    names an unknown variable. A QueryDict stays a QueryDict (a mutable copy)."""
    errors: dict[str, str] = {}

    def one(key: str, item: Any) -> Any:
        if key in SKIPPED_KEYS or not isinstance(item, str) or "{{" not in item:
            return item
        try:
            return vset.resolve_text(item)
        except UnresolvedVariables as exc:
            errors.setdefault(key, exc.message)
            return item

    if hasattr(values, "lists") and hasattr(values, "setlist"):
        copy = values.copy()  # QueryDict: a mutable copy with every item
        for key, items in values.lists():
            copy.setlist(key, [one(key, item) for item in items])
        return copy, errors
    resolved: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, list | tuple):
            resolved[key] = [one(key, item) for item in value]
        else:
            resolved[key] = one(key, value)
    return resolved, errors


def has_placeholders(values: Any, body: str = "") -> bool:
    """Whether a posted form or its body text refers to a variable (cheap: no query)."""
    if PLACEHOLDER.search(body or ""):
        return True
    return any(PLACEHOLDER.search(text) for text in _texts(values or {}))


def resolve_request(
    vset: VariableSet,
    method: str,
    path: str,
    query: Iterable[tuple[str, str]] | Mapping[str, str],
    headers: Iterable[tuple[str, str]] | Mapping[str, str],
    body: str,
) -> tuple[str, str, list[tuple[str, str]], list[tuple[str, str]], str]:
    """A free request with its placeholders replaced in every part (method, path, query
    names and values, header names and values, body). `UnresolvedVariables` names every
    unknown variable at once."""
    query_pairs = list(query.items()) if isinstance(query, Mapping) else list(query)
    header_pairs = list(headers.items()) if isinstance(headers, Mapping) else list(headers)
    texts = [method, path, body or ""]
    texts += [part for pair in [*query_pairs, *header_pairs] for part in pair]
    missing = {n for text in texts for n in placeholders(text) if n not in vset.values}
    if missing:
        raise UnresolvedVariables(missing, vset.environment_name)
    r = vset.resolve_text
    return (
        r(method),
        r(path),
        [(r(k), r(v)) for k, v in query_pairs],
        [(r(k), r(v)) for k, v in header_pairs],
        r(body or ""),
    )


# ---------------------------------------------------------------- reading


def variables_for(scope: TeamScope, environment: Environment | None) -> VariableSet:
    """The variables `environment` sees: team-wide ones, overridden by its own (with
    None, the team-wide ones only). Secret values are decrypted here, in memory only;
    one that no current key decrypts is left out (as if not set)."""
    wanted = Q(environment__isnull=True)
    if environment is not None:
        if environment.team_id != scope.team.pk:
            raise Http404("No such environment.")
        wanted |= Q(environment=environment)
    rows = scope.all(Variable).filter(wanted)
    values: dict[str, str] = {}
    secret: set[str] = set()
    # Team-wide first, so an environment's own value replaces it.
    for row in sorted(rows, key=lambda v: v.environment_id is not None):
        if row.is_secret:
            plain = crypto.decrypt_or_none(row.secret_value)
            if plain is None:
                values.pop(row.name, None)
                secret.discard(row.name)
                continue
            values[row.name] = plain
            secret.add(row.name)
        else:
            values[row.name] = row.value
            secret.discard(row.name)
    return VariableSet(
        values=values,
        secret_names=frozenset(secret),
        environment_name=environment.name if environment is not None else "",
    )


# ---------------------------------------------------------------- secrets of a call


# (team id, environment id) -> (marker, forms): the secret forms one environment's calls
# scrub, decrypted once per process and kept until its secret variables change.
_SECRET_FORMS: dict[tuple[int, int | None], tuple[tuple[Any, ...], tuple[str, ...]]] = {}
_SECRET_FORMS_LOCK = threading.Lock()


@functools.cache
def _secret_where() -> tuple[str, str, str]:
    """The variables table, its updated-at column and a WHERE clause without parameters
    but two the caller puts in: ``{team}`` and ``{environment}`` (columns or ``%s``)."""
    q = connection.ops.quote_name
    meta = Variable._meta
    team, env = q(meta.get_field("team").column), q(meta.get_field("environment").column)
    secret = q(meta.get_field("is_secret").column)
    table = q(meta.db_table)
    # TRUE is a literal on SQLite 3.23+ and PostgreSQL alike; no parameter to place.
    where = (
        f"{table}.{team} = {{team}} AND {table}.{secret} = TRUE "
        f"AND ({table}.{env} IS NULL OR {table}.{env} = {{environment}})"
    )
    return table, q(meta.get_field("updated_at").column), where


def secret_marker_sql(team: str, environment: str) -> str:
    """Two SELECT-list expressions (how many secret variables a call to `environment`
    sees, and when the newest changed) for a statement that reads an access anyway:
    `secret_forms_for(..., marker=(count, newest))` then needs no statement of its own.
    `team` and `environment` are SQL expressions (quoted columns of that statement)."""
    table, updated, where = _secret_where()
    where = where.format(team=team, environment=environment)
    return (
        f"(SELECT COUNT(*) FROM {table} WHERE {where}), "  # noqa: S608 (quoted names only)
        f"(SELECT MAX({table}.{updated}) FROM {table} WHERE {where})"
    )


@functools.cache
def _secret_sql() -> tuple[str, str]:
    """The marker statement and the statement that reads the encrypted values."""
    table, _updated, where = _secret_where()
    where = where.format(team="%s", environment="%s")
    value = connection.ops.quote_name(Variable._meta.get_field("secret_value").column)
    return (
        f"SELECT {secret_marker_sql('%s', '%s')}",
        f"SELECT {table}.{value} FROM {table} WHERE {where}",  # noqa: S608 (quoted names)
    )


def secret_forms_for(
    team_id: int, environment_id: int | None, marker: tuple[Any, Any] | None = None
) -> tuple[str, ...]:
    """Every form of every secret variable a call to `environment_id` may carry (its own
    and the team-wide ones), to scrub from every answer, header and record of a call with
    that environment, whether or not the call named a variable: a secret stored upstream
    by one call comes back in the answer of the next.

    The values are decrypted only when the environment's secret variables changed since
    this process last read them, which a marker says (their count and newest change):
    given (`marker`, read with the access by `secret_marker_sql`) no statement runs when
    nothing changed, otherwise one small one reads it."""
    marker_sql, values_sql = _secret_sql()
    if marker is None:
        with connection.cursor() as cursor:
            cursor.execute(marker_sql, [team_id, environment_id] * 2)
            marker = cursor.fetchone()
    count, newest = marker
    if not count:
        return ()  # the usual case: no secret variable, nothing more to read
    key, marker = (team_id, environment_id), (count, str(newest))
    cached = _SECRET_FORMS.get(key)
    if cached is not None and cached[0] == marker:
        return cached[1]
    with connection.cursor() as cursor:
        cursor.execute(values_sql, [team_id, environment_id])
        encrypted = [row[0] for row in cursor.fetchall()]
    forms: list[str] = []
    for text in encrypted:
        plain = crypto.decrypt_or_none(text)
        if plain:  # one no current key decrypts was never sent
            forms.extend(secret_forms(plain))
    found = tuple(dict.fromkeys(forms))
    with _SECRET_FORMS_LOCK:
        _SECRET_FORMS[key] = (marker, found)
    return found


def forget_secret_forms() -> None:
    """Drop this process's decrypted secret forms (a variable was saved or deleted here;
    other processes see the change by the marker)."""
    with _SECRET_FORMS_LOCK:
        _SECRET_FORMS.clear()


def can_manage(scope: TeamScope, *, secret: bool) -> bool:
    """Members manage plain variables; secret ones only admins and owners."""
    return scope.membership.has_role(Role.ADMIN if secret else Role.MEMBER)


def _require(scope: TeamScope, *, secret: bool) -> None:
    scope.require(Role.MEMBER)
    if secret and not can_manage(scope, secret=True):
        raise PermissionDenied("Only admins and owners manage secret variables.")


def clean_name(name: str) -> str:
    """The name as stored, or a `VariableError` saying what a name may hold."""
    name = str(name or "").strip()
    if name.startswith("{{") and name.endswith("}}"):
        name = name[2:-2].strip()  # someone typed the placeholder: take the name in it
    if not name:
        raise VariableError("Give the variable a name.")
    if len(name) > MAX_NAME:
        raise VariableError(f"Variable names have at most {MAX_NAME} characters.")
    if not _NAME.fullmatch(name):
        raise VariableError(
            "A variable name has letters, digits, _ . and - only, and starts with a letter or _."
        )
    return name


def _environment(scope: TeamScope, environment: Environment | None) -> Environment | None:
    if environment is not None and environment.team_id != scope.team.pk:
        raise Http404("No such environment.")
    return environment


def _check_value(value: str, *, secret: bool) -> None:
    """A `VariableError` when `value` is too long, or too short to be a secret."""
    if len(value) > MAX_VALUE:
        raise VariableError(f"Values have at most {MAX_VALUE:,} characters.")
    if secret and len(value) < MIN_SECRET:
        raise VariableError(
            f"A secret value needs at least {MIN_SECRET} characters, so that it can be "
            "recognised and hidden wherever it appears."
        )


def variable_set(
    *,
    scope: TeamScope,
    name: str,
    value: str,
    environment: Environment | None = None,
    secret: bool = False,
) -> Variable:
    """Create the variable `name` for `environment` (None: every environment), or change
    its value if it exists. A secret value is stored encrypted; members and above set
    plain variables, admins and owners secret ones (also to turn one into the other)."""
    environment = _environment(scope, environment)
    name = clean_name(name)
    value = "" if value is None else str(value)
    _check_value(value, secret=secret)
    existing = scope.all(Variable).filter(name=name, environment=environment).first()
    _require(scope, secret=secret or bool(existing and existing.is_secret))
    variable = existing or Variable(team=scope.team, name=name, environment=environment)
    variable.is_secret = secret
    variable.value = "" if secret else value
    variable.secret_value = crypto.encrypt(value) if secret else ""
    variable.updated_by = scope.user
    try:
        with transaction.atomic():
            variable.save()
    except IntegrityError as exc:  # set at the same moment by someone else
        raise VariableError(f"A variable named {name} was just added; try again.") from exc
    return variable


def variable_update(
    *,
    scope: TeamScope,
    variable: Variable,
    name: str,
    value: str,
    environment: Environment | None,
    secret: bool,
) -> Variable:
    """Change a variable's name, environment, value or kind. A blank value keeps a
    secret's value (a secret is never shown, so its form cannot prefill it)."""
    if variable.team_id != scope.team.pk:
        raise Http404("No such variable.")
    environment = _environment(scope, environment)
    _require(scope, secret=secret or variable.is_secret)
    name = clean_name(name)
    clash = scope.all(Variable).filter(name=name, environment=environment).exclude(pk=variable.pk)
    if clash.exists():
        where = environment.name if environment else "every environment"
        raise VariableError(f"There is already a variable {name} for {where}.")
    keep_secret = secret and variable.is_secret and not value
    if not keep_secret:
        _check_value(value or "", secret=secret)
        variable.value = "" if secret else (value or "")
        variable.secret_value = crypto.encrypt(value) if secret else ""
    variable.name, variable.environment, variable.is_secret = name, environment, secret
    variable.updated_by = scope.user
    try:
        with transaction.atomic():
            variable.save()
    except IntegrityError as exc:
        raise VariableError(f"A variable named {name} was just added; try again.") from exc
    return variable


def variable_delete(*, scope: TeamScope, variable: Variable) -> None:
    """Delete `variable` (calls already recorded keep the values they were sent with)."""
    if variable.team_id != scope.team.pk:
        raise Http404("No such variable.")
    _require(scope, secret=variable.is_secret)
    variable.delete()


# ---------------------------------------------------------------- set from a response


def json_pointer_get(document: Any, pointer: str) -> Any:
    """The value at RFC 6901 JSON Pointer `pointer` (``""`` is the whole document;
    ``~1`` is ``/`` and ``~0`` is ``~`` in a token). `KeyError` with a message saying
    where it stopped when there is nothing there."""
    if pointer == "":
        return document
    if not pointer.startswith("/"):
        raise KeyError(f"A JSON Pointer starts with / (got {pointer!r}).")
    node = document
    walked = ""
    for raw in pointer[1:].split("/"):
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict):
            if token not in node:
                raise KeyError(f"No property {token!r} at {walked or 'the top'}.")
            node = node[token]
        elif isinstance(node, list):
            if not re.fullmatch(r"0|[1-9][0-9]*", token) or int(token) >= len(node):
                raise KeyError(f"No item {token!r} at {walked or 'the top'} (it has {len(node)}).")
            node = node[int(token)]
        else:
            raise KeyError(f"Nothing below {walked or 'the top'}: it is not an object or list.")
        walked += "/" + raw
    return node


def json_pointer(tokens: Iterable[str | int]) -> str:
    """The JSON Pointer of a path of property names and list indexes."""
    return "".join("/" + str(t).replace("~", "~0").replace("/", "~1") for t in tokens)


def record_environment(scope: TeamScope, record: CallRecord) -> Environment | None:
    """The environment a history record's call went to, if it still exists."""
    if record.access_id:
        access = scope.all(ApplicationAccess).filter(pk=record.access_id).first()
        if access is not None:
            return access.environment
    if record.environment_name:
        return scope.all(Environment).filter(name=record.environment_name).first()
    return None


def set_from_response(
    *,
    scope: TeamScope,
    record: CallRecord,
    pointer: str,
    name: str,
    environment: Environment | None = None,
) -> Variable:
    """Save the value at `pointer` of `record`'s recorded response body into the plain
    variable `name`. Only the response as the history keeps it is read (never a value
    sent by the browser); a string is stored as is, anything else as compact JSON."""
    if record.team_id != scope.team.pk:
        raise Http404("No such call.")
    scope.require(Role.MEMBER)
    text = record.response_body or ""
    if not text.strip():
        raise VariableError("The recorded response has no JSON body to take a value from.")
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as exc:
        more = " (it was cut short when recorded)" if record.response_truncated else ""
        raise VariableError(f"The recorded response is not JSON{more}.") from exc
    try:
        found = json_pointer_get(document, pointer)
    except KeyError as exc:
        raise VariableError(
            f"The recorded response has nothing at {pointer or '(the whole body)'}: {exc.args[0]}"
        ) from exc
    if isinstance(found, str):
        value = found
    else:
        value = json.dumps(found, ensure_ascii=False, separators=(",", ":"))
    if REDACTED in value:
        raise VariableError("That value was redacted when the call was recorded.")
    name = clean_name(name)
    environment = _environment(scope, environment)
    if scope.all(Variable).filter(name=name, is_secret=True).exists():
        # Saving an answer into it would either fail for a member or, for an admin, turn
        # the secret into a plain variable that viewers read: refuse for everyone.
        raise VariableError(
            f"{{{{{name}}}}} is a secret variable: a value from a response is never saved "
            "into it. Choose another name."
        )
    return variable_set(scope=scope, name=name, value=value, environment=environment)


def resolve_posted(
    vset: VariableSet, values: Any, body: str = ""
) -> tuple[Any, str, dict[str, str]]:
    """An operation form as posted (`values`, the body editor's `body`) with its
    placeholders replaced, and a message per form field naming an unknown variable
    (``body`` for the body text)."""
    resolved, errors = resolve_form_values(vset, values)
    try:
        body = vset.resolve_text(body or "")
    except UnresolvedVariables as exc:
        errors["body"] = exc.message
    return resolved, body, errors
