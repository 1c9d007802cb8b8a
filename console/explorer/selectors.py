"""Reading the operation index for the explorer's sidebar and search."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.http import Http404
from django.urls import reverse

from console.core.rows import RowReader, db_value
from console.core.sql import quoted
from console.specs.models import Operation, Spec, SpecVersion
from console.teams.models import Team
from console.teams.scoping import TeamScope
from console.variables.services import secret_marker_sql
from console.vault.models import ApplicationAccess, Environment


@dataclass(frozen=True, slots=True)
class OperationItem:
    """One operation as the sidebar lists it (a plain row, not a model instance: building
    a thousand model instances per page costs more than the rest of the list)."""

    pk: int
    method: str
    path: str
    summary: str
    operation_id: str
    tag: str
    deprecated: bool
    scopes: list[str]
    url: str

    @property
    def id(self) -> int:
        """The Operation's primary key."""
        return self.pk

    @property
    def label(self) -> str:
        """How a person names this operation: its summary, else method and path."""
        return self.summary or f"{self.method} {self.path}"

    @property
    def method_class(self) -> str:
        """The CSS class of its method badge (``method-get``)."""
        return "method-" + self.method.lower()


@dataclass(frozen=True)
class TagGroup:
    """Operations that share their first tag, in the spec's order."""

    tag: str
    operations: list[OperationItem]


_PK = 987654321  # stands for the operation id in a reversed URL


def operation_groups(version: SpecVersion, query: str = "") -> list[TagGroup]:
    """The version's operations grouped by tag, narrowed by every word of `query`."""
    slug = Team.objects.values_list("slug", flat=True).get(pk=version.team_id)
    url = reverse("explorer:operation", args=[slug, _PK])
    before, after = url.split(str(_PK))
    operations = Operation.objects.filter(version=version)
    for word in query.lower().split()[:8]:
        operations = operations.filter(search_text__contains=word)
    rows = operations.order_by("position").values_list(
        "pk", "method", "path", "summary", "operation_id", "tag", "deprecated", "scopes"
    )
    groups: dict[str, list[OperationItem]] = {}
    for row in rows:
        item = OperationItem(*row, url=f"{before}{row[0]}{after}")
        groups.setdefault(item.tag, []).append(item)
    return [TagGroup(tag, ops) for tag, ops in groups.items()]


def team_specs(scope: TeamScope) -> list[Spec]:
    """The team's specs that have at least one imported version."""
    return list(scope.all(Spec).filter(versions__isnull=False).distinct().order_by("name"))


_ACCESS = RowReader((ApplicationAccess, "a"), (Environment, "e"))


@functools.cache
def _access_sql() -> str:
    """The team's access %s with its environment, whether the operation %s still exists
    in the team (its spec may have been deleted since its row was cached), and the marker
    of the environment's secret variables (their scrubbed forms are cached by it)."""
    accesses, a_id, a_team, a_env = quoted(ApplicationAccess, "id", "team", "environment")
    environments, e_id = quoted(Environment, "id")
    operations, op_id, op_team = quoted(Operation, "id", "team")
    secrets = secret_marker_sql(f'"a".{a_team}', f'"a".{a_env}')
    return (
        f"SELECT {_ACCESS.columns}, "  # noqa: S608 (the names come from the models, quoted)
        f'EXISTS (SELECT 1 FROM {operations} WHERE {op_id} = %s AND {op_team} = "a".{a_team}), '
        f"{secrets} "
        f'FROM {accesses} AS "a" JOIN {environments} AS "e" ON "e".{e_id} = "a".{a_env} '
        f'WHERE "a".{a_team} = %s AND "a".{a_id} = %s'
    )


@functools.lru_cache(maxsize=1024)
def _operation_row(pk: int) -> Operation:
    """An operation's row, read once per process: rows never change once imported (a new
    spec version brings new rows). Raises DoesNotExist, which is not cached."""
    return Operation.objects.get(pk=pk)


def send_targets(
    scope: TeamScope, operation_id: int, access_id: str | None
) -> tuple[Operation, ApplicationAccess | None]:
    """The operation a Send runs and the Application Access it uses (None if none was
    chosen), both of the scope's team, or 404.

    One query on every Send but a process's first of an operation: the operation's row
    comes from `_operation_row`, and the access's query (a `RowReader` statement: it runs
    on every Send) also checks that the operation still exists in the team.
    """
    try:
        operation = _operation_row(operation_id)  # an int, from the URL's converter
    except Operation.DoesNotExist as exc:
        raise Http404("No such operation.") from exc
    if operation.team_id != scope.team.pk:
        raise Http404("No such operation.")
    if not access_id:
        return scope.get(Operation, pk=operation.pk), None
    try:
        access_pk = db_value(ApplicationAccess._meta.pk, access_id)
    except ValueError as exc:
        raise Http404("No such Application Access.") from exc
    row = _ACCESS.one(_access_sql(), [operation.pk, scope.team.pk, access_pk])
    if row is None:
        raise Http404("No such Application Access.")
    access, environment, operation_exists, secrets, newest = row
    if not operation_exists:
        raise Http404("No such operation.")
    access.environment = environment
    # Read by run_operation: no statement of its own to know the secret forms are current.
    access.secret_marker = (secrets, newest)
    return operation, access
