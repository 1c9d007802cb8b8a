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


def _by_value(to: str, *, db_index: bool) -> models.ForeignKey:
    """A link that survives its target: no database constraint, never nulled (an UPDATE)."""
    return models.ForeignKey(
        to,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=db_index,
        related_name="+",
    )


class AppendOnly(TeamScopedModel):
    """Base of history rows: who did it, inserted once, never changed or deleted by the app.

    Every index costs every insert (a Send writes a record), so a column is indexed only
    where a query needs it: `team` leads each model's composite indexes, and nothing looks
    a row up by `user` (the pages filter by the names a row keeps).
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+", db_index=False)
    user = _by_value(settings.AUTH_USER_MODEL, db_index=False)
    username = models.CharField(max_length=150)

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


class AppendOnlyRecord(AppendOnly):
    """An append-only row about an Application Access; `access` serves the Application
    Access page's recent calls and events (`vault.views._activity`)."""

    access = _by_value("vault.ApplicationAccess", db_index=True)

    class Meta:
        abstract = True


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
    operation = _by_value("specs.Operation", db_index=False)
    operation_key = models.CharField(
        max_length=300, blank=True, help_text="The operationId from the spec."
    )
    operation_label = models.CharField(max_length=500, blank=True)
    method = models.CharField(max_length=10)
    url = models.TextField()
    request_headers = models.JSONField(default=list)
    request_body = models.TextField(blank=True)
    # The operation form as posted, for replay: values by field name (``query:limit``) and
    # the body options, redacted like the request. None on records from before it was
    # kept (replay then reads the values back from the URL). Hashed only when set.
    form_values = models.JSONField(null=True, blank=True)
    status = models.PositiveSmallIntegerField(null=True)
    response_headers = models.JSONField(default=list)
    response_body = models.TextField(blank=True)
    # A binary answer's bytes (up to CONSOLE_HISTORY_BODY_LIMIT), base64; "" for text
    # answers, whose body is `response_body`. Hashed only when set (see chain.py).
    response_body_b64 = models.TextField(blank=True, default="")
    response_size = models.PositiveBigIntegerField(default=0)
    response_truncated = models.BooleanField(default=False)
    duration_ms = models.FloatField(default=0)
    token_ms = models.FloatField(default=0)
    # The HTTP exchange(s) with the API; None on records from before it was measured.
    upstream_ms = models.FloatField(null=True, blank=True)
    token_source = models.CharField(max_length=20, blank=True)
    error_kind = models.CharField(max_length=40, blank=True)
    error_message = models.TextField(blank=True)
    # How the call reached the console when not from its pages: "API token nightly of
    # mia", "command line". "" on calls made from a page (and on every older record).
    via = models.CharField(max_length=200, blank=True, default="")
    # Set by the chain when the record is appended (see chain.py), then hashed with it.
    # Every query by time is a team's, served by (team, -created_at, -id).
    created_at = models.DateTimeField(default=timezone.now)
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
            models.Index(fields=["team", "operation_key", "-id"], name="history_team_op"),
            models.Index(fields=["team", "status", "-id"], name="history_team_status"),
            # The page filters by the names a record keeps (they outlive the user or the
            # credential), and lists their distinct values by walking these indexes.
            models.Index(fields=["team", "username", "-id"], name="history_team_username"),
            models.Index(fields=["team", "access_name", "-id"], name="history_team_access"),
            models.Index(
                fields=["team", "environment_name", "-id"], name="history_team_environment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.url} → {self.status or self.error_kind}"

    @property
    def ok(self) -> bool:
        """True for a 2xx answer."""
        return self.status is not None and 200 <= self.status < 300

    @property
    def console_ms(self) -> float | None:
        """The console's own share of `duration_ms` (None before `upstream_ms` was kept)."""
        if self.upstream_ms is None:
            return None
        return max(0.0, self.duration_ms - self.token_ms - self.upstream_ms)


class AuditAction(models.TextChoices):
    """What happened to an Application Access."""

    CREATED = "access_created", "Created"
    CHANGED = "access_changed", "Changed"
    SECRET_REPLACED = "secret_replaced", "Secret replaced"
    DISABLED = "access_disabled", "Disabled"
    ENABLED = "access_enabled", "Enabled"
    DELETED = "access_deleted", "Deleted"
    TESTED = "access_tested", "Connection tested"
    TEST_FAILED = "access_test_failed", "Connection test failed"
    TOKEN_FETCHED = "token_fetched", "Token fetched"
    TOKEN_FAILED = "token_failed", "Token request failed"


class AuditEvent(AppendOnlyRecord):
    """A change to, or use of, a credential: who, what and when (never a secret or token).

    Append-only like `CallRecord`, and for the same reasons it names things by value.
    """

    action = models.CharField(max_length=30, choices=AuditAction.choices)
    access_name = models.CharField(max_length=100)
    environment_name = models.CharField(max_length=100, blank=True)
    detail = models.JSONField(default=dict, help_text="Non-secret facts, e.g. scopes, expiry.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["team", "-id"], name="audit_team_recent")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.access_name} by {self.username}"

    @property
    def details(self) -> str:
        """The event's detail in words ("restricted to admins and owners"), for pages."""
        from console.history.credential_events import describe_detail

        return describe_detail(self)


class ChainHead(models.Model):
    """The end of a team's history chain: the last position and its hash.

    Appending locks this row, so records of one team are chained one at a time
    even from several processes.
    """

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="+")
    seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, blank=True)
    # The hash before last_hash, kept by each append: the record at `seq` links to it.
    prev_hash = models.CharField(max_length=64, blank=True, default="")

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


