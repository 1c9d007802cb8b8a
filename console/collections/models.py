"""Collections: saved and free requests in named, ordered folders, shared by the team,
run in order as a sequence whose steps may set variables from their responses."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from console.core.http import MUTATING_METHODS
from console.freeform.models import FreeRequest
from console.saved.models import SavedRequest
from console.teams.models import TeamScopedModel


class Collection(TeamScopedModel):
    """A named, ordered set of requests (in folders or at the top)."""

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class CollectionFolder(models.Model):
    """A folder of a collection (folders may hold folders); ordered by `position`."""

    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="folders")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    name = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class CollectionItem(models.Model):
    """One step of a collection: a saved request or a free request (exactly one), at
    `position` within its folder (or the top), with the variables it sets from its answer.

    `captures` is a list of ``{"variable": "meterTypeId", "pointer": "/id"}``: after the
    step's call, the JSON value at the pointer becomes the variable's value.
    """

    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="items")
    folder = models.ForeignKey(
        CollectionFolder, null=True, blank=True, on_delete=models.CASCADE, related_name="items"
    )
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=200)
    saved_request = models.ForeignKey(
        SavedRequest, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    free_request = models.ForeignKey(
        FreeRequest, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    captures = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(saved_request__isnull=False) & Q(free_request__isnull=True))
                | (Q(saved_request__isnull=True) & Q(free_request__isnull=False)),
                name="collection_item_one_request",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def request(self) -> SavedRequest | FreeRequest:
        """The saved or free request this step sends."""
        return self.saved_request if self.saved_request_id else self.free_request  # type: ignore[return-value]

    @property
    def method(self) -> str:
        """The step's HTTP method."""
        return self.request.method

    @property
    def mutating(self) -> bool:
        """Whether the step changes things (guarded on production environments)."""
        return self.method.upper() in MUTATING_METHODS
