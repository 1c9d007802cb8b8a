"""What the body editor needs to complete a JSON request body: a small, resolved schema.

The operation page renders it with `json_script` next to the body textarea; the editor
(static/vendor/codemirror/editor.js, built from frontend/src/) offers property names and
enum values from it at the cursor's JSON path. Only what completion uses is kept, and
the tree is cut at a depth and a size, so a large spec does not bloat the page.
"""

from __future__ import annotations

from typing import Any

from console.specs.engine.schemas import (
    main_type,
    merge_all_of,
    merge_schemas,
    not_in_direction,
    schema_types,
)

MAX_DEPTH = 6
MAX_NODES = 1500
MAX_ENUM = 50
MAX_DESCRIPTION = 160


def _flatten(schema: dict[str, Any]) -> dict[str, Any]:
    """One schema for completion: ``allOf`` folded, ``oneOf``/``anyOf`` members united
    (the editor offers every property any variant allows)."""
    schema = merge_all_of(schema)
    for key in ("oneOf", "anyOf"):
        members = schema.get(key)
        if not isinstance(members, list):
            continue
        merged = {k: v for k, v in schema.items() if k not in ("oneOf", "anyOf")}
        for member in members[:MAX_ENUM]:
            if isinstance(member, dict):
                flat = _flatten(member)
                # A union's members do not make each other's properties required.
                merged = merge_schemas(merged, {k: v for k, v in flat.items() if k != "required"})
        schema = merged
    return schema


def _description(schema: dict[str, Any]) -> str:
    text = schema.get("description") or schema.get("title") or ""
    if not isinstance(text, str):
        return ""
    text = " ".join(text.split())
    if len(text) > MAX_DESCRIPTION:
        text = text[: MAX_DESCRIPTION - 1].rstrip() + "…"
    return text


class _Builder:
    def __init__(self, max_depth: int, max_nodes: int) -> None:
        self.max_depth = max_depth
        self.budget = max_nodes

    def node(self, schema: Any, depth: int) -> dict[str, Any]:
        self.budget -= 1
        if not isinstance(schema, dict):
            return {}
        schema = _flatten(schema)
        out: dict[str, Any] = {}
        kind = main_type(schema)
        if kind:
            out["type"] = kind
        if "null" in schema_types(schema) and kind != "null":
            out["nullable"] = True
        enum = schema.get("enum")
        if isinstance(enum, list):
            # Scalars only: an object in an enum is nothing to complete.
            out["enum"] = [v for v in enum if v is None or isinstance(v, (str, int, float, bool))][
                :MAX_ENUM
            ]
        elif "const" in schema and isinstance(schema["const"], (str, int, float, bool)):
            out["enum"] = [schema["const"]]
        description = _description(schema)
        if description:
            out["description"] = description
        if depth >= self.max_depth or self.budget <= 0:
            return out
        props = schema.get("properties")
        if isinstance(props, dict):
            children: dict[str, Any] = {}
            for name, sub in props.items():
                if self.budget <= 0:
                    break
                if not isinstance(name, str) or not_in_direction(sub, "request"):
                    continue  # readOnly properties are not sent
                children[name] = self.node(sub, depth + 1)
            out["properties"] = children
            required = schema.get("required")
            if isinstance(required, list):
                out["required"] = [r for r in required if isinstance(r, str) and r in children]
        items = schema.get("items")
        if isinstance(items, dict):
            out["items"] = self.node(items, depth + 1)
        return out


def completion_schema(
    schema: Any, *, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES
) -> dict[str, Any]:
    """The request body's resolved schema cut to what completion uses: per node ``type``,
    ``nullable``, ``enum``, ``description``, ``properties`` (readOnly ones left out),
    ``required`` and ``items``; at most `max_depth` levels and about `max_nodes` nodes."""
    return _Builder(max_depth, max_nodes).node(schema, 0)
