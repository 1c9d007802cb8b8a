"""Opening an operation's form again with earlier values: saved requests and history replay.

A form's *state* is what the operation page posts: parameter and body-field values by
their html names (``query:limit``, ``body:name``), the body text, and the body options
(content type, JSON or form view, oneOf/anyOf variant). `capture` reads it from a posted
form; `FormState.as_data` turns it back into the mapping the operation page reads its
values from (`explorer.views._operation_context(prefill=…)`).

Operations are found again in a newer version of their spec by method and path, else by
operationId (`find_in_version`), so a saved request or a replayed call opens the
operation as the spec describes it now.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

from django.http import QueryDict

from console.specs.models import Operation, SpecVersion

if TYPE_CHECKING:  # services imports this module
    from console.explorer.services import BodyChoice, OperationForm

REDACTED = "[redacted]"
Value = str | list[str]


@dataclass(frozen=True)
class FormState:
    """What an operation form holds, as the page posts it.

    `body` is the body editor's text (JSON or raw text); None means "the page's example".
    Bodies edited as a form (urlencoded, multipart, a flat JSON object in form view) keep
    their values in `values` under ``body:<property>``. `access` preselects an Application
    Access (history replay); saved requests leave it empty.
    """

    values: dict[str, Value] = field(default_factory=dict)
    body: str | None = None
    body_type: str = ""
    body_view: str = "json"
    variant: int | None = None
    access: str = ""

    @property
    def choice(self) -> BodyChoice:
        """The body options as the page and `operation_open` take them."""
        from console.explorer.services import BodyChoice

        return BodyChoice(self.body_type, self.body_view, self.variant)

    def as_data(self) -> QueryDict:
        """The state as posted form data (what `_operation_context(prefill=…)` reads)."""
        data = QueryDict(mutable=True)
        for name, value in self.values.items():
            data.setlist(name, [str(v) for v in value] if isinstance(value, list) else [value])
        if self.body is not None:
            data["body"] = self.body
        if self.body_type:
            data["body_type"] = self.body_type
        data["body_view"] = self.body_view
        if self.variant is not None:
            data["variant"] = str(self.variant)
        if self.access:
            data["access"] = self.access
        return data

    def redacted_fields(self) -> list[str]:
        """Html names (and "body") whose value still holds a redacted secret."""
        found = [
            name
            for name, value in self.values.items()
            if any(REDACTED in str(v) for v in (value if isinstance(value, list) else [value]))
        ]
        if self.body and REDACTED in self.body:
            found.append("body")
        return found

    def options(self) -> dict[str, Any]:
        """The body options and values as stored (JSON), without the body text."""
        return {
            "values": self.values,
            "body_type": self.body_type,
            "body_view": self.body_view,
            "variant": self.variant,
        }

    @classmethod
    def from_options(cls, stored: Any, body: str | None = None, access: str = "") -> FormState:
        """A state from `options()` as stored (malformed parts are dropped)."""
        stored = stored if isinstance(stored, dict) else {}
        values = stored.get("values")
        variant = stored.get("variant")
        return cls(
            values=clean_values(values),
            body=body,
            body_type=str(stored.get("body_type") or "")[:200],
            body_view="form" if stored.get("body_view") == "form" else "json",
            variant=variant if isinstance(variant, int) and 0 <= variant < 1000 else None,
            access=access,
        )


def clean_values(values: Any) -> dict[str, Value]:
    """Only ``location:name`` keys with a string or a list of strings."""
    out: dict[str, Value] = {}
    if not isinstance(values, dict):
        return out
    for name, value in values.items():
        if not isinstance(name, str) or ":" not in name:
            continue
        if isinstance(value, str):
            out[name] = value
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            out[name] = list(value)
    return out


def _read(data: Any, name: str, multiple: bool) -> Value | None:
    if hasattr(data, "getlist"):
        if name not in data:
            return None
        return [str(v) for v in data.getlist(name)] if multiple else str(data.get(name))
    if name not in data:
        return None
    value = data[name]
    if isinstance(value, list | tuple):
        items = [str(v) for v in value]
        return items if multiple else (items[-1] if items else "")
    return [str(value)] if multiple else str(value)


def capture(form: OperationForm, data: Any) -> FormState:
    """The state of `form` as `data` (a posted form, or a dict) fills it.

    Only the form's own fields are kept; files are never kept (only their names
    would be, and a form cannot be prefilled with a file).
    """
    values: dict[str, Value] = {}
    for spec in [*form.fields, *form.body_fields]:
        if spec.widget == "file":
            continue
        value = _read(data, spec.html_name, spec.multiple)
        if value is not None:
            values[spec.html_name] = value
    body = None
    if form.body_kind and not form.body_is_form:
        raw = data.get("body") if hasattr(data, "get") else None
        body = "" if raw is None else str(raw)
    return FormState(
        values=values,
        body=body,
        body_type=form.body_content_type or "",
        body_view=form.body_view,
        variant=form.variant,
    )


# ---------------------------------------------------------------- finding operations again


def find_in_version(
    version_id: int, method: str, path: str, operation_id: str = ""
) -> Operation | None:
    """The operation of a version with this method and path, else with this operationId."""
    found = Operation.objects.filter(version_id=version_id, method=method, path=path).first()
    if found is None and operation_id:
        found = Operation.objects.filter(version_id=version_id, operation_id=operation_id).first()
    return found


def latest_version_id(operation: Operation) -> int | None:
    """The id of the newest version of the spec `operation` belongs to."""
    spec_id = (
        SpecVersion.objects.filter(pk=operation.version_id)
        .values_list("spec_id", flat=True)
        .first()
    )
    if spec_id is None:
        return None
    return (
        SpecVersion.objects.filter(spec_id=spec_id)
        .order_by("-number")
        .values_list("pk", flat=True)
        .first()
    )


def current_operation(operation: Operation) -> Operation | None:
    """`operation` as the newest version of its spec has it (itself when it is the newest);
    None when the newest version no longer has it."""
    latest = latest_version_id(operation)
    if latest is None or latest == operation.version_id:
        return operation
    return find_in_version(latest, operation.method, operation.path, operation.operation_id)


# ---------------------------------------------------------------- records without stored values


def _path_values(template: str, path: str) -> dict[str, str]:
    """Path parameter values found by matching `path`'s end against the template."""
    parts = re.split(r"(\{[^{}]+\})", template)
    names: list[str] = []
    regex = ""
    for part in parts:
        if part.startswith("{") and part.endswith("}"):
            regex += f"(?P<p{len(names)}>[^/]*)"
            names.append(part[1:-1])
        else:
            regex += re.escape(part)
    match = re.search(regex + "$", path)
    if match is None:
        return {}
    return {name: unquote(match.group(f"p{i}")) for i, name in enumerate(names)}


