"""Reading a form out of a rendered page, as a browser would submit it.

`form_fields(html, "send-form")` gives the (name, value) pairs a browser posts for the
form with that id: text-like inputs, checked checkboxes, the selected options of
selects (the first option when none is selected), and textareas. Submit buttons and
file inputs are left out. `form_action` gives its action.
"""

from __future__ import annotations

import html as html_lib
from html.parser import HTMLParser

_SKIPPED_INPUTS = {"submit", "button", "file", "reset", "image"}


class _FormReader(HTMLParser):
    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.depth = 0  # > 0 while inside the form
        self.action = ""
        self.fields: list[tuple[str, str]] = []
        self.select: dict | None = None
        self.option: dict | None = None
        self.textarea: dict | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            if self.depth:
                self.depth += 1
            elif a.get("id") == self.form_id:
                self.depth = 1
                self.action = a.get("action", "")
            return
        inside = self.depth > 0 or a.get("form") == self.form_id
        if tag == "input" and inside and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in _SKIPPED_INPUTS:
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and inside and a.get("name"):
            self.select = {"name": a["name"], "multiple": "multiple" in a, "options": []}
        elif tag == "option" and self.select is not None:
            self.option = {"value": a.get("value"), "selected": "selected" in a, "text": ""}
            self.select["options"].append(self.option)
        elif tag == "textarea" and inside and a.get("name"):
            self.textarea = {"name": a["name"], "text": ""}

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.depth:
            self.depth -= 1
        elif tag == "select" and self.select is not None:
            options = self.select["options"]
            chosen = [o for o in options if o["selected"]]
            if not chosen and options and not self.select["multiple"]:
                chosen = options[:1]
            for option in chosen:
                value = option["value"] if option["value"] is not None else option["text"]
                self.fields.append((self.select["name"], value))
            self.select = self.option = None
        elif tag == "option":
            self.option = None
        elif tag == "textarea" and self.textarea is not None:
            text = self.textarea["text"]
            # A newline right after <textarea> is not part of its value.
            self.fields.append((self.textarea["name"], text[1:] if text[:1] == "\n" else text))
            self.textarea = None

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.textarea["text"] += data
        elif self.option is not None:
            self.option["text"] += data


def read_form(page: str, form_id: str) -> _FormReader:
    reader = _FormReader(form_id)
    reader.feed(page)
    reader.close()
    return reader


def form_fields(page: str, form_id: str = "send-form") -> list[tuple[str, str]]:
    """The (name, value) pairs a browser would post for the form `form_id` of `page`."""
    return read_form(page, form_id).fields


def form_dict(page: str, form_id: str = "send-form") -> dict[str, str | list[str]]:
    """`form_fields` as a dict: one value per name, or a list for repeated names."""
    out: dict[str, str | list[str]] = {}
    for name, value in form_fields(page, form_id):
        if name in out:
            existing = out[name]
            out[name] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            out[name] = value
    return out


def form_action(page: str, form_id: str = "send-form") -> str:
    """The form's action attribute (unescaped)."""
    return html_lib.unescape(read_form(page, form_id).action)
