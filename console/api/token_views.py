"""Settings → API tokens: a person's tokens for this team (an owner sees the team's)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from console.api import tokens
from console.api.forms import TokenForm
from console.teams.models import ROLE_RANK, Role
from console.teams.scoping import TeamScope, team_view


def _roles(scope: TeamScope) -> list[tuple[str, str]]:
    mine = ROLE_RANK[Role(scope.membership.role)]
    return [(value, label) for value, label in Role.choices if ROLE_RANK[Role(value)] <= mine]


@team_view(Role.VIEWER)
def token_list(request: HttpRequest, scope: TeamScope) -> HttpResponse:
    """The tokens, and the form that makes one."""
    form = TokenForm(initial={"role": scope.membership.role})
    form.fields["role"].choices = _roles(scope)
    context = {"tokens": tokens.tokens_visible(scope), "form": form}
    return render(request, "api/tokens.html", context)


@never_cache
@require_POST
@team_view(Role.VIEWER)
def token_create(request: HttpRequest, scope: TeamScope) -> HttpResponse:
    """Make a token; the page shows it once."""
    form = TokenForm(request.POST)
    form.fields["role"].choices = _roles(scope)
    if not form.is_valid():
        return render(
            request, "api/tokens.html", {"tokens": tokens.tokens_visible(scope), "form": form}
        )
    try:
        new = tokens.token_create(scope=scope, **form.cleaned_data)
    except tokens.TokenRuleError as exc:
        messages.error(request, str(exc))
        return redirect("apitokens:list", team_slug=scope.team.slug)
    return render(request, "api/token_created.html", {"new": new})


@require_POST
@team_view(Role.VIEWER)
def token_revoke(request: HttpRequest, scope: TeamScope, token_id: int) -> HttpResponse:
    """Revoke a token: the next call with it is refused."""
    token = tokens.token_revoke(scope=scope, token_id=token_id)
    messages.success(request, f"The token {token.name} is revoked.")
    return redirect("apitokens:list", team_slug=scope.team.slug)