def recover_values(
    form: OperationForm, url: str, headers: list[list[str]] | list[tuple[str, str]]
) -> dict[str, Value]:
    """Parameter values read back from a recorded URL and request headers.

    For records written before the console kept the form's values: path parameters are
    matched against the path template, query parameters read from the query string
    (arrays as sent, one value per repeat), headers by name. Cookies were redacted with
    the Cookie header and are not recovered.
    """
    parts = urlsplit(url)
    path_values = _path_values(form.resolved.path, parts.path)
    query = parse_qsl(parts.query, keep_blank_values=True)
    header_map: dict[str, str] = {}
    for pair in headers:
        if len(pair) == 2:
            header_map.setdefault(str(pair[0]).lower(), str(pair[1]))
    values: dict[str, Value] = {}
    for spec in form.fields:
        if spec.location == "path" and spec.name in path_values:
            values[spec.html_name] = path_values[spec.name]
        elif spec.location == "query":
            found = [v for k, v in query if k == spec.name]
            if found:
                values[spec.html_name] = found if spec.multiple else found[-1]
        elif spec.location == "header" and spec.name.lower() in header_map:
            text = header_map[spec.name.lower()]
            values[spec.html_name] = text.split(",") if spec.multiple else text
    return values


# ---------------------------------------------------------------- replaying a recorded call


def _media_type(headers: Any) -> str:
    for pair in headers or []:
        if len(pair) == 2 and str(pair[0]).lower() == "content-type":
            return str(pair[1]).split(";", 1)[0].strip().lower()
    return ""


def replay_state(scope: Any, record: Any, operation: Operation) -> FormState:
    """The form state of a recorded call, for `operation`'s form (the recorded operation,
    or its namesake in a newer version).

    Records keep the form's values (`CallRecord.form_values`); for older records the
    parameters are read back from the URL and headers (`recover_values`). The body is the
    recorded request body. Both were redacted before storage: secrets stay "[redacted]".
    """
    from console.explorer.services import BodyChoice, operation_open

    stored = None
    if record.form_values is not None:
        stored = FormState.from_options(record.form_values)
        choice = stored.choice
    else:
        choice = BodyChoice(_media_type(record.request_headers), "json", None)
    form = operation_open(scope=scope, operation=operation, choice=choice)
    if stored is not None:
        values = stored.values
    else:
        values = recover_values(form, record.url, record.request_headers)
        if form.body_kind == "urlencoded" and form.body_is_form:
            pairs = parse_qsl(record.request_body, keep_blank_values=True)
            for spec in form.body_fields:
                found = [v for k, v in pairs if k == spec.name]
                if found:
                    values[spec.html_name] = found if spec.multiple else found[-1]
    body = record.request_body if form.body_kind and not form.body_is_form else None
    return FormState(
        values=values,
        body=body,
        body_type=form.body_content_type or "",
        body_view=form.body_view,
        variant=form.variant,
        access=str(record.access_id or ""),
    )
