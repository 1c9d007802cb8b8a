"""The explorer's left column: a spec's operations by tag, whatever the spec's size.

A version's operations never change, so each list is rendered once per process and
cached. Above `SIDEBAR_COLLAPSE_AT` operations the groups are listed collapsed (name
and count) but for the current operation's, and a group's list is loaded when it is
opened (`views.operation_group`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe

from console.explorer.selectors import TagGroup, operation_groups, team_specs
from console.specs.models import Operation, Spec, SpecVersion
from console.teams.scoping import TeamScope

SIDEBAR_COLLAPSE_AT = 400
"""Above this many operations the sidebar lists tag groups collapsed (name and count) and
loads a group's operations when it is opened: listing Microsoft Graph's 11,422 made every
page about 4.4 MB. Up to 400, listed whole, the list stays under about 150 KB."""

SEARCH_SHOWN = 200
"""Matches a search lists on a spec above SIDEBAR_COLLAPSE_AT; the rest are only counted
(a one-letter query matches nearly everything). Smaller specs list every match, as their
whole list is shown anyway."""


@functools.lru_cache(maxsize=8)
def _full_operation_list(version_id: int, imported_at: datetime, team_slug: str) -> str:
    """The sidebar's whole operation list of a version, rendered once per process: a
    version's operations never change, and a big spec lists thousands of them."""
    version = SpecVersion.objects.defer("document").get(pk=version_id)
    return render_to_string(
        "explorer/sidebar.html#operation-list", {"groups": operation_groups(version), "query": ""}
    )


@dataclass(frozen=True)
class _Group:
    """One tag group of a big version's sidebar, rendered once per process."""

    number: int  # its place in the version's groups, which never changes
    tag: str
    count: int
    items: str  # its <ul class="op-list">: an open group's body, what opening one loads
    collapsed: str  # its closed <details>, which loads `items` when opened


@functools.lru_cache(maxsize=8)
def tag_groups(version_id: int, imported_at: datetime, team_slug: str) -> tuple[_Group, ...]:
    """A version's tag groups, each rendered once per process (versions never change)."""
    version = SpecVersion.objects.defer("document").get(pk=version_id)
    spec_url = reverse("explorer:spec", args=[team_slug, version.spec_id])
    groups = []
    for number, group in enumerate(operation_groups(version)):
        context = {
            "group": group,
            "number": number,
            "load_url": reverse("explorer:group", args=[team_slug, version_id, number]),
            # Without JavaScript: the spec's page with this group open, scrolled to it.
            "open_url": f"{spec_url}?{urlencode({'tag': group.tag})}#op-group-{number}",
        }
        groups.append(
            _Group(
                number=number,
                tag=group.tag,
                count=len(group.operations),
                items=render_to_string("explorer/sidebar.html#op-group-items", {"group": group}),
                collapsed=render_to_string("explorer/sidebar.html#op-group-collapsed", context),
            )
        )
    return tuple(groups)


def _marked(html: str, team_slug: str, current: Operation | None) -> str:
    """A rendered list with the current operation marked, as the template marks it."""
    if current is not None:
        href = 'href="{}"'.format(reverse("explorer:operation", args=[team_slug, current.pk]))
        html = html.replace(href, href + ' aria-current="page"', 1)
    return mark_safe(html)  # noqa: S308 (our own template's output)


def _collapsed_list(
    version: SpecVersion, team_slug: str, open_tag: str, current: Operation | None
) -> str:
    """A big version's list: every group collapsed but the one named `open_tag`."""
    parts = []
    for group in tag_groups(version.pk, version.imported_at, team_slug):
        if group.tag != open_tag:
            parts.append(group.collapsed)
            continue
        context = {"group": group, "items": _marked(group.items, team_slug, current)}
        parts.append(render_to_string("explorer/sidebar.html#op-group-open", context))
    # Joined here, not looped over in the template: a spec can have hundreds of tags.
    groups_html = mark_safe("".join(parts))  # noqa: S308 (our own template's output)
    return render_to_string("explorer/sidebar.html#collapsed-list", {"groups_html": groups_html})


def _first_matches(groups: list[TagGroup], limit: int) -> tuple[list[TagGroup], int]:
    """The groups cut to their first `limit` operations in all, and how many were cut."""
    shown: list[TagGroup] = []
    left = limit
    total = 0
    for group in groups:
        total += len(group.operations)
        if left > 0:
            shown.append(TagGroup(group.tag, group.operations[:left]))
            left -= len(shown[-1].operations)
    return shown, total - (limit - left)


def sidebar_context(
    scope: TeamScope, spec: Spec, query: str, current: Operation | None = None, tag: str = ""
) -> dict[str, object]:
    """The sidebar's context: a search's matches, else the version's list (collapsed
    above SIDEBAR_COLLAPSE_AT, but for the group of `current` or `tag`)."""
    version = spec.latest_version()
    context: dict[str, object] = {
        "spec": spec,
        "version": version,
        # Read only where the template lists them (a page, not an htmx search's list).
        "specs": SimpleLazyObject(functools.partial(team_specs, scope)),
        "groups": [],
        "operation_list": "",
        "query": query,
        "current_pk": current.pk if current is not None else None,
        "more_matches": 0,
    }
    if version is None:
        return context
    big = version.operation_count > SIDEBAR_COLLAPSE_AT
    slug = scope.team.slug
    if query:
        groups = operation_groups(version, query)
        if big:
            groups, context["more_matches"] = _first_matches(groups, SEARCH_SHOWN)
        context["groups"] = groups
    elif big:
        open_tag = current.tag if current is not None else tag
        context["operation_list"] = _collapsed_list(version, slug, open_tag, current)
    else:
        html = _full_operation_list(version.pk, version.imported_at, slug)
        context["operation_list"] = _marked(html, slug, current)
    return context


def searched_from(scope: TeamScope, request: HttpRequest) -> Operation | None:
    """The operation whose page an htmx search was typed on (``current``), to mark it."""
    value = request.GET.get("current", "")
    if not (value.isascii() and value.isdigit() and len(value) < 19):  # a 64-bit id
        return None
    return scope.all(Operation).filter(pk=int(value)).only("pk", "tag").first()
