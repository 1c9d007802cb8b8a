"""Forms for environments and Application Access credentials.

The client secret field never renders a value: after saving, the secret is
write-only, and replacing it means typing a new one.
"""

from __future__ import annotations

from typing import Any

from django import forms

from console.vault.models import ApplicationAccess, Environment


class EnvironmentForm(forms.ModelForm):
    """Create or edit an environment."""

    class Meta:
        model = Environment
        fields = ["name", "base_url", "audience", "token_url", "is_production"]
        labels = {
            "base_url": "Base URL",
            "token_url": "Token URL",
            "is_production": "This is a production environment",
        }
        widgets = {
            "base_url": forms.URLInput(attrs={"placeholder": "https://api.digitalroute.io/"}),
        }


class AccessForm(forms.Form):
    """Create or edit an Application Access; secrets are typed, never shown."""

    name = forms.CharField(max_length=100)
    environment = forms.ModelChoiceField(queryset=Environment.objects.none())
    client_id = forms.CharField(
        label="Client ID",
        max_length=500,
        strip=True,
        widget=forms.TextInput({"autocomplete": "off"}),
    )
    client_secret = forms.CharField(
        label="Client secret",
        max_length=2000,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )

    admins_only = forms.BooleanField(
        label="Only admins and owners may send with it",
        required=False,
        help_text="For example for a production environment.",
    )

    def __init__(
        self,
        *args: Any,
        environments: Any,
        instance: ApplicationAccess | None = None,
        **kwargs: Any,
    ) -> None:
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": instance.name,
                    "environment": instance.environment_id,
                    "admins_only": instance.admins_only,
                },
            )
        super().__init__(*args, **kwargs)
        self.instance = instance
        self.fields["environment"].queryset = environments
        if instance is not None:
            # Editing: blank keeps what is stored; the stored values are never shown.
            self.fields["client_id"].required = False
            self.fields[
                "client_id"
            ].help_text = f"Stored as {instance.masked_client_id}. Leave blank to keep it."
            self.fields["client_secret"].required = False
            self.fields[
                "client_secret"
            ].help_text = (
                "Write-only. Leave blank to keep the stored secret; type a new one to replace it."
            )
        else:
            self.fields["client_secret"].help_text = (
                "Shown once in Usage Engine when the Application Access was created. "
                "It is encrypted here and never shown again."
            )
