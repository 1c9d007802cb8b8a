"""Reading stored spec versions: their documents, and what changed between two of them."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.http import Http404

from console.specs.engine.diff import DocumentDiff, diff_documents
from console.specs.models import Operation, Spec, SpecVersion


@functools.lru_cache(maxsize=2)
def _document(version_id: int, imported_at: datetime) -> dict[str, Any]:
    """A spec version's document, parsed once per process (versions never change).

    `imported_at` is part of the key so that a reused id (a rolled-back row) never
    returns another version's document."""
    return SpecVersion.objects.values_list("document", flat=True).get(pk=version_id)


@functools.lru_cache(maxsize=16)
def _documents_diff(old: tuple[int, datetime], new: tuple[int, datetime]) -> DocumentDiff:
    return diff_documents(_document(*old), _document(*new))


@dataclass(frozen=True)
class VersionsDiff:
    """Two versions of one spec and the operations added, removed and changed between them.

    `links` maps ``(METHOD, path)`` to the explorer's operation id in the version the
    operation is shown from (the newer one; the older one for removed operations).
    """

    spec: Spec
    old: SpecVersion
    new: SpecVersion
    diff: DocumentDiff
    links: dict[tuple[str, str], int]
    removed_links: dict[tuple[str, str], int]


def _operation_ids(version: SpecVersion) -> dict[tuple[str, str], int]:
    rows = Operation.objects.filter(version=version).values_list("method", "path", "pk")
    return {(method, path): pk for method, path, pk in rows}


def versions_diff(spec: Spec, old_number: int | None, new_number: int | None) -> VersionsDiff:
    """Compare version `old_number` of `spec` with `new_number` (default: the latest, and
    the one before it). Raises Http404 for a number the spec does not have, or when the
    spec has fewer than two versions and nothing was asked for."""
    versions = {v.number: v for v in spec.versions.defer("document").select_related("imported_by")}
    numbers = sorted(versions)
    if new_number is None and numbers:
        new_number = numbers[-1]
    if old_number is None and new_number is not None:
        earlier = [n for n in numbers if n < new_number]
        old_number = earlier[-1] if earlier else None
    if old_number not in versions or new_number not in versions:
        raise Http404("No such version.")
    old, new = versions[old_number], versions[new_number]
    return VersionsDiff(
        spec=spec,
        old=old,
        new=new,
        diff=_documents_diff((old.pk, old.imported_at), (new.pk, new.imported_at)),
        links=_operation_ids(new),
        removed_links=_operation_ids(old),
    )
