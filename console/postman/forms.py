"""Forms of the Postman pages: a document (uploaded or pasted) and what it is imported into."""

from __future__ import annotations

from typing import Any

from django import forms

from console.postman.services import MAX_TEXT


class DocumentForm(forms.Form):
    """A Postman document, uploaded as a file or pasted."""

    file = forms.FileField(label="Postman file (.json)", required=False)
    text = forms.CharField(
        label="Or paste its JSON",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
    )

    def clean(self) -> dict[str, Any]:
        """The document's text, from the file or the text area, within the size limit."""
        data = super().clean()
        upload = data.get("file")
        limit = f"{MAX_TEXT // (1024 * 1024)} MB"
        if upload is not None:
            if upload.size > MAX_TEXT:
                raise forms.ValidationError(f"The file is larger than {limit}.")
            try:
                data["document"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise forms.ValidationError("The file is not UTF-8 text.") from exc
        elif (data.get("text") or "").strip():
            if len(data["text"]) > MAX_TEXT:
                raise forms.ValidationError(f"The pasted document is larger than {limit}.")
            data["document"] = data["text"]
        else:
            raise forms.ValidationError("Choose a file or paste the document.")
        return data


class CollectionImportForm(DocumentForm):
    """A Postman collection and the spec its requests are matched against."""

    spec = forms.TypedChoiceField(
        label="Match requests against",
        coerce=int,
        required=False,
        empty_value=None,
        help_text="The spec's newest version is used. Without a spec every request becomes a "
        "free request.",
    )
    name = forms.CharField(
        label="Collection name",
        required=False,
        max_length=200,
        help_text="Empty: the Postman collection's name.",
    )
    field_order = ["file", "text", "spec", "name"]

    def __init__(self, *args: Any, specs: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["spec"].choices = [*specs, ("", "No spec: free requests only")]
        if specs:  # the first spec is the default, not "no spec" (the empty value)
            self.fields["spec"].initial = specs[0][0]


class EnvironmentImportForm(DocumentForm):
    """A Postman environment file and the console environment its values go to."""

    environment = forms.TypedChoiceField(label="Set the values for", coerce=int)
    field_order = ["file", "text", "environment"]

    def __init__(self, *args: Any, environments: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["environment"].choices = environments


class CurlForm(forms.Form):
    """A pasted curl command, and optionally the collection it is added to."""

    text = forms.CharField(
        label="curl command",
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        max_length=200_000,
    )
    collection = forms.TypedChoiceField(
        label="Add to collection", coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, collections: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["collection"].choices = [("", "— none —"), *collections]


class OfferForm(forms.Form):
    """The Application Access made from an environment file's client ID and secret."""

    name = forms.CharField(label="Name", max_length=200)
    environment = forms.TypedChoiceField(label="Environment", coerce=int)

    def __init__(self, *args: Any, environments: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["environment"].choices = environments
