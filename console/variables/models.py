"""Team variables: named values (`{{meterTypeId}}`) used in any parameter or body."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from console.teams.models import TeamScopedModel
from console.vault.models import Environment

# Letters, digits, `_`, `.` and `-`, starting with a letter or `_` (Postman's names
# fit, so imported environments keep theirs).
NAME_PATTERN = r"[A-Za-z_][A-Za-z0-9_.\-]*"
MAX_NAME = 100


class Variable(TeamScopedModel):
    """One value of a team, for one environment (or every one when `environment` is None).

    A secret variable keeps its value only encrypted (`secret_value`, with
    `console.vault.crypto`); `value` is then empty. An environment's own value beats
    the team-wide one of the same name.
    """

    name = models.CharField(max_length=MAX_NAME)
    environment = models.ForeignKey(
        Environment, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    value = models.TextField(blank=True)
    secret_value = models.TextField(blank=True)
    is_secret = models.BooleanField(default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "environment__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "environment", "name"], name="unique_variable_per_environment"
            ),
            # NULLs are distinct in a unique index: team-wide names need their own.
            models.UniqueConstraint(
                fields=["team", "name"],
                condition=Q(environment__isnull=True),
                name="unique_team_wide_variable",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def placeholder(self) -> str:
        """How the variable is written in a form: ``{{name}}``."""
        return "{{" + self.name + "}}"
