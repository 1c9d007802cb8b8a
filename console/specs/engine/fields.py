"""Form fields for an operation's parameters, and turning submitted strings into values."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from . import patterns
from .examples import example_for_schema
from .jsontext import invalid_json_predicate
from .markup import render_markdown
from .operation import Operation, Parameter
from .schemas import CUT_INSIDE_MARKERS, main_type, merge_all_of, schema_types
from .validation import dialect_for, validate_value

# OpenAPI: header parameters with these names "SHALL be ignored" (the console sets them).
IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})
UUID_PATTERN = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_WHOLE = re.compile(r"^[+-]?\d+$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_LOCAL_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})
_PLACEHOLDER_CHARS = 200
# An enum longer than this is typed in a text field, not picked from a select: a page
# of a million options weighs 40 MB. The value is still checked against the enum.
MAX_CHOICES = 500
# An object with more properties than this is not offered as a form (one field per
# property): it is edited as JSON. A form of 177,000 fields is a 61 MB page.
MAX_FORM_FIELDS = 200
_SCALARS = frozenset({"string", "integer", "number", "boolean"})


@dataclass
class FieldSpec:
    """How to render one parameter as a form field.

    `widget` is one of: ``text``, ``number``, ``integer``, ``checkbox``, ``boolean select``,
    ``select``, ``date``, ``datetime-local``, ``textarea`` (JSON), ``email``, ``uuid``, ``file``.
    `attrs` are ready-made HTML input attributes (``type``, ``required``, ``min``, ``max``,
    ``step``, ``minlength``, ``maxlength``, ``pattern``, ``placeholder``, ``multiple``).
    `initial` is the form string for the default (a list of strings for multi-selects).
    """

    name: str
    location: str
    label: str
    required: bool
    widget: str
    input_type: str = "text"
    choices: list[tuple[str, str]] = field(default_factory=list)
    multiple: bool = False
    default: Any = None
    initial: str | list[str] | None = None
    minimum: int | float | None = None
    maximum: int | float | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    description_html: str = ""
    example: Any = None
    placeholder: str = ""
    deprecated: bool = False
    schema: dict[str, Any] = field(default_factory=dict)
    item_type: str | None = None  # for multiple: the items' type
    attrs: dict[str, str | bool] = field(default_factory=dict)
    dialect: str = "3.1"  # the document's schema dialect, see validation.dialect_for

    @property
    def key(self) -> tuple[str, str]:
        """``(location, name)``, the key `request.build_request` expects."""
        return (self.location, self.name)

    @property
    def html_name(self) -> str:
        """A form field name unique within an operation: ``"query:limit"``."""
        return f"{self.location}:{self.name}"


def form_string(value: Any) -> str:
    """How a typed value is written in a form field (booleans as true/false, JSON for others)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return json.dumps(value)
    return json.dumps(value, indent=2, ensure_ascii=False)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _num(value: Any) -> int | float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return None


def _effective_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """``allOf`` folded; for ``oneOf``/``anyOf`` of one kind of scalar, that kind."""
    merged = merge_all_of(schema) if isinstance(schema, dict) else {}
    if main_type(merged) is None:
        for kind in ("oneOf", "anyOf"):
            choices = merged.get(kind)
            if isinstance(choices, list):
                for choice in choices:
                    if isinstance(choice, dict) and schema_types(choice) != ["null"]:
                        return {**{k: v for k, v in merged.items() if k != kind}, **choice}
    return merged


def _choices(enum: list[Any], required: bool) -> list[tuple[str, str]]:
    choices = [] if required else [("", "—")]
    for value in enum:
        text = form_string(value) if value is not None else "null"
        choices.append((text, text))
    return choices


