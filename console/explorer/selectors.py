"""Reading the operation index for the explorer's sidebar and search."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from console.specs.models import Operation, Spec, SpecVersion
from console.teams.models import Team
from console.teams.scoping import TeamScope


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
