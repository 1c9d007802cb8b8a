"""Postman pages: import a collection, an environment or a curl command; export a
collection. Thin views: the work is in `console.postman.services`.

The Application Access offered from an environment file is kept in the session only
sealed (`services.offer_seal`: the vault's encryption inside a signed, time-limited
value), never in the page: the confirm form carries a name and an environment only.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from console.collections.models import Collection
from console.postman import services
from console.postman.forms import CollectionImportForm, CurlForm, EnvironmentImportForm, OfferForm
from console.specs.models import Spec
from console.teams.models import Role
from console.teams.scoping import TeamScope, team_view
from console.vault.models import Environment
from console.vault.services import VaultError

OFFER_KEY = "postman_access_offer"


def _specs(scope: TeamScope) -> list[tuple[int, str]]:
    return [(s.pk, s.name) for s in scope.all(Spec).order_by("name") if s.latest_version()]


def _environments(scope: TeamScope) -> list[tuple[int, str]]:
    return [(e.pk, e.name) for e in scope.all(Environment).order_by("name")]


@team_view(Role.MEMBER)
def import_collection(request: HttpRequest, scope: TeamScope) -> HttpResponse:
    """Upload or paste a Postman collection; the answer is the import's summary."""
    specs = _specs(scope)
    form = CollectionImportForm(request.POST or None, request.FILES or None, specs=specs)
    if request.method == "POST" and form.is_valid():
        spec_id = form.cleaned_data.get("spec")
        spec = scope.get(Spec, pk=spec_id) if spec_id else None
        version = spec.latest_version() if spec is not None else None
        try:
            summary = services.postman_import(
                scope=scope,
                spec_version=version,
                text=form.cleaned_data["document"],
                name=form.cleaned_data.get("name") or None,
                max_items=services.WEB_MAX_ITEMS,
            )
        except services.INPUT_ERRORS as exc:
            form.add_error(None, str(exc))
        else:
            context = {"summary": summary, "spec": spec, "nav_section": "collections"}
            return render(request, "postman/import_result.html", context)
    context = {"form": form, "specs": specs, "nav_section": "collections"}
    return render(request, "postman/import.html", context)


@team_view(Role.VIEWER)
def export_collection(request: HttpRequest, scope: TeamScope, collection_id: int) -> HttpResponse:
    """The collection as a Postman v2.1 file (a download)."""
    collection = scope.get(Collection, pk=collection_id)
    document = services.postman_export(scope=scope, collection=collection)
    response = HttpResponse(
        json.dumps(document, indent=2, ensure_ascii=False), content_type="application/json"
    )
    filename = services.export_filename(collection)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@team_view(Role.MEMBER)
def import_environment(request: HttpRequest, scope: TeamScope) -> HttpResponse:
    """Upload or paste a Postman environment; its values become team variables."""
    environments = _environments(scope)
    form = EnvironmentImportForm(
        request.POST or None, request.FILES or None, environments=environments
    )
    if request.method == "POST" and form.is_valid():
        environment = scope.get(Environment, pk=form.cleaned_data["environment"])
        try:
            summary = services.postman_environment_import(
                scope=scope, environment=environment, text=form.cleaned_data["document"]
            )
        except services.INPUT_ERRORS as exc:
            form.add_error(None, str(exc))
        else:
            offer_form = None
            can_accept = scope.membership.has_role(Role.ADMIN)
            if summary.offer is not None and can_accept:
                request.session[OFFER_KEY] = services.offer_seal(scope, summary.offer)
                offer_form = OfferForm(
                    initial={"name": summary.offer.name, "environment": environment.pk},
                    environments=environments,
                )
            context = {
                "summary": summary,
                "offer_form": offer_form,
                "can_accept": can_accept,
                "nav_section": "collections",
            }
            return render(request, "postman/environment_result.html", context)
    context = {"form": form, "environments": environments, "nav_section": "collections"}
    return render(request, "postman/environment.html", context)


@require_POST
@team_view(Role.ADMIN)
def access_offer(request: HttpRequest, scope: TeamScope) -> HttpResponse:
    """Make (or discard) the Application Access offered by the last environment import."""
    sealed = request.session.get(OFFER_KEY, "")
    offer = services.offer_open(scope, sealed) if sealed else None
    if offer is None or "discard" in request.POST:
        request.session.pop(OFFER_KEY, None)
        if offer is None:
            messages.error(
                request,
                "There is no client ID and secret waiting (the offer lasts 15 minutes): "
                "import the environment file again.",
            )
        else:
            messages.info(request, "The client ID and secret were discarded.")
        return redirect("postman:environment", team_slug=scope.team.slug)
    environments = _environments(scope)
    form = OfferForm(request.POST, environments=environments)
    error = ""
    if form.is_valid():
        environment = scope.get(Environment, pk=form.cleaned_data["environment"])
        try:
            access = services.offer_accept(
                scope=scope, offer=offer, name=form.cleaned_data["name"], environment=environment
            )
        except VaultError as exc:
            error = str(exc)
        else:
            request.session.pop(OFFER_KEY, None)
            messages.success(request, f"Made the Application Access “{access.name}”.")
            return redirect("vault:access", team_slug=scope.team.slug, access_id=access.pk)
    context = {
        "offer": offer,
        "offer_form": form,
        "error": error,
        "nav_section": "collections",
    }
    return render(request, "postman/offer.html", context, status=200)


@team_view(Role.MEMBER)
def import_curl(request: HttpRequest, scope: TeamScope) -> HttpResponse:
    """Paste a curl command; it becomes a free request (and a step of a collection)."""
    collections = [(c.pk, c.name) for c in scope.all(Collection).order_by("name")]
    form = CurlForm(request.POST or None, collections=collections)
    if request.method == "POST" and form.is_valid():
        collection_id = form.cleaned_data.get("collection")
        collection = scope.get(Collection, pk=collection_id) if collection_id else None
        try:
            free = services.curl_import(
                scope=scope, text=form.cleaned_data["text"], collection=collection
            )
        except services.INPUT_ERRORS as exc:
            form.add_error("text", str(exc))
        else:
            for note in getattr(free, "import_notes", []):
                messages.warning(request, note)
            messages.success(request, f"Imported the curl command as “{free.name}”.")
            return redirect("freeform:open", team_slug=scope.team.slug, free_id=free.pk)
    return render(request, "postman/curl.html", {"form": form, "nav_section": "collections"})
