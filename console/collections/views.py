"""Collections: the team's list, a collection's folders and steps (arranged in place),
adding saved and free requests, and a run with its results (thin views)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from console.collections import services
from console.collections.models import Collection
from console.core.http import chosen_access, production_name, remember_access
from console.freeform.models import FreeRequest
from console.saved.models import SavedRequest
from console.teams.models import Role
from console.teams.scoping import TeamScope, team_view
from console.vault.models import ApplicationAccess
from console.vault.services import usable_accesses

BLANK_CAPTURES = 1


def _detail(scope: TeamScope, collection: Collection) -> HttpResponse:
    return redirect("collections:detail", team_slug=scope.team.slug, collection_id=collection.pk)


def _captures(data: Any) -> list[dict[str, str]]:
    """Capture rows as the page posts them (``capture-0-variable``, ``-pointer``)."""
    rows = []
    for index in range(services.MAX_CAPTURES + BLANK_CAPTURES):
        variable = data.get(f"capture-{index}-variable")
        if variable is None:
            continue
        rows.append({"variable": variable, "pointer": data.get(f"capture-{index}-pointer", "")})
    return rows


@team_view(Role.VIEWER)
def collection_list(request: HttpRequest, scope: TeamScope) -> HttpResponse:
    """The team's collections, and (members) a form to make one."""
    collections = scope.all(Collection).select_related("created_by")
    return render(
        request,
        "collections/list.html",
        {"collections": collections, "nav_section": "collections"},
    )


@require_POST
@team_view(Role.MEMBER)
def collection_new(request: HttpRequest, scope: TeamScope) -> HttpResponse:
    """Make a collection."""
    try:
        collection = services.collection_create(
            scope=scope,
            name=request.POST.get("name", ""),
            description=request.POST.get("description", ""),
        )
    except services.CollectionError as exc:
        messages.error(request, str(exc))
        return redirect("collections:list", team_slug=scope.team.slug)
    messages.success(request, f"Made the collection “{collection.name}”.")
    return _detail(scope, collection)


@team_view(Role.VIEWER)
def collection_detail(request: HttpRequest, scope: TeamScope, collection_id: int) -> HttpResponse:
    """A collection's folders and steps in order, with the tools to arrange them."""
    collection = scope.get(Collection, pk=collection_id, related=("created_by",))
    tree = services.collection_tree(collection)
    folders = [node for node in tree if node.kind == "folder"]
    context = {
        "collection": collection,
        "tree": tree,
        "folders": folders,
        "steps": sum(1 for node in tree if node.kind == "item"),
        "saved_requests": scope.all(SavedRequest).only("id", "name", "method", "path"),
        "free_requests": scope.all(FreeRequest).only("id", "name", "method", "path"),
        "can_edit": services.can_edit(scope, collection),
        "can_delete": services.can_delete(scope, collection),
        "blank_captures": range(BLANK_CAPTURES),
        "max_steps": services.MAX_RUN_STEPS,
        "nav_section": "collections",
    }
    return render(request, "collections/detail.html", context)


@require_POST
@team_view(Role.MEMBER)
def collection_edit(request: HttpRequest, scope: TeamScope, collection_id: int) -> HttpResponse:
    """Rename a collection or change its description."""
    collection = scope.get(Collection, pk=collection_id)
    try:
        services.collection_update(
            scope=scope,
            collection=collection,
            name=request.POST.get("name", ""),
            description=request.POST.get("description", ""),
        )
    except services.CollectionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Saved the collection.")
    return _detail(scope, collection)


@require_POST
@team_view(Role.MEMBER)
def collection_delete(request: HttpRequest, scope: TeamScope, collection_id: int) -> HttpResponse:
    """Delete a collection (who made it, and admins); its requests stay."""
    collection = scope.get(Collection, pk=collection_id)
    services.collection_delete(scope=scope, collection=collection)
    messages.success(request, f"Deleted the collection “{collection.name}”.")
    return redirect("collections:list", team_slug=scope.team.slug)


@require_POST
@team_view(Role.MEMBER)
def folder_new(request: HttpRequest, scope: TeamScope, collection_id: int) -> HttpResponse:
    """Add a folder (into ``parent`` when given)."""
    collection = scope.get(Collection, pk=collection_id)
    parent = request.POST.get("parent") or None
    try:
        services.folder_add(
            scope=scope,
            collection=collection,
            name=request.POST.get("name", ""),
            parent=services.own_folder(collection, parent),
        )
    except services.CollectionError as exc:
        messages.error(request, str(exc))
    return _detail(scope, collection)


