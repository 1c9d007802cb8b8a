"""Template context shared by every page: the signed-in user's teams."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from console.teams.models import Membership


def teams(request: HttpRequest) -> dict[str, Any]:
    """Expose the current scope and the user's memberships (for the team switcher)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "scope": getattr(request, "scope", None),
        # Built only when a template asks (full pages do, htmx partials do not), and
        # fetched once however often the template reads it.
        "memberships": SimpleLazyObject(
            lambda: list(Membership.objects.filter(user=user).select_related("team"))
        ),
    }
