"""Team scoping by construction: every team-scoped lookup in a view goes through here.

A view decorated with `team_view` receives a `TeamScope` built from the signed-in
user's membership of the team named in the URL. A user who is not a member gets
a 404 for the team and for everything in it, never a 403 that confirms it exists.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from console.core import signin_method
from console.core.rows import RowReader
from console.core.sql import quoted
from console.teams.models import Membership, Role, Team, TeamScopedModel

M = TypeVar("M", bound=TeamScopedModel)


@dataclass(frozen=True)
class TeamScope:
    """The signed-in member's view of one team.

    `via` says how the member reached it when it was not a page of the console (an API
    token, the command line); the calls they make record it beside their name.
    """

    membership: Membership
    via: str = ""

    @property
    def team(self) -> Team:
        """The team this scope is limited to."""
        return self.membership.team

    @property
    def user(self) -> Any:
        """The signed-in user."""
        return self.membership.user

    def all(self, model: type[M]) -> models.QuerySet[M]:
        """Every row of `model` that belongs to this team."""
        return model.objects.for_team(self.team)

    def get(self, model: type[M], *, related: tuple[str, ...] = (), **lookup: Any) -> M:
        """One row of this team, or 404 (also when it exists in another team).

        `related` names foreign keys to load in the same query.
        """
        try:
            rows = self.all(model)
            return (rows.select_related(*related) if related else rows).get(**lookup)
        except (model.DoesNotExist, ValueError, TypeError) as exc:
            raise Http404(f"No such {model._meta.verbose_name}.") from exc

    def require(self, role: Role) -> None:
        """Refuse (403) unless the member holds `role` or above."""
        if not self.membership.has_role(role):
            raise PermissionDenied(f"This needs the {Role(role).label.lower()} role or above.")


_MEMBERSHIP = RowReader((Membership, "m"), (Team, "t"))


@functools.cache
def _membership_sql() -> str:
    memberships, m_team, m_user = quoted(Membership, "team", "user")
    teams, t_id, t_slug = quoted(Team, "id", "slug")
    return (
        f'SELECT {_MEMBERSHIP.columns} FROM {memberships} AS "m" '  # noqa: S608 (model names)
        f'JOIN {teams} AS "t" ON "t".{t_id} = "m".{m_team} '
        f'WHERE "t".{t_slug} = %s AND "m".{m_user} = %s'
    )


def membership_for(user: Any, team_slug: str, known: Membership | None = None) -> Membership:
    """The user's membership of the team with `team_slug`, or 404.

    Every team page starts here. `known` is the membership the request's session read
    brought (`console.core.sessions`), used only if it is this user's of this team;
    otherwise the read is a `RowReader` statement (one query with the team).
    """
    if not getattr(user, "is_authenticated", False):
        raise Http404("No such team.")
    if known is not None and known.user_id == user.pk and known.team.slug == team_slug:
        membership = known
    else:
        row = _MEMBERSHIP.one(_membership_sql(), [team_slug, user.pk])
        if row is None:
            raise Http404("No such team.")
        membership, team = row
        membership.team = team
    membership.user = user  # already loaded by authentication: no need to join it again
    return membership


def team_view(
    role: Role = Role.VIEWER,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorate a view taking `team_slug`: it receives `scope` instead, checked for `role`.

    A team that requires two-factor or single sign-on answers every page of a session
    signed in with a password alone with a page saying how to get in (403).
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @functools.wraps(view)
        def wrapped(request: HttpRequest, team_slug: str, **kwargs: Any) -> HttpResponse:
            known = getattr(request.session, "prefetched_membership", None)
            scope = TeamScope(membership_for(request.user, team_slug, known))
            request.scope = scope  # templates and the team switcher read it
            if scope.team.require_two_factor and not signin_method.is_strong(request.session):
                # Before the role check: the page itself is what the rule keeps closed.
                return render(request, "teams/two_factor_required.html", status=403)
            scope.require(role)
            if request.session.get("last_team") != scope.team.slug:
                # Only on a change: setting it marks the session modified, and saving
                # it is a database write on every page view.
                request.session["last_team"] = scope.team.slug
            return view(request, scope, **kwargs)

        return wrapped

    return decorate
