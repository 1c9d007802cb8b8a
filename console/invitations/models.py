"""An invitation: a one-time link, by email address, into one team with one role."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from console.teams.models import Role, TeamScopedModel


class InvitationState(models.TextChoices):
    """Where an invitation stands; only a pending one can be accepted."""

    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    REVOKED = "revoked", "Revoked"
    EXPIRED = "expired", "Expired"


def _person(related_name: str) -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name=related_name,
    )


class Invitation(TeamScopedModel):
    """Who was invited (an email address), as what, by whom, and what became of it.

    The link's token is never stored: only its SHA-256 (`token_hash`), so the link can
    be shown once to the person inviting and mailed, and nobody can read it back. Names
    are kept beside the user links so the list stays readable after an account goes.
    """

    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = _person("+")
    created_by_name = models.CharField(max_length=150)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    mailed = models.BooleanField(default=False)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = _person("+")
    accepted_by_name = models.CharField(max_length=150, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by_name = models.CharField(max_length=150, blank=True)
    # The team event "invitation expired" is written once, when the console first
    # notices (a page that lists invitations, the link opened late).
    expiry_recorded = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["team", "-created_at"], name="invitation_team_recent")]

    def __str__(self) -> str:
        return f"{self.email} as {self.role} ({self.state})"

    @property
    def state(self) -> InvitationState:
        """Accepted, revoked, expired or pending, in that order of precedence."""
        if self.accepted_at is not None:
            return InvitationState.ACCEPTED
        if self.revoked_at is not None:
            return InvitationState.REVOKED
        if self.expires_at <= timezone.now():
            return InvitationState.EXPIRED
        return InvitationState.PENDING

    @property
    def is_pending(self) -> bool:
        """True while the link can still be used."""
        return self.state == InvitationState.PENDING

    def get_state_display(self) -> str:
        """The state in words."""
        return self.state.label
