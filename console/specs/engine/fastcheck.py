"""A fast "yes, valid" from jsonschema-rs; every "no" goes to jsonschema for its messages.

The console's validator (`validation.py`) is the `jsonschema` library, whose messages it
translates. That library builds a validator object for every subschema it enters, which
makes a Send's body check about twice as slow as the hand-written validator it replaced.
`jsonschema-rs` checks the same body 100 to 1000 times faster but reports differently, so
it is used only to *confirm* a value is valid; when it says anything else (invalid, or an
error of its own) the caller runs `jsonschema` as before. It therefore never decides what
a person reads, and a disagreement can only cost time, never accept a bad value, as long
as it does not accept what `jsonschema` rejects. `tests/specs/engine/test_fastcheck.py`
checks exactly that, on generated schemas and values and on the JSON Schema Test Suite.

What makes the two agree: the schema is translated for the value's dialect and direction
into Draft 2020-12 (OpenAPI 3.0's ``nullable`` and boolean exclusive bounds become their
2020-12 forms, keywords 3.0 lacks are dropped, ``required`` loses the properties the
direction does not send), and the keywords the console adapts run the console's own code
from Rust: ``pattern`` on RE2, ``format`` through the console's format checker, a float
``multipleOf`` in decimal. A schema the translation is unsure of (references,
``patternProperties``, ``$schema``, nonsense values) is not compiled at all.

A compiled validator is cached under a key the caller gives (e.g. spec version, operation,
content type): resolved schemas are rebuilt on every Send, so only the caller knows two of
them are the same. Subschemas the resolver shares are kept shared (as ``$defs``), so
compiling costs the schema's distinct size, not its expanded one.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

import jsonschema_rs
from openapi_schema_validator import OAS30Validator

from . import patterns
from .schemas import (
    SCHEMA_LIST_KEYWORDS,
    SCHEMA_MAP_KEYWORDS,
    SCHEMA_VALUE_KEYWORDS,
    not_in_direction,
)

CACHE_SIZE = 128  # compiled validators per process (one per operation body / answer)
MAX_DISTINCT_NODES = 50_000  # beyond, the schema is checked by jsonschema alone

# OpenAPI 3.0's keywords are those openapi-schema-validator checks (others it ignores, so
# they are dropped here), plus the two it reads beside minimum/maximum.
_OAS30_KEYWORDS = frozenset(OAS30Validator.VALIDATORS) | {
    "nullable",
    "exclusiveMinimum",
    "exclusiveMaximum",
}
# Keywords whose presence makes the translation unsure: not compiled, jsonschema decides.
_UNSURE = frozenset(
    {
        "$ref",
        "$dynamicRef",
        "$recursiveRef",
        "$id",
        "$anchor",
        "$dynamicAnchor",
        "$schema",
        "$vocabulary",
        "patternProperties",
        "x-console-pattern",
        "x-console-format",
        "x-console-multiple-of",
    }
)
_SCHEMA_MAPS = SCHEMA_MAP_KEYWORDS  # patternProperties never gets this far (_UNSURE)
_SCHEMA_LISTS = SCHEMA_LIST_KEYWORDS
_SCHEMA_ONES = SCHEMA_VALUE_KEYWORDS
# Never validate by themselves: definitions (references are resolved already) and
# annotations, which in a real spec are most of its text (Graph's descriptions: 9 MB of
# one body's 20,000 values), all of which Rust would otherwise parse and keep.
_DROPPED = frozenset(
    {
        "$defs",
        "definitions",
        "$comment",
        "description",
        "title",
        "summary",
        "example",
        "examples",
        "default",
        "deprecated",
        "readOnly",
        "writeOnly",
        "externalDocs",
        "xml",
        "discriminator",
        "contentMediaType",
        "contentEncoding",
        "contentSchema",
    }
)


class _Unsure(Exception):
    """The translation cannot promise jsonschema-rs agrees with jsonschema."""


_cache: OrderedDict[Hashable, Any] = OrderedDict()
_lock = threading.Lock()
_INELIGIBLE = object()


def is_valid(
    key: Hashable,
    schema: Any,
    value: Any,
    *,
    dialect: str,
    direction: str | None,
    format_ok: Callable[[Any, str], bool],
    multiple_ok: Callable[[Any, float], bool],
) -> bool:
    """True only when jsonschema-rs finds `value` valid under `schema` as translated for
    `dialect` and `direction`; False for invalid, unsure or failed (then ask jsonschema).

    `key` names the schema for the cache: the same key must always mean the same schema.
    `format_ok` and `multiple_ok` are the console's checks for ``format`` and float
    ``multipleOf``, so both validators use the same ones.
    """
    validator = _compiled(
        (key, dialect, direction), schema, dialect, direction, format_ok, multiple_ok
    )
    if validator is _INELIGIBLE:
        return False
    try:
        return bool(validator.is_valid(value))
    except Exception:
        return False


def _compiled(
    key: Hashable,
    schema: Any,
    dialect: str,
    direction: str | None,
    format_ok: Callable[[Any, str], bool],
    multiple_ok: Callable[[Any, float], bool],
) -> Any:
    with _lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    try:
        translated = _Translation(dialect, direction).document(schema)
        validator = jsonschema_rs.Draft202012Validator(
            translated,
            validate_formats=False,  # formats are the console's: see x-console-format
            keywords=_keywords(dialect, format_ok, multiple_ok),
        )
    except Exception:
        validator = _INELIGIBLE
    with _lock:
        _cache[key] = validator
        _cache.move_to_end(key)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return validator


def cache_clear() -> None:
    """Forget every compiled validator (tests)."""
    with _lock:
        _cache.clear()


class _Translation:
    """One schema made Draft 2020-12 for jsonschema-rs; shared subschemas become $defs."""

    def __init__(self, dialect: str, direction: str | None) -> None:
        self.dialect = dialect
        self.direction = direction
        self.uses: dict[int, int] = {}
        self.done: dict[int, Any] = {}
        self.defs: dict[str, Any] = {}
        self.names: dict[int, str] = {}

    def document(self, schema: Any) -> Any:
        self._count(schema)
        if len(self.uses) > MAX_DISTINCT_NODES:
            raise _Unsure("too big to compile")
        root = self._schema(schema, root=True)
        if self.defs:
            if not isinstance(root, dict):
                root = {"allOf": [root]}
            root = {**root, "$defs": self.defs}
        return root

    def _count(self, schema: Any) -> None:
        """How often each subschema object is reached (the resolver shares subtrees)."""
        stack = [schema]
        while stack:
            node = stack.pop()
            if not isinstance(node, dict):
                continue
            seen = self.uses.get(id(node), 0)
            self.uses[id(node)] = seen + 1
            if seen:
                continue
            if len(self.uses) > MAX_DISTINCT_NODES:
                return
            stack.extend(_subschemas(node))

    def _schema(self, node: Any, *, root: bool = False) -> Any:
        if isinstance(node, bool):
            return node
        if not isinstance(node, dict):
            raise _Unsure("a subschema that is not an object")
        if not root and self.uses.get(id(node), 0) > 1:
            name = self.names.get(id(node))
            if name is None:
                name = self.names[id(node)] = f"s{len(self.names)}"
                self.defs[name] = self._translated(node)
            return {"$ref": f"#/$defs/{name}"}
        return self._translated(node)

    def _translated(self, node: dict[str, Any]) -> dict[str, Any]:
        if not _UNSURE.isdisjoint(node):
            raise _Unsure("a keyword the translation does not handle")
        out: dict[str, Any] = {}
        oas30 = self.dialect == "3.0"
        for keyword, value in node.items():
            if (
                keyword in _DROPPED
                or keyword.startswith("x-")  # extensions and the resolver's markers
                or (oas30 and keyword not in _OAS30_KEYWORDS)
            ):
                continue
            if keyword in _SCHEMA_MAPS:
                if not isinstance(value, dict):
                    raise _Unsure(keyword)
                out[keyword] = {name: self._schema(sub) for name, sub in value.items()}
            elif keyword in _SCHEMA_LISTS:
                if not isinstance(value, list):
                    raise _Unsure(keyword)
                out[keyword] = [self._schema(sub) for sub in value]
            elif keyword in _SCHEMA_ONES:
                out[keyword] = self._schema(value)
            elif keyword == "pattern":
                if not isinstance(value, str):
                    raise _Unsure(keyword)
                if patterns.compile_pattern(value) is not None:
                    out["x-console-pattern"] = value  # else not checked, as in validation
            elif keyword == "format":
                if isinstance(value, str):
                    out["x-console-format"] = value
            elif keyword == "multipleOf" and isinstance(value, float):
                out["x-console-multiple-of"] = value
            elif keyword == "required":
                out[keyword] = self._required(node, value)
            else:
                out[keyword] = value
        if oas30:
            self._oas30(node, out)
        return out

    def _required(self, node: dict[str, Any], names: Any) -> list[Any]:
        if not isinstance(names, list):
            raise _Unsure("required")
        props = node.get("properties")
        props = props if isinstance(props, dict) else {}
        return [n for n in names if not not_in_direction(props.get(n), self.direction)]

    def _oas30(self, node: dict[str, Any], out: dict[str, Any]) -> None:
        """OpenAPI 3.0's keywords in their 2020-12 form."""
        out.pop("nullable", None)
        kind = node.get("type")
        if kind is not None:
            if not isinstance(kind, str):
                raise _Unsure("type")
            if node.get("nullable") is True:
                out["type"] = [kind, "null"]
        for bound, exclusive in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
            flag = node.get(exclusive)
            if flag is None:
                continue
            if not isinstance(flag, bool):
                raise _Unsure(exclusive)
            del out[exclusive]
            if flag and bound in node:
                out[exclusive] = out.pop(bound)
        if "items" in node and not isinstance(node["items"], (dict, bool)):
            raise _Unsure("items")


