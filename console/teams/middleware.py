"""Tells the request's session which team the URL names, before anything reads it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse


class TeamHintMiddleware:
    """Passes the URL's `team_slug` to the session store (`console.core.sessions`), so
    that the session's one read also brings the user's membership of that team, which
    `team_view` then takes instead of reading it again.

    It runs before the view and its decorators, which are the first to read the session
    (signing-in checks); where something read it earlier, `team_view` reads the
    membership itself, as it does for URLs without a team.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        """Nothing to do around the response."""
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: dict[str, Any]
    ) -> None:
        """Hand the team's slug to the session store (a store already read ignores it)."""
        slug = kwargs.get("team_slug")
        session = getattr(request, "session", None)
        if slug and hasattr(session, "team_slug"):
            session.team_slug = slug