def field_for_parameter(param: Parameter, dialect: str = "3.1") -> FieldSpec:
    """The `FieldSpec` for one resolved parameter of a document of `dialect`."""
    schema = _effective_schema(param.schema)
    kind = main_type(schema)
    fmt = schema.get("format") if isinstance(schema.get("format"), str) else None
    enum = schema.get("enum") if isinstance(schema.get("enum"), list) else None
    spec = FieldSpec(
        name=param.name,
        location=param.location,
        label=param.name,
        required=param.required,
        widget="text",
        schema=param.schema,
        dialect=dialect,
        deprecated=param.deprecated or schema.get("deprecated") is True,
        description_html=render_markdown(param.description or schema.get("description")),
        default=schema.get("default"),
    )
    json_content = bool(param.content_type) and "json" in (param.content_type or "")
    if json_content and kind not in _SCALARS:
        spec.widget = "textarea"
    elif enum and len(enum) <= MAX_CHOICES:
        spec.widget = "select"
        spec.choices = _choices(enum, param.required)
    elif kind == "boolean":
        spec.widget = "checkbox" if param.required else "boolean select"
        if spec.widget == "checkbox":
            spec.input_type = "checkbox"
        else:
            spec.choices = [("", "—"), ("true", "true"), ("false", "false")]
    elif kind == "integer":
        spec.widget, spec.input_type = "integer", "number"
    elif kind == "number":
        spec.widget, spec.input_type = "number", "number"
    elif kind == "array":
        items = (
            _effective_schema(schema.get("items")) if isinstance(schema.get("items"), dict) else {}
        )
        item_kind = main_type(items)
        item_enum = items.get("enum") if isinstance(items.get("enum"), list) else None
        if item_enum and len(item_enum) <= MAX_CHOICES:
            spec.widget, spec.multiple, spec.item_type = "select", True, item_kind
            spec.choices = _choices(item_enum, True)
        elif item_kind in _SCALARS or item_kind is None:
            spec.widget, spec.multiple, spec.item_type = "text", True, item_kind or "string"
        else:
            spec.widget = "textarea"
    elif kind == "object":
        spec.widget = "textarea"
    elif kind == "string" or kind is None:
        widget, input_type = {
            "date": ("date", "date"),
            "date-time": ("datetime-local", "datetime-local"),
            "email": ("email", "email"),
            "idn-email": ("email", "email"),
            "uuid": ("uuid", "text"),
            "binary": ("file", "file"),
            "uri": ("text", "url"),
            "url": ("text", "url"),
            "password": ("text", "password"),
        }.get(fmt or "", ("text", "text"))
        spec.widget, spec.input_type = widget, input_type
    if spec.widget in ("select", "boolean select", "textarea"):
        spec.input_type = "textarea" if spec.widget == "textarea" else "select"
    _limits(spec, schema)
    _example(spec, param, schema)
    _initial(spec)
    _wide_enum(spec, schema)
    spec.attrs = _attrs(spec)
    return spec


def _wide_enum(spec: FieldSpec, schema: dict[str, Any]) -> None:
    """A field whose enum is too long for a select says how many values it allows."""
    if spec.widget in ("select", "textarea"):
        return
    enum = schema.get("enum")
    if not isinstance(enum, list) or len(enum) <= MAX_CHOICES:
        items = schema.get("items") if spec.multiple else None
        items = _effective_schema(items) if isinstance(items, dict) else {}
        enum = items.get("enum")
        if not isinstance(enum, list) or len(enum) <= MAX_CHOICES:
            return
    note = f"one of {len(enum):,} values"
    if not spec.placeholder:
        spec.placeholder = note if not spec.multiple else f"each {note}, comma-separated"
    told = f"One of {len(enum):,} allowed values (too many to list); checked before Send."
    spec.description_html += f'<p class="field-meta">{told}</p>'


