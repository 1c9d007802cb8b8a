"""jsonschema-rs does the checking where it means what jsonschema would; jsonschema the rest.

The console's validator (`validation.py`) is the `jsonschema` library, whose errors it
words for people. That library builds a validator object for every subschema it enters,
which makes a Send's body check about twice as slow as the hand-written validator it
replaced. `jsonschema-rs` checks the same body 10 to 100 times faster. So, for a schema
compiled here, jsonschema-rs answers: `problems` confirms a valid value, and words an
invalid one's errors as `messages.py` words jsonschema's, for the error kinds whose
keyword, value and place say everything needed;
an error it cannot word so (a kind not listed, a false subschema below the root, the
error of a oneOf with a cut branch, which validation judges by its known branches alone)
hands the whole value to jsonschema. `tests/specs/engine/test_fastcheck.py` checks that
it never accepts what jsonschema rejects and that where it words problems they are
jsonschema's, in order, on generated schemas and values and on the JSON Schema Test
Suite.

What makes the two agree: the schema is translated for the value's dialect and direction
into Draft 2020-12 (OpenAPI 3.0's ``nullable`` and boolean exclusive bounds become their
2020-12 forms, keywords 3.0 lacks are dropped, ``required`` loses the properties the
direction does not send, annotations are left out), and the keywords the console adapts
run the console's own code from Rust: ``pattern`` on RE2, ``format`` through the console's
format checker, a float ``multipleOf`` in decimal. A schema the translation is unsure of
(references, ``patternProperties``, ``$schema``, nonsense values) is not compiled at all.

A compiled validator is cached under a key the caller gives (e.g. spec version, operation,
content type): resolved schemas are rebuilt on every Send, so only the caller knows two of
them are the same. Subschemas the resolver shares are kept shared (as ``$defs``), so
compiling costs the schema's distinct size, not its expanded one.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

import jsonschema_rs
from openapi_schema_validator import OAS30Validator

from . import patterns
from .messages import Problem, Raw, translated
from .schemas import (
    SCHEMA_LIST_KEYWORDS,
    SCHEMA_MAP_KEYWORDS,
    SCHEMA_VALUE_KEYWORDS,
    is_cut,
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


@dataclass(frozen=True)
class _Compiled:
    validator: Any
    document: Any  # the translated schema, to read keyword values back from
    cut_one_ofs: frozenset[int]  # its nodes whose oneOf errors jsonschema would not share


_cache: OrderedDict[Hashable, _Compiled | None] = OrderedDict()
_lock = threading.Lock()
_MISSING = object()
MAX_ERRORS = 400  # as validation's _MAX_RAW_ERRORS: beyond, jsonschema decides


def problems(
    key: Hashable,
    schema: Any,
    value: Any,
    *,
    dialect: str,
    direction: str | None,
    format_ok: Callable[[Any, str], bool],
    multiple_ok: Callable[[Any, float], bool],
    limit: int,
) -> list[Problem] | None:
    """The problems of `value` as `validation.problems` words them, found by jsonschema-rs:
    ``[]`` when valid; None whenever jsonschema must decide (a schema not compiled, one
    whose errors would mean something else here, an error kind not translated below).
    `key` names the schema for the cache: the same key must always mean the same schema.
    `format_ok` and `multiple_ok` are the console's checks for ``format`` and float
    ``multipleOf``, so both engines use the same ones."""
    entry = _compiled((key, dialect, direction), schema, dialect, direction, format_ok, multiple_ok)
    if entry is None:
        return None
    try:
        if entry.validator.is_valid(value):
            return []
        raws: list[Raw] = []
        for count, error in enumerate(entry.validator.iter_errors(value)):
            converted = _raw(error, entry, dialect)
            if count >= MAX_ERRORS or converted is None:
                return None
            raws.extend(converted)
    except Exception:  # anything unexpected: jsonschema decides
        return None
    return translated(raws, value, limit, nullable=dialect == "3.0")


# Error kinds whose keyword, value and place say all the console's wording needs.
_PLAIN_KINDS = frozenset(
    {
        "Type",
        "Enum",
        "Constant",
        "Minimum",
        "Maximum",
        "ExclusiveMinimum",
        "ExclusiveMaximum",
        "MultipleOf",
        "MinLength",
        "MaxLength",
        "MinItems",
        "MaxItems",
        "UniqueItems",
        "MinProperties",
        "MaxProperties",
        "Not",
        "AnyOf",
        "OneOfNotValid",
        "OneOfMultipleValid",
        "UnevaluatedProperties",
        "UnevaluatedItems",
        "Custom",
    }
)
_CONSOLE_KEYWORDS = {
    "x-console-pattern": "pattern",
    "x-console-format": "format",
    "x-console-multiple-of": "multipleOf",
}


def _raw(error: Any, entry: _Compiled, dialect: str) -> list[Raw] | None:
    """jsonschema-rs's `error` as `messages.Raw` errors (several for additionalProperties,
    one per name), or None when it cannot be worded as jsonschema's would be."""
    kind = type(error.kind).__name__
    document = entry.document
    where = tuple(error.instance_path)
    at = list(error.schema_path)
    if kind == "FalseSchema":
        if at and at[-1] == "items" and where:  # items: false past prefixItems
            parent = _lookup(document, at[:-1])
            return [Raw("items", False, parent, where[:-1], tuple(at))]
        if where:
            return None  # jsonschema loses the place of a false subschema; stay alike
        return [Raw(None, None, _lookup(document, at), where, tuple(at))]
    if not at:
        return None
    keyword = at[-1]
    parent = _lookup(document, at[:-1])
    if not isinstance(parent, dict) or keyword not in parent:
        return None
    value = parent[keyword]
    if keyword == "oneOf" and id(parent) in entry.cut_one_ofs:
        return None
    rank = tuple(at)
    if kind == "Required" and keyword == "required":
        return [Raw("required", value, parent, where, rank, property_name=error.kind.property)]
    if kind == "AdditionalProperties" and keyword == "additionalProperties":
        return [
            Raw("additionalProperties", value, parent, where, rank, property_name=name)
            for name in error.kind.unexpected
        ]
    if kind not in _PLAIN_KINDS:
        return None
    if kind in ("UnevaluatedProperties", "UnevaluatedItems") and value is not False:
        return None  # jsonschema reports what the unevaluated ones fail, Rust only that
    exclusive = None
    if kind == "Custom":
        if keyword not in _CONSOLE_KEYWORDS:
            return None
        keyword = _CONSOLE_KEYWORDS[keyword]
    elif dialect == "3.0" and keyword in ("exclusiveMinimum", "exclusiveMaximum"):
        # 3.0 said {minimum, exclusiveMinimum: true}; jsonschema reports "minimum".
        keyword = "minimum" if keyword == "exclusiveMinimum" else "maximum"
        exclusive = True
    rank = (*at[:-1], keyword)
    context = [] if kind == "OneOfMultipleValid" else [kind]
    return [Raw(keyword, value, parent, where, rank, context=context, exclusive=exclusive)]


