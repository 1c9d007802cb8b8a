"""Forms of a bulk run: the CSV (a file or pasted), and how the run sends."""

from __future__ import annotations

from django import forms
from django.conf import settings


class UploadForm(forms.Form):
    """A CSV with a header row: uploaded, or pasted."""

    file = forms.FileField(label="CSV file", required=False)
    text = forms.CharField(
        label="Or paste the CSV", required=False, widget=forms.Textarea(attrs={"rows": 8})
    )

    def clean(self) -> dict:
        """The CSV's text, from the file or the text area, within the size limit."""
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            if upload.size > settings.CONSOLE_BULK_MAX_BYTES:
                limit = settings.CONSOLE_BULK_MAX_BYTES // (1024 * 1024)
                raise forms.ValidationError(f"The file is larger than {limit} MB.")
            try:
                data["csv"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise forms.ValidationError(
                    "The file is not UTF-8 text (save it as CSV UTF-8)."
                ) from exc
            data["name"] = upload.name
        elif (data.get("text") or "").strip():
            data["csv"], data["name"] = data["text"], "pasted CSV"
        else:
            raise forms.ValidationError("Choose a CSV file or paste one.")
        return data