def _subschemas(node: dict[str, Any]) -> list[Any]:
    found: list[Any] = []
    for keyword, value in node.items():
        if keyword in _SCHEMA_MAPS and isinstance(value, dict):
            found.extend(value.values())
        elif keyword in _SCHEMA_LISTS and isinstance(value, list):
            found.extend(value)
        elif keyword in _SCHEMA_ONES:
            found.append(value)
    return found


def _keywords(
    dialect: str,
    format_ok: Callable[[Any, str], bool],
    multiple_ok: Callable[[Any, float], bool],
) -> dict[str, type]:
    """The console's keyword implementations, called from Rust."""

    class Pattern:
        def __init__(self, parent: Any, value: str, path: Any) -> None:
            self.compiled = patterns.compile_pattern(value)

        def validate(self, instance: Any) -> None:
            if isinstance(instance, str) and self.compiled.search(instance) is None:
                raise ValueError("pattern")

    class Format:
        def __init__(self, parent: Any, value: str, path: Any) -> None:
            self.format = value

        def validate(self, instance: Any) -> None:
            if instance is None and dialect == "3.0":
                return  # openapi-schema-validator's format skips null
            if not format_ok(instance, self.format):
                raise ValueError("format")

    class MultipleOf:
        def __init__(self, parent: Any, value: float, path: Any) -> None:
            self.step = value

        def validate(self, instance: Any) -> None:
            if not multiple_ok(instance, self.step):
                raise ValueError("multipleOf")

    return {
        "x-console-pattern": Pattern,
        "x-console-format": Format,
        "x-console-multiple-of": MultipleOf,
    }
