"""The spec import form: by URL, by file upload, or pasted."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings


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
    paste = forms.CharField(
        label="Or paste the document",
        required=False,
        strip=False,  # YAML's indentation is meaningful
        widget=forms.Textarea(attrs={"rows": 8, "class": "code-input", "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A pasted document travels as a form field, which Django caps at
        # DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB by default); files and URLs take up to
        # CONSOLE_SPEC_MAX_BYTES.
        limit = settings.CONSOLE_SPEC_MAX_BYTES
        if settings.DATA_UPLOAD_MAX_MEMORY_SIZE is not None:
            limit = min(limit, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        self.fields["paste"].help_text = (
            f"JSON or YAML text, up to {_megabytes(limit)}; "
            "use a URL or a file for larger documents."
        )

    def clean(self) -> dict[str, Any]:
        """Exactly one of URL, file and pasted text."""
        data = super().clean()
        given = [
            label
            for label, present in (
                ("a URL", data.get("url")),
                ("a file", data.get("file")),
                ("pasted text", (data.get("paste") or "").strip()),
            )
            if present
        ]
        if len(given) == 2:
            raise forms.ValidationError(f"Give either {given[0]} or {given[1]}, not both.")
        if len(given) > 2:
            raise forms.ValidationError("Give only one of a URL, a file or pasted text.")
        if not given and "url" not in self.errors:
            raise forms.ValidationError("Give a URL, a file or pasted text to import.")
        return data


def _megabytes(n: int) -> str:
    mb = n / (1024 * 1024)
    return f"{mb:.1f} MB".replace(".0 MB", " MB")
