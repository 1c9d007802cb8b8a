"""The form that makes a personal API token."""

from __future__ import annotations

from django import forms

from console.api.tokens import EXPIRY_CHOICES
from console.teams.models import Role


class TokenForm(forms.Form):
    """A name, a role (at most the person's) and how long the token works."""

    name = forms.CharField(max_length=100, help_text="What will use it, e.g. nightly CI.")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER)
    days = forms.TypedChoiceField(
        label="Expires after", choices=EXPIRY_CHOICES, coerce=int, initial=90
    )
