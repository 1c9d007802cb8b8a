"""Views that belong to no team: health check and the landing redirect."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from console.teams.models import Membership


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Report whether the console and its database answer (200) or not (503)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok", "vendor": connection.vendor})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send the user to their last team's explorer, or explain they have no team yet."""
    memberships = Membership.objects.filter(user=request.user).select_related("team")
    last = request.session.get("last_team")
    chosen = next((m for m in memberships if m.team.slug == last), None) or memberships.first()
    if chosen is None:
        return render(request, "core/no_team.html", status=200)
    return redirect("explorer:index", team_slug=chosen.team.slug)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Explain an expired or missing CSRF token in words, under the strict CSP."""
    return render(request, "403_csrf.html", status=403)
