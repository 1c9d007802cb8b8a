"""Forms of invitations: sending one, and the new account an invited person makes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import UserCreationForm

from console.teams.models import Role


class InviteForm(forms.Form):
    """Invite someone by email address with a role."""

    email = forms.EmailField(label="Email address", max_length=254)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER)


class SignUpForm(UserCreationForm):
    """A new account for an invited person: a user name, an optional name, a password
    that Django's validators accept (compared with the invited email address too)."""

    name = forms.CharField(label="Your name", max_length=150, required=False)
    field_order = ["username", "name", "password1", "password2"]

    class Meta(UserCreationForm.Meta):
        fields = ("username",)

    def __init__(self, *args: Any, email: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.email = email  # for the similarity check of the password validators
        self.fields[
            "username"
        ].help_text = "Letters, digits and @ . + - _ only; you sign in with it."

    def _post_clean(self) -> None:
        self.instance.first_name = self.cleaned_data.get("name", "")
        super()._post_clean()