def _lookup(document: Any, path: list[Any]) -> Any:
    """The node at a schema path of the translated document (through its $refs)."""
    node = document
    for part in path:
        if isinstance(node, dict) and part == "$ref":
            node = document["$defs"][node["$ref"].rsplit("/", 1)[-1]]
        elif (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            node = node[part]
        else:
            return _MISSING
    return node


def _compiled(
    key: Hashable,
    schema: Any,
    dialect: str,
    direction: str | None,
    format_ok: Callable[[Any, str], bool],
    multiple_ok: Callable[[Any, float], bool],
) -> _Compiled | None:
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    entry: _Compiled | None
    try:
        translation = _Translation(dialect, direction)
        document = translation.document(schema)
        validator = jsonschema_rs.Draft202012Validator(
            document,
            validate_formats=False,  # formats are the console's: see x-console-format
            keywords=_keywords(dialect, format_ok, multiple_ok),
        )
        entry = _Compiled(validator, document, frozenset(translation.cut_one_ofs))
    except Exception:  # unsure, too big, or a schema Rust refuses
        entry = None
    with _lock:
        _cache[key] = entry
        _cache.move_to_end(key)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return entry


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
        self.cut_one_ofs: set[int] = set()  # translated nodes whose oneOf has a cut branch

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
            if keyword in SCHEMA_MAP_KEYWORDS:
                if not isinstance(value, dict):
                    raise _Unsure(keyword)
                out[keyword] = {name: self._schema(sub) for name, sub in value.items()}
            elif keyword in SCHEMA_LIST_KEYWORDS:
                if not isinstance(value, list):
                    raise _Unsure(keyword)
                if keyword == "oneOf" and any(is_cut(sub) for sub in value):
                    # validation judges such a oneOf by its known branches alone; Rust
                    # counts the cut ones too: its "valid" holds, not its messages.
                    self.cut_one_ofs.add(id(out))
                out[keyword] = [self._schema(sub) for sub in value]
            elif keyword in SCHEMA_VALUE_KEYWORDS:
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
            if flag and bound in out:
                # In place of the bound, so the keywords keep their order (messages.py
                # sorts ties by where they are in the schema).
                out.update(_renamed(out, bound, exclusive))
        if "items" in node and not isinstance(node["items"], (dict, bool)):
            raise _Unsure("items")


def _renamed(node: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    items = [(new if k == old else k, v) for k, v in node.items()]
    node.clear()
    return dict(items)


def _subschemas(node: dict[str, Any]) -> list[Any]:
    found: list[Any] = []
    for keyword, value in node.items():
        if keyword in SCHEMA_MAP_KEYWORDS and isinstance(value, dict):
            found.extend(value.values())
        elif keyword in SCHEMA_LIST_KEYWORDS and isinstance(value, list):
            found.extend(value)
        elif keyword in SCHEMA_VALUE_KEYWORDS:
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
