"""Reading saved requests, each with what became of its operation in newer spec versions.

A saved request names the Operation row it was saved from (one version of its spec).
When the spec has a newer version, the same operation is looked up there (by method
and path, else by operationId) and compared with the one it was saved from by the
version diff's rules (`specs.engine.diff.diff_operations`): a change to parameters,
the request body or responses marks it as *changed in vN* (the first version where it
differs); an operation the newest version lacks marks it as *no longer in the spec*.
Documentation edits do not count.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from console.saved.models import SavedRequest
from console.saved.services import can_edit
from console.specs.engine.diff import (
    OPERATION,
    PARAMETERS,
    REQUEST_BODY,
    RESPONSES,
    Change,
    diff_operations,
)
from console.specs.engine.errors import SpecError
from console.specs.engine.operation import load_operation
from console.specs.models import Operation, Spec, SpecVersion
from console.teams.scoping import TeamScope

CURRENT, CHANGED, GONE = "current", "changed", "gone"
# What a saved request's values depend on; scopes, deprecation and the operationId do not.
COUNTED_AREAS = (PARAMETERS, REQUEST_BODY, RESPONSES)


@dataclass(frozen=True)
class SavedState:
    """What became of a saved request's operation in the newest version of its spec.

    `kind` is ``current``, ``changed`` or ``gone``; `version` the number of the first
    version where it changed or was missing; `changes` what differs between the version
    it was saved from and the newest; `target` the operation Open shows (the newest
    version's, or for a vanished one the operation it was saved from).
    """

    kind: str
    saved_from: int | None = None
    latest: int | None = None
    version: int | None = None
    changes: tuple[Change, ...] = ()
    target: Operation | None = None

    @property
    def changed(self) -> bool:
        return self.kind == CHANGED

    @property
    def gone(self) -> bool:
        return self.kind == GONE


@dataclass(frozen=True)
class SavedItem:
    """A saved request as the lists show it."""

    saved: SavedRequest
    state: SavedState
    can_edit: bool = False


# ---------------------------------------------------------------- comparing operations


@functools.lru_cache(maxsize=2)
def _document(version_id: int, imported_at: datetime) -> dict[str, Any]:
    """A version's document, parsed once per process (`imported_at` keeps a reused id of a
    rolled-back row from answering with another version's document)."""
    return SpecVersion.objects.values_list("document", flat=True).get(pk=version_id)


def version_document(version: SpecVersion) -> dict[str, Any]:
    """The parsed document of `version`."""
    return _document(version.pk, version.imported_at)


_CACHE_SIZE = 1024
_changes_cache: OrderedDict[tuple[object, ...], tuple[Change, ...]] = OrderedDict()
_changes_lock = threading.Lock()


def operation_changes(
    old_version: SpecVersion, old: Operation, new_version: SpecVersion, new: Operation
) -> tuple[Change, ...]:
    """What changed for a caller from `old` (of `old_version`) to `new` (of `new_version`):
    parameters, request body and responses. Versions never change once imported, so the
    answer is kept per process."""
    key = (
        old_version.pk,
        old_version.imported_at,
        old.method,
        old.path,
        new_version.pk,
        new_version.imported_at,
        new.method,
        new.path,
    )
    with _changes_lock:
        if key in _changes_cache:
            _changes_cache.move_to_end(key)
            return _changes_cache[key]
    try:
        before = load_operation(version_document(old_version), old.method, old.path)
        after = load_operation(version_document(new_version), new.method, new.path)
    except SpecError as exc:
        found: tuple[Change, ...] = (Change(OPERATION, f"could not be compared: {exc.message}"),)
    else:
        found = tuple(c for c in diff_operations(before, after) if c.area in COUNTED_AREAS)
    with _changes_lock:
        _changes_cache[key] = found
        while len(_changes_cache) > _CACHE_SIZE:
            _changes_cache.popitem(last=False)
    return found


# ---------------------------------------------------------------- finding operations


@dataclass
class _Finder:
    """Finds saved requests' operations in versions, one query per version."""

    paths: set[str]
    keys: set[str]
    found: dict[int, tuple[dict[tuple[str, str], Operation], dict[str, Operation]]] = field(
        default_factory=dict
    )

    @classmethod
    def of(cls, saved: Iterable[SavedRequest]) -> _Finder:
        saved = list(saved)
        return cls({s.path for s in saved}, {s.operation_key for s in saved if s.operation_key})

    def find(self, version_id: int, saved: SavedRequest) -> Operation | None:
        if version_id not in self.found:
            rows = Operation.objects.filter(version_id=version_id).filter(
                Q(path__in=self.paths) | Q(operation_id__in=self.keys)
            )
            by_key: dict[tuple[str, str], Operation] = {}
            by_id: dict[str, Operation] = {}
            for op in rows.order_by("position"):
                by_key.setdefault((op.method, op.path), op)
                if op.operation_id:
                    by_id.setdefault(op.operation_id, op)
            self.found[version_id] = (by_key, by_id)
        by_key, by_id = self.found[version_id]
        op = by_key.get((saved.method, saved.path))
        if op is None and saved.operation_key:
            op = by_id.get(saved.operation_key)
        return op


def _state(saved: SavedRequest, versions: list[SpecVersion], finder: _Finder) -> SavedState:
    if not versions:
        return SavedState(GONE, target=saved.operation)
    latest = versions[-1]
    base = saved.operation
    numbers = {v.pk: v for v in versions}
    base_version = numbers.get(base.version_id) if base is not None else None
    saved_from = base_version.number if base_version else None
    if base is not None and base.version_id == latest.pk:
        return SavedState(CURRENT, saved_from, latest.number, target=base)
    later = [v for v in versions if saved_from is None or v.number > saved_from]
    target = finder.find(latest.pk, saved)
    if target is None:
        when = next((v.number for v in later if finder.find(v.pk, saved) is None), latest.number)
        return SavedState(GONE, saved_from, latest.number, when, target=base)
    if base is None or base_version is None:
        return SavedState(CURRENT, saved_from, latest.number, target=target)
    changes = operation_changes(base_version, base, latest, target)
    if not changes:
        return SavedState(CURRENT, saved_from, latest.number, target=target)
    when = latest.number
    for version in later:
        op = finder.find(version.pk, saved)
        if op is None or operation_changes(base_version, base, version, op):
            when = version.number
            break
    return SavedState(CHANGED, saved_from, latest.number, when, changes, target)


def saved_items(scope: TeamScope, saved: QuerySet[SavedRequest] | None = None) -> list[SavedItem]:
    """The team's saved requests (or those of `saved`), each with its state."""
    queryset = scope.all(SavedRequest) if saved is None else saved.filter(team=scope.team)
    rows = list(queryset.select_related("operation", "created_by", "spec"))
    if not rows:
        return []
    versions: dict[int, list[SpecVersion]] = {}
    for version in (
        SpecVersion.objects.filter(spec_id__in={s.spec_id for s in rows})
        .defer("document")
        .order_by("number")
    ):
        versions.setdefault(version.spec_id, []).append(version)
    finder = _Finder.of(rows)
    # Grouped by the version saved from, so each document is loaded once in a row.
    order = sorted(rows, key=lambda s: (s.spec_id, s.operation.version_id if s.operation else 0))
    states = {s.pk: _state(s, versions.get(s.spec_id, []), finder) for s in order}
    return [SavedItem(s, states[s.pk], can_edit(scope, s)) for s in rows]


def for_operation(scope: TeamScope, spec: Spec, operation: Operation) -> list[SavedItem]:
    """The team's saved requests of `operation` (saved from it or from its namesake in
    another version of `spec`)."""
    match = Q(method=operation.method, path=operation.path)
    if operation.operation_id:
        match |= Q(operation_key=operation.operation_id)
    candidates = scope.all(SavedRequest).filter(spec=spec).filter(match)
    items = saved_items(scope, candidates)
    same_place = [
        i for i in items if (i.saved.method, i.saved.path) == (operation.method, operation.path)
    ]
    others = [i for i in items if i not in same_place]
    if others:
        # Found by operationId: only when this version has nothing at its method and path.
        taken = set(
            Operation.objects.filter(
                version_id=operation.version_id,
                path__in={i.saved.path for i in others},
            ).values_list("method", "path")
        )
        others = [i for i in others if (i.saved.method, i.saved.path) not in taken]
    keep = {i.saved.pk for i in [*same_place, *others]}
    return [i for i in items if i.saved.pk in keep]
