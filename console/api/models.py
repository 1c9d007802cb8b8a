"""Personal API tokens: a person's key for scripts, for one team, with a role no higher
than their own."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from console.teams.models import Role, TeamScopedModel

PREFIX = "uec_"


class ApiToken(TeamScopedModel):
    """A token a script sends as `Authorization: Bearer uec_…`.

    Only its SHA-256 is stored; `hint` (its first characters) tells tokens apart in lists.
    It acts as its user with `role` at most, and never above the user's role in the team
    at the time of the call; it stops at `expires_at`, on revocation, or when the user
    leaves the team. `window_*` count its calls for the per-token rate limit.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    token_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=16)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by_name = models.CharField(max_length=150, blank=True)
    window_start = models.DateTimeField(null=True, blank=True)
    window_calls = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["team", "user"], name="api_token_team_user")]

    def __str__(self) -> str:
        return f"{self.name} of {self.user_id} ({self.hint}…)"

    @property
    def state(self) -> str:
        """ "active", "revoked" or "expired"."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "active"

    @property
    def via(self) -> str:
        """How a call made with this token is recorded."""
        return f"API token {self.name} of {self.user.get_username()}"
