"""Importing OpenAPI documents: fetch or read, parse, index, store a new version at once."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max

from console.specs.engine.errors import Problem, SpecError, readable_pointer
from console.specs.engine.index import IndexResult, document_info, index_operations
from console.specs.engine.loading import load_document
from console.specs.models import Operation, Spec, SpecVersion
from console.teams.models import Role
from console.teams.scoping import TeamScope
from console.upstream.errors import UpstreamError
from console.upstream.http import OutboundPolicy, send
from console.vault.token_store import policy_from_settings


class SpecImportError(Exception):
    """An import that failed as a whole, with one message for a person."""


@dataclass(frozen=True)
class SkippedOperation:
    """An operation of the document that was not imported, and the first reason why."""

    method: str
    path: str
    pointer: str
    message: str

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.pointer}: {self.message})"


@dataclass(frozen=True)
class ImportResult:
    """What an import stored and what it had to leave out.

    `skipped` is every problem found (as stored in `SpecVersion.problems`);
    `skipped_operations` the operations left out, each with its first error.
    """

    spec: Spec
    version: SpecVersion
    skipped: list[dict[str, str]]
    skipped_operations: list[SkippedOperation] = field(default_factory=list)
    # The document was the same as the latest version's: `version` is that one, no new one.
    unchanged: bool = False

    def summary(self, limit: int = 3) -> str:
        """One paragraph for a person: how many operations came in, which were skipped and
        why (the first `limit`, with where in the document), how many problems in all."""
        version = self.version
        if self.unchanged:
            return (
                f"{self.spec.name} is unchanged: the document is the same as v{version.number}, "
                "so no new version was added."
            )
        problems = len(self.skipped)
        text = (
            f"Imported {self.spec.name} v{version.number}: {version.operation_count} operations"
            + (f", {problems} problems reported." if problems else ".")
        )
        skipped = self.skipped_operations
        if skipped:
            shown = "; ".join(str(op) for op in skipped[:limit])
            more = f"; and {len(skipped) - limit} more" if len(skipped) > limit else ""
            noun = "operation" if len(skipped) == 1 else "operations"
            text += f" Skipped {len(skipped)} {noun}: {shown}{more}."
        return text


def _skipped_operations(indexed: IndexResult) -> list[SkippedOperation]:
    """Each skipped operation with its first error (its own, else its path's)."""
    own: dict[tuple[str, str], Problem] = {}
    path_level: dict[str, Problem] = {}
    for problem in indexed.errors:
        if problem.operation is not None:
            own.setdefault(problem.operation, problem)
        else:
            path_level.setdefault(problem.pointer.split(".parameters", 1)[0], problem)
    out: list[SkippedOperation] = []
    for method, path in indexed.skipped:
        base = readable_pointer("paths", path)
        reason = own.get((method, path)) or path_level.get(base)
        out.append(
            SkippedOperation(
                method=method,
                path=path,
                pointer=reason.pointer if reason else base,
                message=reason.message if reason else "the operation cannot be used",
            )
        )
    return out


def _fetch(url: str) -> bytes:
    """Fetch a spec through the outbound client, so the host rules apply to it too."""
    host = (urlsplit(url).hostname or "").lower()
    base = policy_from_settings()
    policy = OutboundPolicy(
        allowed_hosts=frozenset({host}),
        allow_private=base.allow_private,
        allow_http=base.allow_http,
        connect_timeout=base.connect_timeout,
        read_timeout=base.read_timeout,
        max_response_bytes=settings.CONSOLE_SPEC_MAX_BYTES + 1,
    )
    try:
        response = send(
            policy,
            method="GET",
            url=url,
            headers={"Accept": "application/json, application/yaml;q=0.9, */*;q=0.1"},
        )
    except UpstreamError as exc:
        raise SpecImportError(f"Could not fetch {url}: {exc.message}") from exc
    if response.truncated or len(response.body) > settings.CONSOLE_SPEC_MAX_BYTES:
        limit_mb = settings.CONSOLE_SPEC_MAX_BYTES // (1024 * 1024)
        raise SpecImportError(f"The document at {url} is larger than {limit_mb} MB.")
    if response.status != 200:
        raise SpecImportError(f"Fetching {url} answered {response.status} {response.reason}.")
    return response.body


def spec_import(
    *,
    scope: TeamScope,
    name: str,
    url: str = "",
    data: bytes | None = None,
    filename: str | None = None,
    source: str = "",
) -> ImportResult:
    """Import a document by URL or from bytes as the next version of the spec `name`.

    `filename` (if any) picks the parser; `source` says where the bytes came from on the
    spec page when it is not a URL or a file name (e.g. "pasted text").

    Either everything is stored (the spec, the version and its operations) or
    nothing is: a failure leaves no half-imported version behind.
    """
    scope.require(Role.ADMIN)
    name = name.strip()
    if not name:
        raise SpecImportError("Give the spec a name.")
    if data is None:
        if not url:
            raise SpecImportError("Give a URL or a file to import.")
        data = _fetch(url)
        filename = filename or urlsplit(url).path
    # Pasted or fetched text is no file: its messages say "the document".
    noun = "document" if url or source else "file"
    try:
        document = load_document(
            data, filename=filename, max_bytes=settings.CONSOLE_SPEC_MAX_BYTES, noun=noun
        )
        indexed = index_operations(document)
        info = document_info(document)
    except SpecError as exc:
        raise SpecImportError(str(exc)) from exc
    if not indexed.operations:
        reasons = "; ".join(f"{p.pointer}: {p.message}" for p in indexed.problems[:5])
        raise SpecImportError(
            "The document has no usable operations" + (f" ({reasons})." if reasons else ".")
        )
    problems = [
        {"pointer": p.pointer, "message": p.message, "severity": p.severity}
        for p in indexed.problems
    ]
    same = _unchanged(scope, name, document)
    if same is not None:
        return ImportResult(
            spec=same.spec,
            version=same,
            skipped=list(same.problems),
            skipped_operations=_skipped_operations(indexed),
            unchanged=True,
        )
    try:
        with transaction.atomic():
            spec, _ = Spec.objects.get_or_create(team=scope.team, name=name)
            if url:
                spec.source_url = url
                spec.save(update_fields=["source_url"])
            number = (spec.versions.aggregate(n=Max("number"))["n"] or 0) + 1
            version = SpecVersion.objects.create(
                team=scope.team,
                spec=spec,
                number=number,
                document=document,
                title=str(info.get("title", ""))[:300],
                api_version=str(info.get("version", ""))[:100],
                openapi_version=str(info.get("openapi", ""))[:20],
                source=(url or source or filename or "upload")[:1000],
                operation_count=len(indexed.operations),
                problems=problems,
                imported_by=scope.user,
            )
            Operation.objects.bulk_create(
                [
                    Operation(
                        team=scope.team,
                        version=version,
                        method=entry.method,
                        path=entry.path[:1000],
                        operation_id=entry.operation_id[:300],
                        summary=(entry.summary or "")[:500],
                        tag=(entry.tags[0] if entry.tags else "default")[:200],
                        tags=entry.tags,
                        deprecated=entry.deprecated,
                        scopes=entry.scopes,
                        search_text=" ".join(
                            [
                                entry.method,
                                entry.path,
                                entry.operation_id,
                                entry.summary or "",
                                *entry.tags,
                            ]
                        ).lower(),
                        position=position,
                    )
                    for position, entry in enumerate(indexed.operations)
                ],
                batch_size=500,
            )
    except IntegrityError as exc:
        raise SpecImportError(
            "Another import of this spec ran at the same time; try again."
        ) from exc
    return ImportResult(
        spec=spec,
        version=version,
        skipped=problems,
        skipped_operations=_skipped_operations(indexed),
    )


def _unchanged(scope: TeamScope, name: str, document: dict[str, object]) -> SpecVersion | None:
    """The spec's latest version when its document is the one just read, else None.

    Compared as parsed, in order (the sidebar follows the document's order): another
    indentation, comments, or YAML for JSON is the same document; moved keys are not.
    """
    latest = (
        scope.all(SpecVersion)
        .filter(spec__name=name)
        .select_related("spec")
        .order_by("-number")
        .first()
    )
    if latest is None:
        return None
    return latest if json.dumps(latest.document) == json.dumps(document) else None


def spec_delete(*, scope: TeamScope, spec: Spec) -> None:
    """Delete a spec with all its versions; history records keep the operation names."""
    scope.require(Role.ADMIN)
    spec.delete()
