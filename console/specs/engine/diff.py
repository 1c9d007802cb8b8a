"""What changed between two versions of an API description, operation by operation.

Operations are matched by method and path template. For each operation present in
both documents the resolved structures (`operation.load_operation`) are compared:
parameters (added, removed, now required or optional, serialisation, schema), the
request body (added, removed, required, content types, schema per content type) and
responses (statuses and content types added or removed, schema per content type),
plus whether it became deprecated, its operationId and its OAuth scopes.

Documentation does not count as a change: descriptions, summaries, titles, examples and
``x-`` extensions are left out of schema comparisons, so rewording a description does
not mark an operation as changed.

Most operations of a new version are usually untouched. Before resolving anything, an
operation whose own text and every component it reaches through ``$ref`` are equal in
both documents is taken as unchanged; only the others are resolved and compared.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .errors import SpecError
from .index import OperationEntry, index_operations
from .operation import MediaType, Operation, Parameter, RequestBody, load_operation
from .refs import is_local_ref, iter_refs, lookup

# Schema keywords that only document: a change in them is not an API change.
_DOC_KEYS = frozenset(
    {"description", "summary", "title", "example", "examples", "externalDocs", "$comment"}
)
_REF_MARKERS = frozenset(
    {"x-circular-ref", "x-truncated-ref", "x-external-ref", "x-unresolved-ref"}
)
MAX_SCHEMA_DETAILS = 6
_SCALARS = (str, int, float, bool, type(None))

PARAMETERS = "Parameters"
REQUEST_BODY = "Request body"
RESPONSES = "Responses"
OPERATION = "Operation"


@dataclass(frozen=True)
class OperationRef:
    """An operation as the diff names it."""

    method: str  # upper case
    path: str
    operation_id: str
    summary: str = ""

    @property
    def key(self) -> tuple[str, str]:
        """``(METHOD, path)``, how operations are matched across versions."""
        return (self.method, self.path)


@dataclass(frozen=True)
class Change:
    """One difference in one operation: `area` is Parameters, Request body, Responses or
    Operation; `text` a sentence; `details` where a schema differs (``properties.id.type:
    string → integer``)."""

    area: str
    text: str
    details: tuple[str, ...] = ()


@dataclass
class OperationChange:
    """An operation found in both versions that changed, with every change found."""

    operation: OperationRef
    changes: list[Change] = field(default_factory=list)

    def areas(self) -> list[tuple[str, list[Change]]]:
        """The changes grouped by area, in a fixed order."""
        out = []
        for area in (OPERATION, PARAMETERS, REQUEST_BODY, RESPONSES):
            found = [c for c in self.changes if c.area == area]
            if found:
                out.append((area, found))
        return out


@dataclass
class DocumentDiff:
    """Operations added, removed and changed from one document to the next."""

    added: list[OperationRef] = field(default_factory=list)
    removed: list[OperationRef] = field(default_factory=list)
    changed: list[OperationChange] = field(default_factory=list)
    unchanged: int = 0
    # Operations in both versions that could not be resolved in one of them.
    problems: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        """True when no operation was added, removed or changed."""
        return not (self.added or self.removed or self.changed)


# --- schema comparison --------------------------------------------------------------


def normalise_schema(value: Any) -> Any:
    """A resolved schema without what only documents it (descriptions, titles, examples,
    ``x-`` extensions other than the resolver's reference markers)."""
    if isinstance(value, list):
        return [normalise_schema(item) for item in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key == "properties" and isinstance(item, dict):
            out[key] = {name: normalise_schema(prop) for name, prop in item.items()}
        elif key in _DOC_KEYS or (
            isinstance(key, str) and key.startswith("x-") and key not in _REF_MARKERS
        ):
            continue
        elif key in ("default", "enum", "const"):
            out[key] = item
        else:
            out[key] = normalise_schema(item)
    return out


def _short(value: Any, limit: int = 60) -> str:
    if isinstance(value, dict):
        text = "an object"
    elif isinstance(value, list):
        text = "a list of " + str(len(value))
    elif isinstance(value, str):
        text = repr(value)
    else:
        text = str(value).lower() if isinstance(value, bool) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _brief(value: Any) -> str:
    """A scalar or a list of scalars in a few words; "" for anything bigger."""
    if isinstance(value, list) and all(isinstance(v, _SCALARS) for v in value):
        shown = ", ".join(_short(v) for v in value[:5])
        return shown + (", …" if len(value) > 5 else "")
    return _short(value) if isinstance(value, _SCALARS) else ""


def _join(where: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{where}[{key}]"
    return f"{where}.{key}" if where else str(key)


def schema_differences(old: Any, new: Any, *, limit: int = MAX_SCHEMA_DETAILS) -> list[str]:
    """Where two (normalised) schemas differ, as short lines such as
    ``properties.id.type: 'string' → 'integer'`` or ``properties.email: added``.

    At most `limit` lines; one more line says how many were left out.
    """
    found: list[str] = []
    _walk(old, new, "", found)
    if len(found) > limit:
        return [*found[:limit], f"… and {len(found) - limit} more"]
    return found


def _walk(old: Any, new: Any, where: str, found: list[str]) -> None:
    if old == new:
        return
    label = where or "(the schema)"
    if isinstance(old, dict) and isinstance(new, dict):
        for key in old:
            if key not in new:
                found.append(f"{_join(where, key)}: removed")
        for key, value in new.items():
            if key not in old:
                brief = _brief(value)
                found.append(f"{_join(where, key)}: added" + (f" {brief}" if brief else ""))
            else:
                _walk(old[key], value, _join(where, key), found)
        return
    if (
        isinstance(old, list)
        and isinstance(new, list)
        and all(isinstance(v, _SCALARS) for v in [*old, *new])
    ):
        gone = [v for v in old if v not in new]
        came = [v for v in new if v not in old]
        parts = []
        if came:
            parts.append("added " + ", ".join(_short(v) for v in came[:5]))
        if gone:
            parts.append("removed " + ", ".join(_short(v) for v in gone[:5]))
        found.append(f"{label}: " + ("; ".join(parts) if parts else "order changed"))
        return
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for index, (a, b) in enumerate(zip(old, new, strict=True)):
            _walk(a, b, _join(where, index), found)
        return
    found.append(f"{label}: {_short(old)} → {_short(new)}")


# --- comparing resolved operations --------------------------------------------------


def _param_label(param: Parameter) -> str:
    return f"{param.location} parameter '{param.name}'"


def _param_key(param: Parameter) -> tuple[str, str]:
    return (param.location, param.name.lower() if param.location == "header" else param.name)


def _param_changes(old: list[Parameter], new: list[Parameter]) -> list[Change]:
    changes: list[Change] = []
    before = {_param_key(p): p for p in old}
    after = {_param_key(p): p for p in new}
    for key, param in before.items():
        if key not in after:
            changes.append(Change(PARAMETERS, f"{_param_label(param)} removed"))
    for key, param in after.items():
        if key not in before:
            required = " (required)" if param.required else ""
            changes.append(Change(PARAMETERS, f"{_param_label(param)} added{required}"))
            continue
        was = before[key]
        label = _param_label(param)
        if was.required != param.required:
            now = "required" if param.required else "optional"
            changes.append(Change(PARAMETERS, f"{label} is now {now}"))
        if (was.style, was.explode) != (param.style, param.explode):
            changes.append(
                Change(
                    PARAMETERS,
                    f"{label} is serialised differently: style {was.style}, explode "
                    f"{str(was.explode).lower()} → style {param.style}, explode "
                    f"{str(param.explode).lower()}",
                )
            )
        if was.content_type != param.content_type:
            changes.append(
                Change(
                    PARAMETERS,
                    f"{label} content type {was.content_type or 'none'} → "
                    f"{param.content_type or 'none'}",
                )
            )
        if was.deprecated != param.deprecated:
            state = "deprecated" if param.deprecated else "no longer deprecated"
            changes.append(Change(PARAMETERS, f"{label} is now {state}"))
        old_schema, new_schema = normalise_schema(was.schema), normalise_schema(param.schema)
        if old_schema != new_schema:
            changes.append(
                Change(
                    PARAMETERS,
                    f"{label} schema changed",
                    tuple(schema_differences(old_schema, new_schema)),
                )
            )
    return changes


def _content_changes(
    area: str, subject: str, old: dict[str, MediaType], new: dict[str, MediaType]
) -> list[Change]:
    changes: list[Change] = []
    for content_type in old:
        if content_type not in new:
            changes.append(Change(area, f"{subject}: content type {content_type} removed"))
    for content_type, media in new.items():
        if content_type not in old:
            changes.append(Change(area, f"{subject}: content type {content_type} added"))
            continue
        old_schema = normalise_schema(old[content_type].schema)
        new_schema = normalise_schema(media.schema)
        if old_schema != new_schema:
            changes.append(
                Change(
                    area,
                    f"{subject} schema changed ({content_type})",
                    tuple(schema_differences(old_schema, new_schema)),
                )
            )
    return changes


def _body_changes(old: RequestBody | None, new: RequestBody | None) -> list[Change]:
    if old is None and new is None:
        return []
    if old is None:
        assert new is not None
        required = " (required)" if new.required else ""
        types = ", ".join(new.content_types) or "no content type"
        return [Change(REQUEST_BODY, f"request body added{required}: {types}")]
    if new is None:
        return [Change(REQUEST_BODY, "request body removed")]
    changes: list[Change] = []
    if old.required != new.required:
        now = "required" if new.required else "optional"
        changes.append(Change(REQUEST_BODY, f"the request body is now {now}"))
    changes += _content_changes(REQUEST_BODY, "request body", old.content, new.content)
    return changes


def _response_changes(old: Operation, new: Operation) -> list[Change]:
    changes: list[Change] = []
    for status in old.responses:
        if status not in new.responses:
            changes.append(Change(RESPONSES, f"response {status} removed"))
    for status, response in new.responses.items():
        if status not in old.responses:
            types = ", ".join(response.content) or "no body"
            changes.append(Change(RESPONSES, f"response {status} added ({types})"))
            continue
        changes += _content_changes(
            RESPONSES, f"response {status}", old.responses[status].content, response.content
        )
    return changes


def diff_operations(old: Operation, new: Operation) -> list[Change]:
    """Every API-relevant difference between two resolved versions of one operation."""
    changes: list[Change] = []
    if old.deprecated != new.deprecated:
        state = "deprecated" if new.deprecated else "no longer deprecated"
        changes.append(Change(OPERATION, f"the operation is now {state}"))
    if old.operation_id != new.operation_id:
        changes.append(
            Change(OPERATION, f"operationId {old.operation_id!r} → {new.operation_id!r}")
        )
    if sorted(old.scopes) != sorted(new.scopes):
        came = [s for s in new.scopes if s not in old.scopes]
        gone = [s for s in old.scopes if s not in new.scopes]
        parts = []
        if came:
            parts.append("now needs " + ", ".join(came))
        if gone:
            parts.append("no longer needs " + ", ".join(gone))
        changes.append(Change(OPERATION, "scopes: " + "; ".join(parts)))
    changes += _param_changes(old.parameters, new.parameters)
    changes += _body_changes(old.request_body, new.request_body)
    changes += _response_changes(old, new)
    return changes


# --- the fast path: is an operation untouched? --------------------------------------


class _SameCheck:
    """Decides cheaply whether an operation is identical in both documents, components
    included, by comparing raw JSON and every local reference it reaches."""

    def __init__(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        self.old = old
        self.new = new
        self.ref_equal: dict[str, bool] = {}
        self.ref_children: dict[str, list[str]] = {}
        self.top_equal = all(old.get(k) == new.get(k) for k in ("security", "servers"))

    def _target_equal(self, ref: str) -> bool:
        known = self.ref_equal.get(ref)
        if known is not None:
            return known
        if not is_local_ref(ref):
            equal = True  # never followed: the ref text itself was compared
        else:
            try:
                a = lookup(self.old, ref)
            except SpecError:
                a = _MISSING
            try:
                b = lookup(self.new, ref)
            except SpecError:
                b = _MISSING
            equal = a == b
            if equal and a is not _MISSING:
                self.ref_children[ref] = iter_refs(a)
        self.ref_equal[ref] = equal
        return equal

    def same(self, nodes_old: Iterable[Any], nodes_new: Iterable[Any]) -> bool:
        if not self.top_equal:
            return False
        olds, news = list(nodes_old), list(nodes_new)
        if olds != news:
            return False
        pending = [ref for node in olds for ref in iter_refs(node)]
        seen: set[str] = set()
        while pending:
            ref = pending.pop()
            if ref in seen:
                continue
            seen.add(ref)
            if not self._target_equal(ref):
                return False
            pending.extend(self.ref_children.get(ref, ()))
        return True


_MISSING = object()


def _raw_parts(document: dict[str, Any], entry: OperationEntry) -> list[Any]:
    paths = document.get("paths") or {}
    item = paths.get(entry.path)
    if isinstance(item, dict) and isinstance(item.get("$ref"), str):
        return [item]  # a referenced path item: its target is compared through the ref
    if not isinstance(item, dict):
        return [item]
    return [item.get(entry.method.lower()), item.get("parameters"), item.get("servers")]


def _ref(entry: OperationEntry) -> OperationRef:
    return OperationRef(entry.method, entry.path, entry.operation_id, entry.summary)


def diff_documents(old: dict[str, Any], new: dict[str, Any]) -> DocumentDiff:
    """Compare two loaded documents (as `loading.load_document` returns them).

    Operations that one document skips as unusable (see `index.index_operations`) count
    as absent from it. Added and removed operations keep the order of the document they
    are in; changed ones the new document's order.
    """
    old_ops = {e.key: e for e in index_operations(old).operations}
    new_ops = {e.key: e for e in index_operations(new).operations}
    result = DocumentDiff(
        added=[_ref(e) for key, e in new_ops.items() if key not in old_ops],
        removed=[_ref(e) for key, e in old_ops.items() if key not in new_ops],
    )
    check = _SameCheck(old, new)
    for key, entry in new_ops.items():
        if key not in old_ops:
            continue
        if check.same(_raw_parts(old, old_ops[key]), _raw_parts(new, entry)):
            result.unchanged += 1
            continue
        try:
            before = load_operation(old, *key)
            after = load_operation(new, *key)
        except SpecError as exc:
            result.problems.append(f"{key[0]} {key[1]}: {exc.message}")
            continue
        changes = diff_operations(before, after)
        if changes:
            result.changed.append(OperationChange(_ref(entry), changes))
        else:
            result.unchanged += 1
    return result
