"""General helpers over resolved schemas: their types, ``allOf`` merged, read/write direction.

Examples, form fields, validation, responses and bulk plans all ask a schema the same
questions ("which type?", "is this property sent in a request?"); the answers live here so
each of those modules holds only its own concern.
"""

from __future__ import annotations

import math
from typing import Any

_NUMERIC_FORMATS = {"int32": "integer", "int64": "integer", "float": "number", "double": "number"}
COMBINATION_LIMIT = 50  # branches of allOf/oneOf/anyOf a form or example looks at

# Where JSON Schema keeps subschemas: maps of name -> schema, lists of schemas, and
# keywords whose value is one schema (``items`` in Draft 2020-12 and OpenAPI 3.0).
SCHEMA_MAP_KEYWORDS = frozenset({"properties", "patternProperties", "dependentSchemas"})
SCHEMA_LIST_KEYWORDS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
SCHEMA_VALUE_KEYWORDS = frozenset(
    {
        "not",
        "items",
        "additionalProperties",
        "additionalItems",
        "contains",
        "if",
        "then",
        "else",
        "propertyNames",
        "unevaluatedProperties",
        "unevaluatedItems",
    }
)


# What the resolver leaves where it could not give a schema whole (refs.py).
CUT_MARKERS = (
    "x-circular-ref",
    "x-truncated-ref",
    "x-external-ref",
    "x-unresolved-ref",
    "x-truncated",
)


# Of those, the cuts made inside the document (a cycle, a size limit): the target was there,
# only not copied whole.
CUT_INSIDE_MARKERS = ("x-circular-ref", "x-truncated-ref", "x-truncated")


def is_cut(schema: Any) -> bool:
    """A schema the resolver could not give whole (a cycle, a limit, a reference outside
    the document): it stands for a shape that is not known here."""
    return isinstance(schema, dict) and any(k in schema for k in CUT_MARKERS)


def not_in_direction(schema: Any, direction: str | None) -> bool:
    """Whether a property's schema keeps it out of a request (readOnly) or a response
    (writeOnly); never for `direction` None."""
    if not isinstance(schema, dict):
        return False
    if direction == "request":
        return schema.get("readOnly") is True
    if direction == "response":
        return schema.get("writeOnly") is True
    return False


def is_finite_number(value: Any) -> bool:
    """A JSON number (not a bool), finite."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def schema_types(schema: dict[str, Any]) -> list[str]:
    """The declared types of a schema as a list (3.0 ``nullable`` adds ``"null"``)."""
    raw = schema.get("type")
    types: list[str] = []
    if isinstance(raw, str):
        types = [raw]
    elif isinstance(raw, list):
        types = [t for t in raw if isinstance(t, str)]
    if schema.get("nullable") is True and types and "null" not in types:
        types.append("null")
    return types


def main_type(schema: dict[str, Any]) -> str | None:
    """The one type a form or example should use: declared (first non-null) or inferred."""
    types = schema_types(schema)
    for t in types:
        if t != "null":
            return t
    if types:
        return "null"
    fmt = schema.get("format")
    if isinstance(fmt, str) and fmt in _NUMERIC_FORMATS:
        return _NUMERIC_FORMATS[fmt]
    if any(k in schema for k in ("properties", "additionalProperties", "required")):
        return "object"
    if any(k in schema for k in ("items", "prefixItems", "minItems", "maxItems")):
        return "array"
    if any(k in schema for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")):
        return "number"
    if any(k in schema for k in ("pattern", "minLength", "maxLength", "format")):
        return "string"
    return None


def merge_all_of(schema: dict[str, Any], *, _depth: int = 0) -> dict[str, Any]:
    """Fold ``allOf`` into one schema: properties and required lists united, first type wins."""
    parts = schema.get("allOf")
    if not isinstance(parts, list) or _depth > 8:
        return schema
    merged = {k: v for k, v in schema.items() if k != "allOf"}
    for part in parts[:COMBINATION_LIMIT]:
        if not isinstance(part, dict):
            continue
        merged = merge_schemas(merged, merge_all_of(part, _depth=_depth + 1))
    return merged


def merge_schemas(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Combine two schemas as ``allOf`` would, well enough for examples and forms."""
    out = dict(base)
    for key, value in extra.items():
        if key == "properties" and isinstance(value, dict):
            props = dict(out["properties"]) if isinstance(out.get("properties"), dict) else {}
            for name, sub in value.items():
                if isinstance(props.get(name), dict) and isinstance(sub, dict):
                    props[name] = merge_schemas(props[name], sub)
                else:
                    props[name] = sub
            out["properties"] = props
        elif key == "required" and isinstance(value, list):
            required = list(out["required"]) if isinstance(out.get("required"), list) else []
            required += [r for r in value if r not in required]
            out["required"] = required
        elif key in ("allOf", "oneOf", "anyOf") and isinstance(value, list):
            existing = out.get(key)
            if key == "allOf":
                out = merge_schemas(out, merge_all_of({"allOf": value}))
            elif not isinstance(existing, list):
                out[key] = value
        elif key not in out:
            out[key] = value
    if "x-circular-ref" in out and len(out) > 2 and "properties" in out:
        out.pop("x-circular-ref")
    return out
