"""Local ``$ref`` resolution, one fragment at a time, safe against cycles and blow-ups.

Only references inside the document (``#/…``) are followed. References to other files or
URLs are never fetched: they become ``{"x-external-ref": ref}`` and a warning. A reference
that points at something missing becomes ``{"x-unresolved-ref": ref}`` and a warning. A
reference met again while it is being expanded (a recursive schema) becomes
``{"x-circular-ref": ref}`` with the target's ``type`` and ``title`` when it has them.

Values that are data rather than OpenAPI objects (``example``, ``default``, ``enum``,
``const``, an Example Object's ``value``, ``x-…`` extensions) are copied untouched, unless
one holds more than `DATA_MAX_VALUES` values, or all of them together more than
`DATA_BUDGET_PER_NODE` times `max_nodes`: then it is left out, with a warning.

A result is bounded by `max_nodes` values however it was written: past the limit,
references become ``{"x-truncated-ref": ref}``, other objects ``{"x-truncated": "too
large"}``, and the objects and lists being copied stop there (one warning says so).
"""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import unquote

from .errors import SpecError

DEFAULT_MAX_DEPTH = 40
DEFAULT_MAX_NODES = 100_000
# Output nesting beyond this is cut: far deeper than any real schema, far below
# Python's recursion limit.
MAX_NESTING = 150
# Values one data value (an example, an enum, a default…) may hold; a bigger one is left
# out. Real examples and enums hold tens to a few hundred; each page copies them.
DATA_MAX_VALUES = 10_000
# All the data values of one result together, per value of its `max_nodes`: real specs
# repeat enums through references (Microsoft Graph's largest request bodies hold up to
# 146,000 values of data, 90,000 at the 99th percentile, against a budget of 200,000),
# a hostile one repeats one big example thousands of times (45 million values).
DATA_BUDGET_PER_NODE = 10
TRUNCATED = {"x-truncated": "too large"}

# Keys whose value is a map from names to OpenAPI objects: their keys are names, not keywords.
_NAME_MAPS = frozenset(
    {
        "properties",
        "patternProperties",
        "$defs",
        "definitions",
        "dependentSchemas",
        "schemas",
        "responses",
        "parameters",
        "requestBodies",
        "headers",
        "content",
        "links",
        "callbacks",
        "securitySchemes",
        "encoding",
        "paths",
        "webhooks",
        "variables",
        "pathItems",
    }
)
# Keys whose value is data (copied as is) when they appear as keywords.
_LITERALS = frozenset({"example", "default", "enum", "const", "value", "mapping", "scopes"})


def _is_data(key: Any, value: Any) -> bool:
    """Whether a keyword's value is data (examples, defaults, extensions), not OpenAPI objects."""
    if isinstance(key, str) and key.startswith("x-"):
        return True
    # JSON Schema `examples` is a list of values; a media type's is a map of Example Objects.
    return key in _LITERALS or (key == "examples" and isinstance(value, list))


class RefError(SpecError):
    """A reference cannot be followed (missing target, bad pointer)."""


def is_local_ref(ref: str) -> bool:
    """True for a reference inside the same document (``#`` or ``#/…``)."""
    return ref == "#" or ref.startswith("#/")


def pointer_tokens(ref: str) -> list[str]:
    """Split a local reference into JSON-pointer tokens (percent-decoded, ``~1``/``~0`` undone)."""
    if not is_local_ref(ref):
        raise RefError(f"{ref} is not a reference inside this document.")
    pointer = unquote(ref[1:])
    if not pointer:
        return []
    return [token.replace("~1", "/").replace("~0", "~") for token in pointer[1:].split("/")]


def escape_token(token: str) -> str:
    """Escape one JSON-pointer token (``~`` → ``~0``, ``/`` → ``~1``)."""
    return token.replace("~", "~0").replace("/", "~1")


def lookup(document: Any, ref: str) -> Any:
    """Return the node a local reference points at (no further resolution); raise `RefError`."""
    node = document
    for token in pointer_tokens(ref):
        if isinstance(node, dict):
            if token not in node:
                raise RefError(f"The reference {ref} points at nothing: '{token}' is missing.")
            node = node[token]
        elif isinstance(node, list):
            if not token.isdigit() or int(token) >= len(node):
                raise RefError(f"The reference {ref} points at nothing: no item {token}.")
            node = node[int(token)]
        else:
            raise RefError(f"The reference {ref} points at nothing: '{token}' is missing.")
    return node


