"""Environments, Application Access credentials and the shared token cache."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from console.teams.models import TeamScopedModel

TOKEN_PATH = "/authentication/v1/oauth/token"  # noqa: S105 - a path, not a secret


class Environment(TeamScopedModel):
    """A Usage Engine environment: where calls go and which audience tokens carry."""

    name = models.CharField(max_length=100)
    base_url = models.URLField(max_length=500, help_text="For example https://api.digitalroute.io/")
    audience = models.CharField(
        max_length=500, blank=True, help_text="Leave blank for the base URL with a trailing slash."
    )
    token_url = models.URLField(
        max_length=500,
        blank=True,
        help_text=f"Leave blank for the base URL followed by {TOKEN_PATH}.",
    )
    is_production = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "name"], name="unique_environment_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def effective_audience(self) -> str:
        """The audience sent in token requests."""
        return self.audience or self.base_url.rstrip("/") + "/"

    @property
    def effective_token_url(self) -> str:
        """Where tokens are requested."""
        return self.token_url or self.base_url.rstrip("/") + TOKEN_PATH


class ApplicationAccess(TeamScopedModel):
    """A client ID and secret created in Usage Engine, stored encrypted, used by the team.

    `client_id_encrypted` and `client_secret_encrypted` hold Fernet tokens; only
    `console.vault.services` decrypts them, and only to request a token.
    """

    name = models.CharField(max_length=100)
    environment = models.ForeignKey(Environment, on_delete=models.PROTECT, related_name="accesses")
    client_id_encrypted = models.TextField()
    client_id_hint = models.CharField(max_length=8, help_text="Last 4 characters of the client ID.")
    client_secret_encrypted = models.TextField()
    is_enabled = models.BooleanField(default=True)
    admins_only = models.BooleanField(
        default=False,
        help_text="Only admins and owners may send with it (e.g. for production).",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    secret_updated_at = models.DateTimeField(null=True)
    # When the cached tokens were last dropped (new credentials, another environment,
    # disabled): the tokens' generation, see `services.token_generation`.
    tokens_reset_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = "Application Access"
        constraints = [
            models.UniqueConstraint(fields=["team", "name"], name="unique_access_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_readable(self) -> bool:
        """False when no configured key opens the stored credentials (a key removed too early)."""
        from console.vault.crypto import decrypt_or_none

        return decrypt_or_none(self.client_secret_encrypted) is not None

    @property
    def masked_client_id(self) -> str:
        """The client ID as shown to people: all but its last 4 characters hidden."""
        return "••••" + self.client_id_hint


class CachedToken(models.Model):
    """The one shared access token per Application Access and audience, encrypted."""

    access = models.ForeignKey(ApplicationAccess, on_delete=models.CASCADE, related_name="tokens")
    audience = models.CharField(max_length=500)
    token_encrypted = models.TextField(blank=True)
    scope = models.TextField(blank=True)
    expires_at = models.DateTimeField(null=True)
    fetched_at = models.DateTimeField(null=True)
    # The access's credentials when the token was fetched (`services.token_generation`):
    # a token fetched just before the credentials changed, and saved just after, is
    # never used, even though the change had already emptied the cache.
    generation = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["access", "audience"], name="one_token_per_audience"),
        ]

    def __str__(self) -> str:
        return f"token of access {self.access_id} for {self.audience}"
