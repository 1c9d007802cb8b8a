"""Imported OpenAPI documents, their versions and the operation index."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from console.core.fields import OrderedJSONField
from console.teams.models import TeamScopedModel


class Spec(TeamScopedModel):
    """A named API description a team works with; each import adds a version."""

    name = models.CharField(max_length=200)
    source_url = models.URLField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "name"], name="unique_spec_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def latest_version(self) -> SpecVersion | None:
        """The newest imported version, or None before the first import."""
        # Not the document: it can be tens of megabytes and the callers want the row.
        return self.versions.defer("document").order_by("-number").first()


class SpecVersion(TeamScopedModel):
    """One import of a spec: the document as parsed, and what the import found."""

    spec = models.ForeignKey(Spec, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    document = OrderedJSONField(help_text="The parsed document (Swagger 2.0 converted to 3.0).")
    title = models.CharField(max_length=300, blank=True)
    api_version = models.CharField(max_length=100, blank=True)
    openapi_version = models.CharField(max_length=20, blank=True)
    source = models.CharField(max_length=1000, blank=True, help_text="URL or file name.")
    operation_count = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, help_text="[{pointer, message}] found at import.")
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["spec", "number"], name="unique_spec_version"),
        ]

    def __str__(self) -> str:
        return f"{self.spec.name} v{self.number}"


class Operation(TeamScopedModel):
    """One operation of a spec version, as the explorer lists and searches it."""

    version = models.ForeignKey(SpecVersion, on_delete=models.CASCADE, related_name="operations")
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=1000)
    operation_id = models.CharField(max_length=300)
    summary = models.CharField(max_length=500, blank=True)
    tag = models.CharField(max_length=200, help_text="First tag, used for grouping.")
    tags = models.JSONField(default=list)
    deprecated = models.BooleanField(default=False)
    scopes = models.JSONField(default=list)
    search_text = models.TextField(help_text="Lower-cased path, summary, operationId and tags.")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        indexes = [models.Index(fields=["version", "position"])]

    def __str__(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def label(self) -> str:
        """How a person names this operation: its summary, else method and path."""
        return self.summary or f"{self.method} {self.path}"
