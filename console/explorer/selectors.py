"""Reading the operation index for the explorer's sidebar and search."""

from __future__ import annotations

from dataclasses import dataclass

from console.specs.models import Operation, Spec, SpecVersion
from console.teams.scoping import TeamScope


@dataclass(frozen=True)
class TagGroup:
    """Operations that share their first tag, in the spec's order."""

    tag: str
    operations: list[Operation]


def operation_groups(version: SpecVersion, query: str = "") -> list[TagGroup]:
    """The version's operations grouped by tag, narrowed by every word of `query`."""
    operations = Operation.objects.filter(version=version).only(
        "id",
        "method",
        "path",
        "summary",
        "operation_id",
        "tag",
        "deprecated",
        "scopes",
        "position",
        "version_id",
        "team_id",
    )
    for word in query.lower().split()[:8]:
        operations = operations.filter(search_text__contains=word)
    groups: dict[str, list[Operation]] = {}
    for op in operations.order_by("position"):
        groups.setdefault(op.tag, []).append(op)
    return [TagGroup(tag, ops) for tag, ops in groups.items()]


def team_specs(scope: TeamScope) -> list[Spec]:
    """The team's specs that have at least one imported version."""
    return list(scope.all(Spec).filter(versions__isnull=False).distinct().order_by("name"))