def _limits(spec: FieldSpec, schema: dict[str, Any]) -> None:
    if spec.widget in ("integer", "number"):
        spec.minimum = _num(schema.get("minimum"))
        spec.maximum = _num(schema.get("maximum"))
        ex_min, ex_max = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
        if _num(ex_min) is not None and spec.minimum is None:
            spec.minimum = ex_min + 1 if spec.widget == "integer" else None
        if _num(ex_max) is not None and spec.maximum is None:
            spec.maximum = ex_max - 1 if spec.widget == "integer" else None
        if ex_min is True and spec.minimum is not None and spec.widget == "integer":
            spec.minimum += 1
        if ex_max is True and spec.maximum is not None and spec.widget == "integer":
            spec.maximum -= 1
    if spec.widget in ("text", "email", "textarea") and not spec.multiple:
        spec.min_length = _int(schema.get("minLength"))
        spec.max_length = _int(schema.get("maxLength"))
    pattern = schema.get("pattern")
    if spec.widget == "uuid":
        spec.pattern = UUID_PATTERN
    elif isinstance(pattern, str) and not spec.multiple and spec.widget == "text":
        spec.pattern = pattern


def _example(spec: FieldSpec, param: Parameter, schema: dict[str, Any]) -> None:
    example = param.example
    generated = example is None
    if generated:
        example = example_for_schema(schema)
    spec.example = example
    if example is None or spec.widget in ("checkbox", "file", "select", "boolean select"):
        return
    if generated and not _telling(schema, spec):
        return  # "string" or 0 as a placeholder says nothing
    if spec.multiple and isinstance(example, list):
        text = ", ".join(form_string(item) for item in example)
    elif spec.widget == "textarea":
        text = json.dumps(example, ensure_ascii=False)
    elif spec.widget == "datetime-local":
        text = ""
    else:
        text = form_string(example)
    spec.placeholder = text if len(text) <= _PLACEHOLDER_CHARS else text[:_PLACEHOLDER_CHARS] + "…"


def _telling(schema: dict[str, Any], spec: FieldSpec) -> bool:
    """Whether a generated example says more than the type does."""
    if spec.widget == "textarea":
        return True
    keys = ("example", "examples", "default", "const", "format", "pattern", "minimum")
    if any(k in schema for k in keys):
        return True
    items = schema.get("items")
    return isinstance(items, dict) and any(k in items for k in (*keys, "enum"))


def _initial(spec: FieldSpec) -> None:
    default = spec.default
    if default is None:
        return
    if spec.multiple:
        items = default if isinstance(default, list) else [default]
        strings = [form_string(item) for item in items]
        spec.initial = strings if spec.widget == "select" else ", ".join(strings)
    elif spec.widget == "datetime-local" and isinstance(default, str):
        spec.initial = default[:19].rstrip("Z")
    else:
        spec.initial = form_string(default)


def _attrs(spec: FieldSpec) -> dict[str, str | bool]:
    attrs: dict[str, str | bool] = {}
    if spec.widget not in ("select", "boolean select", "textarea"):
        attrs["type"] = spec.input_type
    if spec.required and spec.widget != "checkbox":
        attrs["required"] = True
    if spec.widget == "integer":
        attrs["step"] = "1"
        attrs["inputmode"] = "numeric"
    elif spec.widget == "number":
        attrs["step"] = "any"
        attrs["inputmode"] = "decimal"
    if spec.minimum is not None:
        attrs["min"] = form_string(spec.minimum)
    if spec.maximum is not None:
        attrs["max"] = form_string(spec.maximum)
    if spec.min_length is not None:
        attrs["minlength"] = str(spec.min_length)
    if spec.max_length is not None:
        attrs["maxlength"] = str(spec.max_length)
    # The HTML pattern attribute must match the whole value, an OpenAPI pattern only a part
    # of it: only anchored ones mean the same in both. Browsers backtrack, so a pattern
    # shaped like a catastrophic one stays off the page (the server checks it on RE2).
    if spec.pattern and (
        spec.widget == "uuid"
        or (
            spec.pattern.startswith("^")
            and spec.pattern.endswith("$")
            and patterns.browser_safe(spec.pattern)
        )
    ):
        attrs["pattern"] = spec.pattern
    if spec.placeholder:
        attrs["placeholder"] = spec.placeholder
    if spec.multiple and spec.widget == "select":
        attrs["multiple"] = True
    if spec.multiple and spec.widget == "text":
        attrs["placeholder"] = spec.placeholder or "comma-separated values"
    return attrs


