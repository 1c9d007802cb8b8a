"""Regular expressions from specs, run on RE2 so that no pattern can hang a worker.

A spec's ``pattern`` and ``patternProperties`` come from whoever imported the document and
are matched against what members type and what upstreams answer. Python's backtracking
``re`` can take minutes on ``^(a+)+$`` against 40 characters; RE2 (``google-re2``) matches
in time linear in the input, always. The price: RE2 has no look-around and no
back-references. A pattern that needs them is *not supported*: its check is skipped (with
a notice on import and on the operation page), never handed to the backtracking engine.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import re2

# Bounds RE2's compiled program; a pattern over it (e.g. ``(a{1000}){1000}``) is refused
# at compile time rather than allowed to take the memory.
MAX_PROGRAM_BYTES = 8 << 20
WALK_LIMIT = 2_000_000  # nodes a pattern search looks at (a 25 MB document has fewer)
MAX_NOTICES = 20  # patterns named per operation / import before "and N more"

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # a refused pattern is reported by us, not on stderr
_OPTIONS.max_mem = MAX_PROGRAM_BYTES


@lru_cache(maxsize=2048)
def compile_pattern(pattern: str) -> Any | None:
    """The RE2 program for a spec's `pattern`, or None when RE2 cannot run it."""
    try:
        return re2.compile(pattern, options=_OPTIONS)
    except (re2.error, TypeError, ValueError, OverflowError):
        return None


def matches(pattern: str, text: str) -> bool | None:
    """Whether `text` contains a match of `pattern` (JSON Schema's unanchored search);
    None when the pattern is not supported, so callers skip the check."""
    compiled = compile_pattern(pattern)
    if compiled is None:
        return None
    return compiled.search(text) is not None


@lru_cache(maxsize=512)
def unsupported_reason(pattern: str) -> str | None:
    """Why RE2 cannot run `pattern` ("uses look-around", ...), or None when it can."""
    if compile_pattern(pattern) is not None:
        return None
    try:
        # Parsing (not matching) is linear; it only tells which feature is in the way.
        parsed = re._parser.parse(pattern)  # type: ignore[attr-defined]
    except (re.error, RecursionError, OverflowError, ValueError, TypeError):
        return "is not a valid regular expression"
    features = _features(parsed)
    if "look-around" in features:
        return "uses look-around, which RE2 does not support"
    if "back-reference" in features:
        return "uses a back-reference, which RE2 does not support"
    return "is too large or uses syntax RE2 does not support"


def _features(parsed: Any) -> set[str]:
    found: set[str] = set()
    constants = re._constants  # type: ignore[attr-defined]
    stack = [parsed]
    while stack:
        node = stack.pop()
        for op, value in getattr(node, "data", node):
            if op in (constants.ASSERT, constants.ASSERT_NOT):
                found.add("look-around")
            elif op in (constants.GROUPREF, constants.GROUPREF_EXISTS):
                found.add("back-reference")
            stack.extend(_subpatterns(value))
    return found


def _subpatterns(value: Any) -> Iterator[Any]:
    if isinstance(value, re._parser.SubPattern):  # type: ignore[attr-defined]
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _subpatterns(item)


def located_patterns(
    node: Any, limit: int = WALK_LIMIT
) -> Iterator[tuple[tuple[str | int, ...], str, str]]:
    """Every ``(where, keyword, pattern)`` under `node`, in document order: ``pattern``
    values and the keys of ``patternProperties`` (`keyword` says which). Walks at most
    `limit` nodes (a 25 MB document has fewer)."""
    for link, keyword, pattern in _patterns_in(node, limit, located=True):
        where: list[str | int] = []
        while link is not None:
            link, part = link
            where.append(part)
        yield tuple(reversed(where)), keyword, pattern


def _patterns_in(node: Any, limit: int, *, located: bool) -> Iterator[tuple[Any, str, str]]:
    """``(link, keyword, pattern)``: `link` is where, as ``(parent link, key)`` pairs ending
    in None (only when `located`: an operation page needs the patterns, not their places)."""
    stack: list[tuple[Any, Any]] = [(None, node)]
    walked = 0
    while stack and walked < limit:
        where, item = stack.pop()
        walked += 1
        if type(item) is dict:
            pattern = item.get("pattern")
            if isinstance(pattern, str):
                yield (where, "pattern") if located else None, "pattern", pattern
            props = item.get("patternProperties")
            if isinstance(props, dict):
                for key in props:
                    if isinstance(key, str):
                        at = ((where, "patternProperties"), key) if located else None
                        yield at, "patternProperties", key
            children = [
                ((where, str(k)) if located else None, v)
                for k, v in item.items()
                if type(v) in _CONTAINERS and k not in _NOT_SCHEMAS
            ]
        elif type(item) is list:
            children = [
                ((where, i) if located else None, v)
                for i, v in enumerate(item)
                if type(v) in _CONTAINERS
            ]
        else:
            continue
        children.reverse()  # popped in document order
        stack.extend(children)


_CONTAINERS = (dict, list)  # parsed JSON: exactly these types hold further values


def unsupported_patterns(node: Any) -> Iterator[tuple[tuple[str | int, ...], str, str]]:
    """``(where, pattern, reason)`` for each pattern under `node` RE2 cannot run."""
    for where, _, pattern in located_patterns(node):
        reason = unsupported_reason(pattern)
        if reason is not None:
            yield where, pattern, reason


def notice(pattern: str, reason: str) -> str:
    """The sentence a person reads about a pattern the console does not check."""
    return f"The pattern {_shown(pattern)} {reason}; values are not checked against it."


def browser_safe(pattern: str) -> bool:
    """Whether `pattern` may go into an HTML ``pattern`` attribute. Browsers match it with
    a backtracking engine, so a quantifier inside a quantified group (``(a+)+``), the
    shape of catastrophic patterns, keeps it out; RE2 on the server still checks it."""
    if compile_pattern(pattern) is None:
        return False
    try:
        parsed = re._parser.parse(pattern)  # type: ignore[attr-defined]
    except (re.error, RecursionError, OverflowError, ValueError, TypeError):
        return False
    return not _nested_repeat(parsed, inside=False)


def _nested_repeat(items: Any, *, inside: bool) -> bool:
    constants = re._constants  # type: ignore[attr-defined]
    repeats = (constants.MAX_REPEAT, constants.MIN_REPEAT, constants.POSSESSIVE_REPEAT)
    for op, value in getattr(items, "data", items):
        if op in repeats:
            if inside:
                return True
            if _nested_repeat(value[2], inside=True):
                return True
        else:
            for sub in _subpatterns(value):
                if _nested_repeat(sub, inside=inside):
                    return True
    return False


# Values under these keys are data, not schemas: a pattern quoted in an example is no
# pattern the console runs.
_NOT_SCHEMAS = frozenset({"example", "examples", "default", "enum", "const", "description"})


def pattern_notices(schemas: list[Any]) -> list[str]:
    """One notice per distinct pattern RE2 cannot run, in the schemas' order."""
    notices: list[str] = []
    seen: set[str] = set()
    skipped = 0
    for schema in schemas:
        for _, _, pattern in _patterns_in(schema, WALK_LIMIT, located=False):
            if pattern in seen:
                continue
            seen.add(pattern)
            reason = unsupported_reason(pattern)
            if reason is None:
                continue
            if len(notices) >= MAX_NOTICES:
                skipped += 1
                continue
            notices.append(notice(pattern, reason))
    if skipped:
        notices.append(f"And {skipped} more patterns that are not checked.")
    return notices


def _shown(pattern: str) -> str:
    return pattern if len(pattern) <= 80 else pattern[:77] + "..."