class TeamEventAction(models.TextChoices):
    """What happened to the people of a team, or to their sign-in."""

    INVITATION_SENT = "invitation_sent", "Invitation sent"
    INVITATION_ACCEPTED = "invitation_accepted", "Invitation accepted"
    INVITATION_REVOKED = "invitation_revoked", "Invitation revoked"
    INVITATION_EXPIRED = "invitation_expired", "Invitation expired"
    MEMBER_ADDED = "member_added", "Member added"
    MEMBER_REMOVED = "member_removed", "Member removed"
    ROLE_CHANGED = "role_changed", "Role changed"
    SIGNED_IN = "signed_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    LOCKED_OUT = "locked_out", "Locked out"
    UNLOCKED = "unlocked", "Unlocked"
    TWO_FACTOR_ENROLLED = "two_factor_enrolled", "Two-factor turned on"
    TWO_FACTOR_REMOVED = "two_factor_removed", "Two-factor turned off"
    TWO_FACTOR_RESET = "two_factor_reset", "Two-factor reset"
    PASSWORD_CHANGED = "password_changed", "Password changed"
    PASSWORD_RESET_ISSUED = "password_reset_issued", "Password reset link issued"
    SESSIONS_ENDED = "sessions_ended", "Signed out everywhere"
    TEAM_RENAMED = "team_renamed", "Team renamed"
    TWO_FACTOR_POLICY = "two_factor_policy", "Two-factor requirement changed"


class TeamEvent(AppendOnly):
    """Something that happened to a team's people: who did it (`user`, `username`), to
    whom (`subject`, `subject_name`), from which address, and non-secret facts.

    Append-only like the credential events beside it, and named by value for the same
    reasons: a removed member's events stay readable. Never holds a password, a token
    or an invitation link.
    """

    action = models.CharField(max_length=30, choices=TeamEventAction.choices)
    subject = _by_value(settings.AUTH_USER_MODEL, db_index=False)
    subject_name = models.CharField(max_length=150, blank=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, help_text="Non-secret facts, e.g. roles, email.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["team", "-id"], name="team_event_recent"),
            models.Index(fields=["team", "action", "-id"], name="team_event_action"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.subject_name} by {self.username}"
