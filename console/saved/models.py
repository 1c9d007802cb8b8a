"""Saved requests: an operation's form, filled in and named, shared with the team."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from console.specs.models import Operation, Spec
from console.teams.models import TeamScopedModel


class SavedRequest(TeamScopedModel):
    """A named set of form values for one operation of a spec.

    `operation` is the Operation row it was saved from (one version of the spec);
    `operation_key`, `method` and `path` find the same operation again in newer
    versions (by method and path, else by operationId). Values are keyed by the
    form's field names (``path:meterTypeId``, ``query:limit``, ``body:name``); `body`
    is the body editor's text. Secret-bearing values are redacted before saving,
    as in the history.
    """

    name = models.CharField(max_length=200)
    spec = models.ForeignKey(Spec, on_delete=models.CASCADE, related_name="saved_requests")
    operation = models.ForeignKey(
        Operation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    operation_key = models.CharField(max_length=300, blank=True, help_text="The operationId.")
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=1000)
    operation_label = models.CharField(max_length=500, blank=True)
    values = models.JSONField(default=dict, blank=True)
    body = models.TextField(blank=True)
    body_content_type = models.CharField(max_length=200, blank=True)
    body_view = models.CharField(max_length=10, default="json")
    variant = models.PositiveSmallIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["team", "spec", "method", "path"], name="saved_team_operation"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """How a person names the operation: its summary, else method and path."""
        return self.operation_label or f"{self.method} {self.path}"
