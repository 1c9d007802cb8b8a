"""Spec import and spec pages (thin views over console.specs.services)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from console.specs import services
from console.specs.forms import SpecImportForm
from console.specs.models import Spec
from console.teams.models import Role
from console.teams.scoping import TeamScope, team_view


@team_view(Role.ADMIN)
def spec_import(request: HttpRequest, scope: TeamScope) -> HttpResponse:
    """Import a spec by URL or upload, then show what was imported and what was skipped."""
    form = SpecImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("file")
        try:
            if upload is not None and upload.size > settings.CONSOLE_SPEC_MAX_BYTES:
                raise services.SpecImportError("The file is larger than the spec size limit.")
            result = services.spec_import(
                scope=scope,
                name=form.cleaned_data["name"],
                url=form.cleaned_data.get("url") or "",
                data=upload.read() if upload is not None else None,
                filename=upload.name if upload is not None else None,
            )
        except services.SpecImportError as exc:
            form.add_error(None, str(exc))
        else:
            skipped = len(result.skipped)
            messages.success(
                request,
                f"Imported {result.spec.name} v{result.version.number}: "
                f"{result.version.operation_count} operations"
                + (f", {skipped} problems reported." if skipped else "."),
            )
            return redirect("specs:detail", team_slug=scope.team.slug, spec_id=result.spec.pk)
    return render(request, "specs/import.html", {"form": form})


@team_view(Role.VIEWER)
def spec_detail(request: HttpRequest, scope: TeamScope, spec_id: int) -> HttpResponse:
    """A spec's versions and the problems found when importing the latest."""
    spec = scope.get(Spec, pk=spec_id)
    versions = spec.versions.defer("document").select_related("imported_by")
    return render(
        request,
        "specs/detail.html",
        {"spec": spec, "versions": versions, "latest": versions.first()},
    )


@require_POST
@team_view(Role.ADMIN)
def spec_delete(request: HttpRequest, scope: TeamScope, spec_id: int) -> HttpResponse:
    """Delete a spec and its versions."""
    spec = scope.get(Spec, pk=spec_id)
    services.spec_delete(scope=scope, spec=spec)
    messages.success(request, f"Spec {spec.name} deleted.")
    return redirect("teams:settings", team_slug=scope.team.slug)
