"""The variable form: a secret's value is typed, never shown again."""

from __future__ import annotations

from typing import Any

from django import forms

from console.variables.models import MAX_NAME
from console.variables.services import MAX_VALUE

EVERY_ENVIRONMENT = ""


class VariableForm(forms.Form):
    """Add or change a variable. `environment` is an environment's id, or blank for all."""

    name = forms.CharField(
        max_length=MAX_NAME + 4,
        help_text="Used as {{name}} in any parameter, header or body. Letters, digits, _ . and -.",
        widget=forms.TextInput({"autocomplete": "off", "spellcheck": "false", "class": "mono"}),
    )
    environment = forms.ChoiceField(
        required=False, help_text="A value for one environment beats the team-wide one."
    )
    value = forms.CharField(
        required=False,
        max_length=MAX_VALUE,
        strip=False,
        widget=forms.Textarea({"rows": 2, "spellcheck": "false", "class": "mono"}),
    )
    is_secret = forms.BooleanField(
        label="Secret (write-only: never shown again, hidden in the history)",
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        environments: Any,
        can_secret: bool,
        editing_secret: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["environment"].choices = [(EVERY_ENVIRONMENT, "Every environment")] + [
            (str(env.pk), env.name) for env in environments
        ]
        if not can_secret:
            del self.fields["is_secret"]
        if editing_secret:
            # The stored secret is never put back into the page.
            self.fields["value"].widget = forms.PasswordInput(
                render_value=False, attrs={"autocomplete": "new-password"}
            )
            self.fields["value"].help_text = "Leave blank to keep the current secret value."


class FromResponseForm(forms.Form):
    """Set a variable from a value of a recorded response (record id and JSON Pointer)."""

    record = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    pointer = forms.CharField(
        required=False, max_length=2000, strip=False, widget=forms.HiddenInput
    )
    name = forms.CharField(
        label="Variable name",
        max_length=MAX_NAME + 4,
        widget=forms.TextInput({"autocomplete": "off", "spellcheck": "false", "class": "mono"}),
    )
    scope = forms.ChoiceField(
        label="For",
        choices=[("call", "This call's environment"), ("all", "Every environment")],
        initial="call",
        widget=forms.RadioSelect,
    )