@require_POST
@team_view(Role.MEMBER)
def folder_action(
    request: HttpRequest, scope: TeamScope, collection_id: int, folder_id: int
) -> HttpResponse:
    """Rename, move up or down, or remove a folder (``action``)."""
    collection = scope.get(Collection, pk=collection_id)
    folder = services.own_folder(collection, folder_id)
    assert folder is not None
    action = request.POST.get("action", "")
    try:
        if action in ("up", "down"):
            services.folder_move(
                scope=scope, collection=collection, folder=folder, direction=action
            )
        elif action == "rename":
            services.folder_rename(
                scope=scope, collection=collection, folder=folder, name=request.POST.get("name", "")
            )
        elif action == "remove":
            services.folder_remove(scope=scope, collection=collection, folder=folder)
            messages.success(request, f"Removed the folder “{folder.name}” and what it held.")
    except services.CollectionError as exc:
        messages.error(request, str(exc))
    return _detail(scope, collection)


@require_POST
@team_view(Role.MEMBER)
def item_action(
    request: HttpRequest, scope: TeamScope, collection_id: int, item_id: int
) -> HttpResponse:
    """Move (``up``, ``down``, ``move`` into ``folder``), rename, set the captures of, or
    remove a step (``action``)."""
    collection = scope.get(Collection, pk=collection_id)
    item = services.own_item(collection, item_id)
    action = request.POST.get("action", "")
    kwargs: dict[str, Any] = {"scope": scope, "collection": collection, "item": item}
    try:
        if action in ("up", "down"):
            services.item_move(**kwargs, direction=action)
        elif action == "move":
            services.item_move(**kwargs, folder=request.POST.get("folder") or None)
        elif action == "rename":
            services.item_update(**kwargs, name=request.POST.get("name", ""))
        elif action == "captures":
            services.item_update(**kwargs, captures=_captures(request.POST))
            messages.success(request, f"Saved the variables “{item.name}” sets.")
        elif action == "remove":
            services.item_remove(**kwargs)
            messages.success(request, f"Removed “{item.name}” from the collection.")
    except services.CollectionError as exc:
        messages.error(request, str(exc))
    return _detail(scope, collection)


@team_view(Role.MEMBER)
def collection_add(request: HttpRequest, scope: TeamScope) -> HttpResponse:
    """Add a saved request (``saved``) or a free request (``free``) to a collection: GET
    asks which collection (or a new one), POST adds it."""
    data = request.POST if request.method == "POST" else request.GET
    saved = scope.get(SavedRequest, pk=data["saved"]) if data.get("saved") else None
    free = scope.get(FreeRequest, pk=data["free"]) if data.get("free") else None
    request_obj = saved or free
    if request.method == "POST" and request_obj is not None:
        try:
            if data.get("collection"):
                collection = scope.get(Collection, pk=data["collection"])
            else:
                collection = services.collection_create(scope=scope, name=data.get("new_name", ""))
            folder = services.own_folder(collection, data.get("folder") or None)
            item = services.item_add(
                scope=scope,
                collection=collection,
                name=data.get("name") or request_obj.name,
                saved_request=saved,
                free_request=free,
                folder=folder,
            )
        except services.CollectionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Added “{item.name}” to “{collection.name}”.")
            return _detail(scope, collection)
    context = {
        "request_obj": request_obj,
        "saved": saved,
        "free": free,
        # Only those this person may add steps to (who made it, and admins).
        "collections": [c for c in scope.all(Collection) if services.can_edit(scope, c)],
        "nav_section": "collections",
    }
    return render(request, "collections/add.html", context)


@team_view(Role.MEMBER)
def collection_run(request: HttpRequest, scope: TeamScope, collection_id: int) -> HttpResponse:
    """GET: choose an access; POST: run the steps in order and show each step's result
    (or ask to confirm a run with changes on a production environment)."""
    collection = scope.get(Collection, pk=collection_id)
    accesses = list(usable_accesses(scope))
    items = services.run_order(collection)
    result = None
    chosen, picked = chosen_access(request, scope.team.pk, accesses)
    if request.method == "POST":
        raw = request.POST.get("access")
        if not raw:
            messages.error(request, "Choose an Application Access to run with.")
        else:
            access = scope.get(ApplicationAccess, pk=raw, related=("environment",))
            confirmed = request.POST.get("confirm_environment") == str(access.environment_id)
            result = services.collection_run(
                scope=scope,
                collection=collection,
                access=access,
                confirm_production=request.POST.get("confirm_production") == "1" and confirmed,
                confirmed_digest=request.POST.get("confirm_digest", ""),
            )
            remember_access(request, scope.team.pk, access.pk)
    context = {
        "production_env": production_name(picked),
        "collection": collection,
        "accesses": accesses,
        "chosen_access": chosen,
        "items": items,
        "result": result,
        "max_steps": services.MAX_RUN_STEPS,
        "nav_section": "collections",
    }
    return render(request, "collections/run.html", context)