def fields_for_operation(op: Operation) -> list[FieldSpec]:
    """One `FieldSpec` per parameter (path first, then query, header, cookie).

    Header parameters named Accept, Content-Type or Authorization are left out, as
    OpenAPI requires (the console sets those itself).
    """
    order = {"path": 0, "query": 1, "header": 2, "cookie": 3}
    params = [
        p
        for p in op.parameters
        if not (p.location == "header" and p.name.lower() in IGNORED_HEADERS)
    ]
    params.sort(key=lambda p: order.get(p.location, 9))
    dialect = dialect_for(op.openapi_version)
    return [field_for_parameter(p, dialect) for p in params]


def _is_file_schema(schema: Any) -> bool:
    """A string of bytes: ``format: binary`` (3.0) or ``contentMediaType`` (3.1)."""
    if not isinstance(schema, dict) or main_type(schema) not in ("string", None):
        return False
    return schema.get("format") == "binary" or isinstance(schema.get("contentMediaType"), str)


def object_properties(schema: Any) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """An object schema's properties (``allOf`` merged) and its required names."""
    merged = merge_all_of(schema) if isinstance(schema, dict) else {}
    props = merged.get("properties")
    props = (
        {str(k): v if isinstance(v, dict) else {} for k, v in props.items()}
        if isinstance(props, dict)
        else {}
    )
    required = merged.get("required")
    required = [r for r in required if isinstance(r, str)] if isinstance(required, list) else []
    return props, required


def _flat_property(schema: dict[str, Any]) -> bool:
    if any(k in schema for k in CUT_INSIDE_MARKERS):
        return False
    effective = _effective_schema(schema)
    if isinstance(effective.get("enum"), list) and effective["enum"]:
        return True
    kind = main_type(effective)
    if kind in _SCALARS:
        return not _is_file_schema(effective)
    if kind == "array":
        items = effective.get("items")
        if not isinstance(items, dict):
            return False
        items = _effective_schema(items)
        item_kind = main_type(items)
        return (isinstance(items.get("enum"), list) or item_kind in _SCALARS) and not (
            _is_file_schema(items)
        )
    return False


def is_flat_object(schema: Any) -> bool:
    """Whether a (request) schema is an object whose properties are all scalars, enums, or
    lists of those, so a form with one field per property can stand for it."""
    if not isinstance(schema, dict):
        return False
    merged = merge_all_of(schema)
    if main_type(merged) != "object" or "oneOf" in merged or "anyOf" in merged:
        return False
    if "x-truncated" in merged:  # cut by a resolve limit: a form would miss properties
        return False
    props, _ = object_properties(merged)
    if len(props) > MAX_FORM_FIELDS:
        return False
    writable = [p for p in props.values() if p.get("readOnly") is not True]
    return bool(writable) and all(_flat_property(p) for p in writable)


def too_many_fields(schema: Any) -> int:
    """How many properties an object schema has when that is more than a form shows
    (`MAX_FORM_FIELDS`), else 0."""
    props, _ = object_properties(schema)
    return len(props) if len(props) > MAX_FORM_FIELDS else 0


def _initial_text(spec: FieldSpec, value: Any) -> str | list[str] | None:
    """How a value is written in `spec`'s control (the form string, lists as the control wants)."""
    if value is None:
        return None
    if spec.multiple:
        items = value if isinstance(value, list) else [value]
        strings = [form_string(item) for item in items]
        return strings if spec.widget == "select" else ", ".join(strings)
    if spec.widget == "datetime-local" and isinstance(value, str):
        return value[:19].rstrip("Z")
    if spec.widget == "textarea":
        return json.dumps(value, ensure_ascii=False)
    return form_string(value)


