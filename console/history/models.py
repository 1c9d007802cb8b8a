"""The call history: one append-only record per attempted call."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from console.teams.models import Team, TeamScopedModel


class AppendOnlyQuerySet(models.QuerySet):
    """A queryset that refuses bulk updates and deletes: history is never rewritten."""

    def update(self, **kwargs: object) -> int:
        """Refused: records are never changed."""
        raise PermissionError("History rows are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        """Refused: records are never deleted by the application."""
        raise PermissionError("History rows are append-only.")

    def for_team(self, team: object) -> AppendOnlyQuerySet:
        """Only the records of `team`."""
        return self.filter(team=team)


def _by_value(to: str) -> models.ForeignKey:
    """A link that survives its target: no database constraint, never nulled (an UPDATE)."""
    return models.ForeignKey(
        to, null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )


class AppendOnlyRecord(TeamScopedModel):
    """Base of history rows: who did it, inserted once, never changed or deleted by the app."""

    user = _by_value(settings.AUTH_USER_MODEL)
    username = models.CharField(max_length=150)
    access = _by_value("vault.ApplicationAccess")

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: object, **kwargs: object) -> None:
        """Insert only: saving an existing row is refused."""
        if self.pk is not None and not self._state.adding:
            raise PermissionError(f"{self._meta.verbose_name_plural} are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        """Refused: rows are never deleted by the application."""
        raise PermissionError(f"{self._meta.verbose_name_plural} are append-only.")


class CallRecord(AppendOnlyRecord):
    """Who called what, with which credential, what was sent and what came back.

    Names (user, Application Access, environment, operation) are copied in so a
    record stays readable after the things it names are renamed or deleted; the
    foreign keys carry no database constraint and are never nulled, because
    nulling them would be an UPDATE of history.
    Secrets are redacted before a record is built (see `redaction.py`).
    """

    access_name = models.CharField(max_length=100, blank=True)
    environment_name = models.CharField(max_length=100, blank=True)
    operation = _by_value("specs.Operation")
    operation_key = models.CharField(
        max_length=300, blank=True, help_text="The operationId from the spec."
    )
    operation_label = models.CharField(max_length=500, blank=True)
    method = models.CharField(max_length=10)
    url = models.TextField()
    request_headers = models.JSONField(default=list)
    request_body = models.TextField(blank=True)
    status = models.PositiveSmallIntegerField(null=True)
    response_headers = models.JSONField(default=list)
    response_body = models.TextField(blank=True)
    response_size = models.PositiveBigIntegerField(default=0)
    response_truncated = models.BooleanField(default=False)
    duration_ms = models.FloatField(default=0)
    token_ms = models.FloatField(default=0)
    token_source = models.CharField(max_length=20, blank=True)
    error_kind = models.CharField(max_length=40, blank=True)
    error_message = models.TextField(blank=True)
    # Set by the chain when the record is appended (see chain.py), then hashed with it.
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    seq = models.PositiveBigIntegerField(null=True, help_text="Position in the team's chain.")
    prev_hash = models.CharField(max_length=64, blank=True)
    record_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "seq"], name="one_record_per_chain_position"),
        ]
        indexes = [
            models.Index(fields=["team", "-created_at", "-id"], name="history_team_recent"),
            models.Index(fields=["team", "user", "-id"], name="history_team_user"),
            models.Index(fields=["team", "operation_key", "-id"], name="history_team_op"),
            models.Index(fields=["team", "status", "-id"], name="history_team_status"),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.url} → {self.status or self.error_kind}"

    @property
    def ok(self) -> bool:
        """True for a 2xx answer."""
        return self.status is not None and 200 <= self.status < 300


class AuditAction(models.TextChoices):
    """What happened to an Application Access."""

    CREATED = "access_created", "Created"
    CHANGED = "access_changed", "Changed"
    SECRET_REPLACED = "secret_replaced", "Secret replaced"
    DISABLED = "access_disabled", "Disabled"
    ENABLED = "access_enabled", "Enabled"
    DELETED = "access_deleted", "Deleted"
    TESTED = "access_tested", "Connection tested"
    TOKEN_FETCHED = "token_fetched", "Token fetched"


class AuditEvent(AppendOnlyRecord):
    """A change to, or use of, a credential: who, what and when (never a secret or token).

    Append-only like `CallRecord`, and for the same reasons it names things by value.
    """

    action = models.CharField(max_length=30, choices=AuditAction.choices)
    access_name = models.CharField(max_length=100)
    environment_name = models.CharField(max_length=100, blank=True)
    detail = models.JSONField(default=dict, help_text="Non-secret facts, e.g. scopes, expiry.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["team", "-id"], name="audit_team_recent")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.access_name} by {self.username}"


class ChainHead(models.Model):
    """The end of a team's history chain: the last position and its hash.

    Appending locks this row, so records of one team are chained one at a time
    even from several processes.
    """

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="+")
    seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"chain of team {self.team_id} at {self.seq}"


class ChainCheckpoint(models.Model):
    """Where verification starts after old records were pruned: the last pruned record."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    seq = models.PositiveBigIntegerField()
    record_hash = models.CharField(max_length=64)
    pruned = models.PositiveBigIntegerField(help_text="Records removed by this prune.")
    older_than = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-seq"]

    def __str__(self) -> str:
        return f"checkpoint of team {self.team_id} at {self.seq}"
