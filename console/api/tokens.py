"""Use cases of personal API tokens: make one (shown once), revoke it, and find who a
request's token speaks for (with the per-token rate limit)."""

from __future__ import annotations

import copy
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Case, F, Q, Value, When
from django.http import Http404, HttpRequest
from django.utils import timezone

from console.api.models import PREFIX, ApiToken
from console.teams.models import ROLE_RANK, Membership, Role
from console.teams.scoping import TeamScope

WINDOW = timedelta(minutes=1)
EXPIRY_CHOICES = [(7, "7 days"), (30, "30 days"), (90, "90 days"), (365, "1 year")]


class TokenRuleError(Exception):
    """A token change the rules refuse, with a message for the person asking."""


class ApiError(Exception):
    """A refused API request: its HTTP status, a short code and a sentence."""

    def __init__(self, status: int, code: str, message: str, **headers: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    """A token just made: the row, and its secret (shown this once)."""

    token: ApiToken
    secret: str


def token_create(*, scope: TeamScope, name: str, role: str, days: int) -> NewToken:
    """Make a token for the signed-in person in this team, with `role` at most theirs."""
    name = name.strip()
    if not name:
        raise TokenRuleError("Give the token a name, e.g. what will use it.")
    role = Role(role)
    if not scope.membership.has_role(role):
        raise TokenRuleError(
            f"A token's role can be at most yours ({scope.membership.get_role_display()})."
        )
    if days not in dict(EXPIRY_CHOICES):
        raise TokenRuleError("Choose how long the token works.")
    secret = PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(
        team=scope.team,
        user=scope.user,
        name=name,
        role=role,
        token_hash=_hash(secret),
        hint=secret[: len(PREFIX) + 4],
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    return NewToken(token, secret)


def tokens_visible(scope: TeamScope) -> Any:
    """The tokens this person may see: their own; an owner sees all of the team's."""
    tokens = ApiToken.objects.filter(team=scope.team).select_related("user")
    if scope.membership.has_role(Role.OWNER):
        return tokens
    return tokens.filter(user=scope.user)


def token_revoke(*, scope: TeamScope, token_id: int) -> ApiToken:
    """Revoke a token (one's own, or any of the team's for an owner)."""
    token = tokens_visible(scope).filter(pk=token_id).first()
    if token is None:
        raise Http404("No such token.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by_name = scope.user.get_username()
        token.save(update_fields=["revoked_at", "revoked_by_name"])
    return token


def _bearer(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip().startswith(PREFIX):
        raise ApiError(
            401,
            "unauthorized",
            "Send a console API token: Authorization: Bearer uec_… (make one under "
            "Settings → API tokens).",
            **{"WWW-Authenticate": 'Bearer realm="console"'},
        )
    return value.strip()


def _count_call(token: ApiToken) -> None:
    """One more call in the token's minute; ApiError 429 past CONSOLE_API_RATE_PER_MINUTE."""
    now = timezone.now()
    fresh = Q(window_start__isnull=True) | Q(window_start__lt=now - WINDOW)
    ApiToken.objects.filter(pk=token.pk).update(
        window_start=Case(When(fresh, then=Value(now)), default=F("window_start")),
        window_calls=Case(When(fresh, then=Value(1)), default=F("window_calls") + 1),
        last_used_at=now,
    )
    started, calls = ApiToken.objects.values_list("window_start", "window_calls").get(pk=token.pk)
    limit = settings.CONSOLE_API_RATE_PER_MINUTE
    if calls > limit:
        wait = max(1, int((started + WINDOW - now).total_seconds()) + 1)
        raise ApiError(
            429,
            "rate_limited",
            f"This token made more than {limit} calls in a minute: wait {wait} s.",
            **{"Retry-After": str(wait)},
        )


def api_scope(request: HttpRequest, team_slug: str) -> tuple[TeamScope, ApiToken]:
    """Who the request's token speaks for in the team `team_slug`, as a scope whose role is
    the lower of the token's and the person's, and whose calls say "via API token …".

    Raises ApiError: 401 for a missing, unknown, revoked or expired token (or one whose
    person left the team or was disabled), 404 for another team's, 429 past the rate.
    """
    raw = _bearer(request)
    token = ApiToken.objects.select_related("team", "user").filter(token_hash=_hash(raw)).first()
    if token is None:
        raise ApiError(401, "unauthorized", "This API token is not known to the console.")
    if token.state != "active":
        raise ApiError(401, "unauthorized", f"This API token is {token.state}.")
    if not token.user.is_active:
        raise ApiError(401, "unauthorized", "The account of this API token is disabled.")
    if token.team.slug != team_slug:
        raise ApiError(404, "not_found", "No such team.")
    membership = Membership.objects.filter(team=token.team, user=token.user).first()
    if membership is None:
        raise ApiError(401, "unauthorized", "The person of this API token left the team.")
    _count_call(token)
    acting = copy.copy(membership)  # never saved: the role this call acts with
    acting.team, acting.user = token.team, token.user
    if ROLE_RANK[Role(token.role)] < ROLE_RANK[Role(membership.role)]:
        acting.role = token.role
    return TeamScope(acting, via=token.via), token
