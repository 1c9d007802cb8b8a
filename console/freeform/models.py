"""Free requests: a call typed by hand (method, path, query, headers, body) for the
endpoints the team's specs do not describe, sent to an Application Access's host."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from console.teams.models import TeamScopedModel


class Method(models.TextChoices):
    """The methods a free request may use."""

    GET = "GET"
    POST = "POST"
    PUT = "PUT"
    PATCH = "PATCH"
    DELETE = "DELETE"
    HEAD = "HEAD"
    OPTIONS = "OPTIONS"


class FreeRequest(TeamScopedModel):
    """A named request typed by hand, shared with the team.

    `path` is relative to the chosen environment's base URL and may hold ``{{variables}}``;
    `query` and `headers` are lists of ``{"name", "value", "enabled"}`` rows, in order.
    Credential headers (Authorization, Cookie) are never stored: the managed token is
    added when it is sent.
    """

    name = models.CharField(max_length=200)
    method = models.CharField(max_length=10, choices=Method.choices, default=Method.GET)
    path = models.TextField(blank=True)
    query = models.JSONField(default=list, blank=True)
    headers = models.JSONField(default=list, blank=True)
    body = models.TextField(blank=True)
    body_content_type = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """Method and path, as lists show a request that has no operation."""
        return f"{self.method} {self.path or '/'}"
