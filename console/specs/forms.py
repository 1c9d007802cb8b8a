"""The spec import form: by URL or by file upload."""

from __future__ import annotations

from typing import Any

from django import forms


class SpecImportForm(forms.Form):
    """Import an OpenAPI document (JSON or YAML) by URL or upload."""

    name = forms.CharField(
        max_length=200, help_text="Importing again under the same name adds a new version."
    )
    url = forms.URLField(
        label="URL",
        required=False,
        max_length=1000,
        assume_scheme="https",
        help_text="The server fetches it, for example the sandbox's /openapi.json.",
    )
    file = forms.FileField(
        label="Or upload a file", required=False, help_text="JSON or YAML, OpenAPI 3 or Swagger 2."
    )

    def clean(self) -> dict[str, Any]:
        """Exactly one of URL and file."""
        data = super().clean()
        if bool(data.get("url")) == bool(data.get("file")):
            raise forms.ValidationError("Give either a URL or a file, not both.")
        return data