def follow(document: Any, node: Any, *, max_hops: int = 20) -> tuple[Any, str | None]:
    """Follow a chain of local ``$ref`` objects to the first non-reference node.

    Returns ``(target, last_ref)``; `last_ref` is None if `node` was not a reference.
    Raises `RefError` for missing targets, external references and reference loops.
    Only the top node is followed: nothing inside the target is resolved.
    """
    last: str | None = None
    seen: set[str] = set()
    for _ in range(max_hops):
        ref = node.get("$ref") if isinstance(node, dict) else None
        if not isinstance(ref, str):
            return node, last
        if not is_local_ref(ref):
            raise RefError(f"The reference {ref} points outside this document; it is not followed.")
        if ref in seen:
            raise RefError(f"The reference {ref} refers to itself.")
        seen.add(ref)
        last = ref
        node = lookup(document, ref)
    raise RefError(f"The reference chain starting at {last} is too long.")


class _Resolver:
    def __init__(
        self, document: Any, max_depth: int, max_nodes: int, warnings: list[str] | None
    ) -> None:
        self.document = document
        self.max_depth = max_depth
        self.max_nodes = max_nodes
        self.nodes = 0
        # Data copied so far (examples, enums...): each value is bounded by DATA_MAX_VALUES,
        # and all of them together by the budget, however often a reference repeats them.
        self.data = 0
        self.data_budget = max_nodes * DATA_BUDGET_PER_NODE
        self.warnings = warnings
        self.warned: set[str] = set()
        self.active: list[str] = []

    def warn(self, message: str) -> None:
        if self.warnings is not None and message not in self.warned:
            self.warned.add(message)
            self.warnings.append(message)

    def full(self) -> bool:
        """Whether the result holds `max_nodes` values: nothing more is copied (warned once)."""
        if self.nodes < self.max_nodes:
            return False
        self.warn(
            f"The schema is larger than {self.max_nodes:,} values: the rest is not shown "
            "or checked."
        )
        return True

    def too_deep(self) -> None:
        self.warn(
            f"The schema is nested more than {MAX_NESTING} levels deep: deeper parts are not "
            "shown or checked."
        )

    def copy(self, node: Any, nesting: int, in_name_map: bool = False) -> Any:
        self.nodes += 1
        if isinstance(node, list):
            if nesting > MAX_NESTING:
                self.too_deep()
                return []
            items: list[Any] = []
            for item in node:
                if self.full():
                    break
                items.append(self.copy(item, nesting + 1))
            return items
        if not isinstance(node, dict):
            return node
        if nesting > MAX_NESTING:
            self.too_deep()
            return {"x-truncated": "nested too deeply"}
        ref = node.get("$ref")
        if isinstance(ref, str) and not in_name_map:
            return self.expand(ref, node, nesting)
        if self.full():  # a map of names stays a map (of nothing), never a "property" marker
            return {} if in_name_map else dict(TRUNCATED)
        out: dict[str, Any] = {}
        for key, value in node.items():
            # Each key counts, so a flood of small (or data) entries is cut as well.
            if self.full():
                break
            if in_name_map:
                out[key] = self.copy(value, nesting + 1)
            elif _is_data(key, value):
                self.nodes += 1
                # Counted only as far as it could still be kept: a value repeated by many
                # references is not walked again once the budget is spent.
                room = min(DATA_MAX_VALUES, self.data_budget - self.data)
                size = _values_in(value, room)
                if size > room and room == DATA_MAX_VALUES:
                    self.warn(_data_left_out(key))
                    continue
                if size > room:
                    self.warn(
                        f"The examples, enums and defaults hold more than {self.data_budget:,} "
                        "values together: the rest were left out."
                    )
                    continue
                self.data += size
                out[key] = _plain_copy(value)
            else:
                out[key] = self.copy(value, nesting + 1, key in _NAME_MAPS)
        if not in_name_map and self.nodes >= self.max_nodes:
            # The limit was reached inside this object: it is not whole (an ``x-`` key, so
            # it reads as an extension; validation and forms treat it as a cut).
            out.setdefault("x-truncated", TRUNCATED["x-truncated"])
        return out

    def expand(self, ref: str, node: dict[str, Any], nesting: int) -> Any:
        siblings = {key: value for key, value in node.items() if key != "$ref"}
        if not is_local_ref(ref):
            self.warn(f"The external reference {ref} was not followed.")
            return _marker("x-external-ref", ref, None, siblings)
        if ref in self.active:
            return _marker("x-circular-ref", ref, self._peek(ref), siblings)
        if len(self.active) >= self.max_depth:
            self.warn(
                f"References nest more than {self.max_depth} deep: deeper ones are not shown "
                "or checked."
            )
            return _marker("x-truncated-ref", ref, self._peek(ref), siblings)
        if self.full():
            return _marker("x-truncated-ref", ref, self._peek(ref), siblings)
        try:
            target = lookup(self.document, ref)
        except RefError as exc:
            self.warn(exc.message)
            return _marker("x-unresolved-ref", ref, None, siblings)
        self.active.append(ref)
        try:
            resolved = self.copy(target, nesting)
        finally:
            self.active.pop()
        if siblings and isinstance(resolved, dict):
            merged = dict(resolved)
            for key, value in siblings.items():
                merged[key] = self.copy(value, nesting + 1, key in _NAME_MAPS)
            return merged
        return resolved

    def _peek(self, ref: str) -> Any:
        try:
            return lookup(self.document, ref)
        except RefError:
            return None