def fields_for_object_schema(
    schema: Any,
    *,
    location: str = "body",
    example: Any = None,
    files: bool = False,
    dialect: str = "3.1",
) -> list[FieldSpec]:
    """One `FieldSpec` per property of an object schema, in the schema's order.

    For bodies edited as forms (flat JSON objects, ``application/x-www-form-urlencoded``,
    ``multipart/form-data``): each property becomes a field named ``"body:<name>"``;
    ``readOnly`` properties are left out. With `files`, binary properties (``format:
    binary`` or ``contentMediaType``, or lists of them) are file inputs; without, text.
    Values of `example` (an object), else each property's default, fill the fields.
    """
    props, required = object_properties(schema)
    example = example if isinstance(example, dict) else {}
    out: list[FieldSpec] = []
    for name, sub in props.items():
        if len(out) >= MAX_FORM_FIELDS:  # callers check `too_many_fields` first; a backstop
            break
        if sub.get("readOnly") is True:
            continue
        effective = _effective_schema(sub)
        items = effective.get("items") if isinstance(effective.get("items"), dict) else None
        many_files = main_type(effective) == "array" and _is_file_schema(items)
        param = Parameter(
            name=name,
            location=location,
            required=name in required,
            description=sub.get("description") if isinstance(sub.get("description"), str) else "",
            schema=sub,
            example=sub.get("example"),
        )
        spec = field_for_parameter(param, dialect)
        if files and (many_files or _is_file_schema(effective)):
            spec.widget, spec.input_type, spec.multiple = "file", "file", many_files
            spec.placeholder, spec.initial = "", None
            spec.min_length = spec.max_length = spec.pattern = None
            spec.item_type = None
        elif spec.widget == "file":
            spec.widget, spec.input_type = "text", "text"
        if name in example and spec.widget != "file":
            spec.initial = _initial_text(spec, example[name])
        spec.attrs = _attrs(spec)
        if spec.widget == "file" and spec.multiple:
            spec.attrs["multiple"] = True
        out.append(spec)
    return out


def _scalar(kind: str | None, text: str, schema: dict[str, Any]) -> tuple[Any, str | None]:
    """A form string → a value of a scalar type (no constraint checks)."""
    if kind == "integer":
        stripped = text.strip()
        if not _WHOLE.match(stripped):
            return None, "must be a whole number"
        return int(stripped), None
    if kind == "number":
        stripped = text.strip()
        if not _NUMBER.match(stripped):
            return None, "must be a number"
        return (int(stripped) if _WHOLE.match(stripped) else float(stripped)), None
    if kind == "boolean":
        lowered = text.strip().lower()
        if lowered in _TRUE:
            return True, None
        if lowered in _FALSE:
            return False, None
        return None, "must be true or false"
    if kind == "null":
        return (None, None) if text.strip() in ("", "null") else (None, "must be empty")
    return text, None


def _from_choices(enum: list[Any], text: str) -> tuple[Any, str | None]:
    for value in enum:
        if (form_string(value) if value is not None else "null") == text:
            return value, None
    shown = ", ".join(form_string(v) if v is not None else "null" for v in enum[:20])
    if len(enum) > 20:
        return None, f"must be one of the {len(enum):,} allowed values ({shown}, …)"
    return None, f"must be one of: {shown}"


def _datetime(text: str) -> str:
    stripped = text.strip()
    if _LOCAL_DATETIME.match(stripped):
        if len(stripped) == 16:
            stripped += ":00"
        return stripped + "Z"
    return stripped


def _as_list(raw: str | list[str]) -> list[str]:
    if isinstance(raw, list):
        if len(raw) == 1:
            return _split(raw[0])
        return [r for r in raw if r.strip() != ""]
    return _split(raw)


