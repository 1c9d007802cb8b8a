"""Spec import and spec pages (thin views over console.specs.services)."""

from __future__ import annotations

import itertools

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from console.specs import selectors, services
from console.specs.forms import SpecImportForm
from console.specs.models import Spec
from console.teams.models import Role
from console.teams.scoping import TeamScope, team_view


@team_view(Role.ADMIN)
def spec_import(request: HttpRequest, scope: TeamScope) -> HttpResponse:
    """Import a spec by URL, upload or pasted text, then say what was imported and skipped."""
    form = SpecImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("file")
        pasted = form.cleaned_data.get("paste") or ""
        data = pasted.encode("utf-8") if pasted.strip() else None
        try:
            if upload is not None and upload.size > settings.CONSOLE_SPEC_MAX_BYTES:
                raise services.SpecImportError("The file is larger than the spec size limit.")
            if data is not None and len(data) > settings.CONSOLE_SPEC_MAX_BYTES:
                raise services.SpecImportError(
                    "The pasted text is larger than the spec size limit."
                )
            result = services.spec_import(
                scope=scope,
                name=form.cleaned_data["name"],
                url=form.cleaned_data.get("url") or "",
                data=upload.read() if upload is not None else data,
                filename=upload.name if upload is not None else None,
                source="pasted text" if data is not None else "",
            )
        except services.SpecImportError as exc:
            form.add_error(None, str(exc))
        else:
            notify = messages.warning if result.skipped_operations else messages.success
            if result.unchanged:
                notify = messages.info
            notify(request, result.summary())
            return redirect("specs:detail", team_slug=scope.team.slug, spec_id=result.spec.pk)
    return render(request, "specs/import.html", {"form": form})


@team_view(Role.VIEWER)
def spec_detail(request: HttpRequest, scope: TeamScope, spec_id: int) -> HttpResponse:
    """A spec's versions and the problems found when importing the latest."""
    spec = scope.get(Spec, pk=spec_id)
    versions = list(spec.versions.defer("document").select_related("imported_by"))
    # Each version but the first links to its changes from the one before it.
    for version, earlier in itertools.pairwise(versions):
        version.previous_number = earlier.number
    return render(
        request,
        "specs/detail.html",
        {"spec": spec, "versions": versions, "latest": versions[0] if versions else None},
    )


def _version_number(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name, "").strip().removeprefix("v")
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError as exc:
        raise Http404("No such version.") from exc


@team_view(Role.VIEWER)
def spec_diff(request: HttpRequest, scope: TeamScope, spec_id: int) -> HttpResponse:
    """Operations added, removed and changed between two versions (default: the last two)."""
    spec = scope.get(Spec, pk=spec_id)
    versions = list(spec.versions.defer("document"))
    context: dict[str, object] = {"spec": spec, "versions": versions, "result": None}
    if len(versions) >= 2 or request.GET.get("from") or request.GET.get("to"):
        result = selectors.versions_diff(
            spec, _version_number(request, "from"), _version_number(request, "to")
        )
        diff = result.diff
        context.update(
            result=result,
            diff=diff,
            added=[(op, result.links.get(op.key)) for op in diff.added],
            removed=[(op, result.removed_links.get(op.key)) for op in diff.removed],
            # A changed operation links to both versions of it: the newer first.
            changed=[
                (
                    ch,
                    result.links.get(ch.operation.key),
                    result.removed_links.get(ch.operation.key),
                )
                for ch in diff.changed
            ],
        )
    return render(request, "specs/diff.html", context)


@require_POST
@team_view(Role.ADMIN)
def spec_delete(request: HttpRequest, scope: TeamScope, spec_id: int) -> HttpResponse:
    """Delete a spec and its versions."""
    spec = scope.get(Spec, pk=spec_id)
    services.spec_delete(scope=scope, spec=spec)
    messages.success(request, f"Spec {spec.name} deleted.")
    return redirect("teams:settings", team_slug=scope.team.slug)
