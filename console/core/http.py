"""Small HTTP helpers the console's pages share: the methods that change things, the
Application Access a page starts with, and a redirect that htmx follows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

# Methods that change things: on a production environment they are sent only after an
# explicit confirmation (Send, free requests, collection runs, the pass-through).
MUTATING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def chosen_access(
    request: HttpRequest, team_pk: int, accesses: Sequence[Any], data: Any = None
) -> tuple[str, Any]:
    """The Application Access a page's picker shows chosen, as (id text, access or None):
    the posted one, else the last one used in this session for the team, else the first."""
    data = request.POST if data is None else data
    chosen = str(
        data.get("access")
        or request.session.get(f"access:{team_pk}")
        or (accesses[0].pk if accesses else "")
    )
    return chosen, next((a for a in accesses if str(a.pk) == chosen), None)


def remember_access(request: HttpRequest, team_pk: int, access_pk: int) -> None:
    """Keep `access_pk` as the team's chosen access for the next page in this session
    (written only when it changed: a session write costs a commit per Send)."""
    key = f"access:{team_pk}"
    if request.session.get(key) != access_pk:
        request.session[key] = access_pk


def production_name(access: Any) -> str:
    """The environment's name when `access` is on production ("" otherwise), for the
    production banner."""
    return access.environment.name if access and access.environment.is_production else ""


def go(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect, also for htmx (which would otherwise swap the page into the panel)."""
    if request.htmx:  # type: ignore[attr-defined]
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)