def _split(text: str) -> list[str]:
    stripped = text.strip()
    if not stripped:
        return []
    if stripped.startswith("["):
        try:
            items = json.loads(stripped)
        except (json.JSONDecodeError, RecursionError):
            items = None
        if isinstance(items, list):
            return [form_string(item) for item in items]
    return [part.strip() for part in stripped.split(",") if part.strip() != ""]


def parse_field_value(
    field: FieldSpec, raw: str | list[str] | None, *, check: bool = True
) -> tuple[Any, str | None]:
    """Turn what a form sent for `field` into a typed value: ``(value, None)`` or ``(None, error)``.

    An empty optional field gives ``(None, None)``: leave the parameter out. An unchecked
    checkbox gives ``(False, None)``. Errors read as the end of a sentence that starts with
    the field's label: ``"must be a whole number"``, ``"must be one of: a, b"``,
    ``"is required"``. After conversion the value is checked against the schema.

    With ``check=False`` ("send anyway") nothing is checked against the schema: a value
    that does not convert to its type is kept as the text typed, and only an empty path
    parameter (no request can be built without it) and JSON that does not parse are errors.
    """
    schema = _effective_schema(field.schema)
    if raw is None:
        raw = ""
    needed = field.required and (check or field.location == "path")
    if field.widget == "checkbox":
        text = raw[-1] if isinstance(raw, list) and raw else raw
        value, error = _scalar("boolean", str(text or "false"), schema)
        if error and not check:
            return str(text), None
        return (None, error) if error else (value, None)
    if field.widget == "file":
        empty = raw in ("", None, []) or raw == b""
        if empty:
            return (None, "is required") if needed else (None, None)
        return raw, None
    if field.multiple:
        items = _as_list(raw)
        if not items:
            return (None, "is required") if needed else (None, None)
        items_schema = schema.get("items") if isinstance(schema.get("items"), dict) else {}
        items_schema = _effective_schema(items_schema)
        enum = items_schema.get("enum") if isinstance(items_schema.get("enum"), list) else None
        values = []
        for index, item in enumerate(items):
            if enum:
                value, error = _from_choices(enum, item)
            else:
                value, error = _scalar(field.item_type, item, items_schema)
            if error and not check:
                value, error = item, None
            if error:
                return None, f"item {index + 1} {error}"
            values.append(value)
        return _checked(field, schema, values, check)
    text = raw[-1] if isinstance(raw, list) and raw else raw
    text = text if isinstance(text, str) else ""
    if text.strip() == "":
        if needed:
            return None, "is required"
        return None, None
    enum = schema.get("enum") if isinstance(schema.get("enum"), list) else None
    picked = field.widget in ("select", "boolean select")
    # An enum too long for a select is typed, and read back as one of its values too.
    if picked or (enum and field.widget not in ("textarea", "datetime-local")):
        if enum:
            value, error = _from_choices(enum, text)
        else:
            value, error = _scalar("boolean", text, schema)
        if error and not check:
            return text, None
        return (None, error) if error else _checked(field, schema, value, check)
    if field.widget == "textarea":
        try:
            value = json.loads(text)
        except (ValueError, RecursionError) as exc:
            return None, invalid_json_predicate(exc)
        return _checked(field, schema, value, check)
    if field.widget == "datetime-local":
        return _checked(field, schema, _datetime(text), check)
    kind = main_type(schema)
    if field.widget in ("integer", "number"):
        value, error = _scalar(field.widget, text, schema)
    elif kind in ("boolean", "null"):
        value, error = _scalar(kind, text, schema)
    else:
        value, error = text, None
    if error and not check:
        return text, None
    return (None, error) if error else _checked(field, schema, value, check)


def _checked(
    field: FieldSpec, schema: dict[str, Any], value: Any, check: bool = True
) -> tuple[Any, str | None]:
    if not check:
        return value, None
    messages = validate_value(field.schema, value, dialect=field.dialect)
    if messages:
        return None, "; ".join(messages[:3])
    return value, None