def _marker(kind: str, ref: str, target: Any, siblings: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {kind: ref}
    if isinstance(target, dict):
        for key in ("type", "title", "nullable"):
            if key in target and isinstance(target[key], (str, list, bool)):
                out[key] = _plain_copy(target[key])
        if "title" not in out and kind != "x-external-ref":
            out["title"] = ref.rsplit("/", 1)[-1]
    for key in ("description", "summary", "title"):
        if isinstance(siblings.get(key), str):
            out[key] = siblings[key]
    return out


def _values_in(value: Any, limit: int) -> int:
    """How many values `value` holds (itself and everything inside), counted without
    recursion and stopping past `limit` (then the answer is more than `limit`)."""
    if not isinstance(value, (dict, list)):
        return 1
    count = 1
    stack: list[Any] = [value]
    while stack:
        current = stack.pop()
        children = current.values() if isinstance(current, dict) else current
        count += len(children)
        if count > limit:
            return count
        stack.extend(child for child in children if isinstance(child, (dict, list)) and child)
    return count


def _data_left_out(key: Any) -> str:
    """The warning for a data value too big to keep, by its keyword."""
    limit = f"{DATA_MAX_VALUES:,}"
    if key == "enum":
        return (
            f"An enum of more than {limit} values was left out: its values are not offered "
            "or checked."
        )
    if key in ("example", "examples", "value"):
        return f"An example of more than {limit} values was left out."
    if key == "default":
        return f"A default of more than {limit} values was left out."
    if key == "const":
        return f"A const of more than {limit} values was left out: it is not checked."
    if isinstance(key, str) and key.startswith("x-"):
        return f"An extension (x-…) of more than {limit} values was left out."
    return f"A {key} of more than {limit} values was left out."


def _plain_copy(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        try:
            return copy.deepcopy(value)
        except RecursionError:
            return None
    return value


def resolve(
    document: Any,
    node: Any,
    *,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_nodes: int = DEFAULT_MAX_NODES,
    warnings: list[str] | None = None,
) -> Any:
    """Return a deep copy of `node` with local ``$ref`` objects inlined.

    A reference met again inside its own expansion is cut with ``{"x-circular-ref": ref}``
    (plus the target's ``type``/``title``). More than `max_depth` nested expansions, or a
    result over `max_nodes` values, cut further references with ``{"x-truncated-ref": ref}``;
    past `max_nodes` other objects become ``{"x-truncated": "too large"}`` and the objects
    and lists being copied stop. A data value of more than `DATA_MAX_VALUES` values is
    left out.
    External references become ``{"x-external-ref": ref}``; missing targets
    ``{"x-unresolved-ref": ref}``. Each kind of cut adds a message to `warnings` (if given).
    Siblings of ``$ref`` (e.g. a ``description``) override the target's values.
    The document is never modified and the result shares nothing with it.
    """
    return _Resolver(document, max_depth, max_nodes, warnings).copy(node, 0)


def iter_refs(node: Any, *, limit: int = 100_000) -> list[str]:
    """Every ``$ref`` string inside `node` (without following them), iteratively."""
    found: list[str] = []
    stack: list[tuple[Any, bool]] = [(node, False)]
    seen = 0
    while stack and seen < limit:
        current, in_name_map = stack.pop()
        seen += 1
        if isinstance(current, list):
            stack.extend((item, False) for item in current)
        elif isinstance(current, dict):
            ref = current.get("$ref")
            if isinstance(ref, str) and not in_name_map:
                found.append(ref)
            for key, value in current.items():
                if in_name_map:
                    stack.append((value, False))
                elif _is_data(key, value):
                    continue
                elif isinstance(value, (dict, list)):
                    stack.append((value, key in _NAME_MAPS))
    return found
