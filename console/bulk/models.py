"""A bulk run: one operation, one Application Access, a CSV's rows, each sent once."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from console.teams.models import TeamScopedModel


class RunState(models.TextChoices):
    """Where a run stands."""

    DRAFT = "draft", "Draft"  # uploaded; columns being mapped
    RUNNING = "running", "Running"
    PAUSED = "paused", "Paused"
    CANCELLED = "cancelled", "Cancelled"
    STOPPED = "stopped", "Stopped"  # Usage Engine refused the token: nothing more is sent
    FINISHED = "finished", "Finished"


class RowState(models.TextChoices):
    """Where one row stands. A row is claimed (sending) by one worker at a time, with a
    lease: a worker that died leaves it to be claimed again once the lease ran out."""

    PENDING = "pending", "Waiting"
    SENDING = "sending", "Sending"
    DONE = "done", "Sent"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"  # did not match the spec, and only valid rows were sent


class BulkRun(TeamScopedModel):
    """What to call, with what, how the CSV's columns map to the call, and how far it got."""

    # Deleting the spec deletes its runs (their calls stay in the history).
    operation = models.ForeignKey("specs.Operation", on_delete=models.CASCADE, related_name="+")
    access = models.ForeignKey(
        "vault.ApplicationAccess",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bulk_runs"
    )
    source_name = models.CharField(max_length=200, blank=True, help_text="The CSV's file name.")
    columns = models.JSONField(default=list, help_text="The CSV's header, in order.")
    # Form field name ("query:limit", "body:name") -> column; "" -> the whole body's column.
    mapping = models.JSONField(default=dict)
    body_view = models.CharField(max_length=10, default="json")  # "form": one column a field
    concurrency = models.PositiveSmallIntegerField(default=4)
    only_valid = models.BooleanField(default=False)
    confirmed_production = models.BooleanField(default=False)
    via = models.CharField(max_length=200, blank=True)  # "API token … of …" when started so
    state = models.CharField(max_length=10, choices=RunState.choices, default=RunState.DRAFT)
    stop_reason = models.TextField(blank=True)
    total = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Shared by the run's workers: nobody sends before this (a 429's Retry-After).
    hold_until = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"bulk run #{self.pk} ({self.state})"

    @property
    def is_active(self) -> bool:
        """True while rows are being sent (or could be, once resumed)."""
        return self.state in (RunState.RUNNING, RunState.PAUSED)


class BulkRow(models.Model):
    """One CSV row: its cells, its state, and what its call gave."""

    run = models.ForeignKey(BulkRun, on_delete=models.CASCADE, related_name="rows")
    number = models.PositiveIntegerField(help_text="1 for the first row after the header.")
    cells = models.JSONField(default=dict)
    state = models.CharField(max_length=10, choices=RowState.choices, default=RowState.PENDING)
    problems = models.JSONField(default=dict, help_text="Spec mismatches, by column.")
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=100, blank=True)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    result = models.JSONField(default=dict, help_text="Key fields of the answer.")
    record_id = models.BigIntegerField(null=True, blank=True, help_text="Its last call's record.")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "number"]
        constraints = [models.UniqueConstraint(fields=["run", "number"], name="one_row_per_number")]
        indexes = [models.Index(fields=["run", "state", "number"], name="bulk_row_next")]

    def __str__(self) -> str:
        return f"row {self.number} of run #{self.run_id} ({self.state})"
