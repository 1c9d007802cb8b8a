"""Finding the spec operation a Postman or curl request calls (no Django).

A request's path, as written in Postman (``/metering/v1/meter-types/:meterTypeId`` after
``{{baseUrl}}``), is compared segment by segment with each operation's path template
(``/meter-types/{meterTypeId}``) of the same method:

* the host (``{{baseUrl}}``, ``https://api.example.com``) is not part of the path; a
  leading base path (the environment's, the ``baseUrl`` variable's, the spec server's
  ``/metering/v1``) may be stripped first;
* ``:id`` and ``{{id}}`` segments match only ``{param}`` segments of the template, and
  give that parameter the value of the Postman path variable (or ``{{id}}`` as written);
* a literal segment matches an equal literal segment, or a ``{param}`` segment (the
  literal is the parameter's value);
* of several matches the one with most literal segments matched literally wins
  (``/meter-types/search`` beats ``/meter-types/{id}``), then the shorter base path
  stripped, then the earlier operation.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

_TEMPLATE_PARAM = re.compile(r"\{([^{}]+)\}")
_POSTMAN_VARIABLE = re.compile(r"^\{\{\s*([^{}]+?)\s*\}\}$")


@dataclass(frozen=True)
class Candidate:
    """An operation to match against: method, path template and whatever names it."""

    method: str
    path: str
    key: Any = None


@dataclass(frozen=True)
class Match:
    """The operation a request calls and the path parameter values read from it."""

    candidate: Candidate
    params: dict[str, str] = field(default_factory=dict)
    literal: int = 0  # segments matched literally
    stripped: int = 0  # segments of base path stripped first


def segments(path: str) -> list[str]:
    """A path's non-empty segments (``/a//b/`` → ``["a", "b"]``)."""
    return [s for s in path.split("/") if s]


def base_path(url: str) -> list[str]:
    """The path segments of a base URL (``https://h/api/v1`` → ``["api", "v1"]``)."""
    url = (url or "").strip()
    if not url or "{{" in url.split("/", 1)[0]:
        return []
    parts = urlsplit(url if "://" in url else "//" + url) if not url.startswith("/") else None
    return segments(parts.path if parts else url.split("?", 1)[0])


@functools.lru_cache(maxsize=4096)  # every request of an import tries every operation
def _template_regex(segment: str) -> tuple[re.Pattern[str], tuple[str, ...]] | None:
    """A template segment with ``{name}`` parts as a regex and its names; None if literal."""
    names = tuple(_TEMPLATE_PARAM.findall(segment))
    if not names:
        return None
    regex = ""
    for i, part in enumerate(_TEMPLATE_PARAM.split(segment)):
        regex += f"(?P<p{i // 2}>[^/]+)" if i % 2 else re.escape(part)
    return re.compile(regex + r"\Z"), names


def _match_one(
    request: Sequence[str], template: Sequence[str], variables: Mapping[str, str]
) -> tuple[dict[str, str], int] | None:
    if len(request) != len(template):
        return None
    params: dict[str, str] = {}
    literal = 0
    for got, want in zip(request, template, strict=True):
        compiled = _template_regex(want)
        named = got[1:] if got.startswith(":") and len(got) > 1 else None
        variable = _POSTMAN_VARIABLE.match(got)
        if compiled is None:
            if named is not None or variable is not None or unquote(got) != want:
                return None
            literal += 1
            continue
        regex, names = compiled
        if named is not None or variable is not None:
            if len(names) != 1 or want != "{" + names[0] + "}":
                return None  # a variable fills a whole {param} segment only
            # Postman's :id takes the path variable's value; {{id}} stays as written.
            params[names[0]] = (variables.get(named) or "{{" + named + "}}") if named else got
            continue
        found = regex.match(unquote(got))
        if found is None:
            return None
        for i, name in enumerate(names):
            params[name] = found.group(f"p{i}")
    return params, literal


def match_operation(
    method: str,
    path: str,
    candidates: Iterable[Candidate],
    *,
    base_paths: Iterable[Sequence[str]] = (),
    variables: Mapping[str, str] | None = None,
) -> Match | None:
    """The best operation for `method` and `path` (host already removed), else None.

    `base_paths` are leading segment lists that may be stripped from the path first
    (the path is also tried as it is); `variables` are Postman's path variables
    (``:id`` → value).
    """
    method = method.upper()
    request = segments(path.split("?", 1)[0])
    variables = variables or {}
    tries: list[list[str]] = [[]]
    for prefix in base_paths:
        prefix = [s for s in prefix if s]
        if prefix and prefix not in tries and request[: len(prefix)] == prefix:
            tries.append(prefix)
    best: Match | None = None
    for candidate in candidates:
        if candidate.method.upper() != method:
            continue
        template = segments(candidate.path)
        for prefix in tries:
            found = _match_one(request[len(prefix) :], template, variables)
            if found is None:
                continue
            params, literal = found
            better = best is None or (literal, -len(prefix)) > (best.literal, -best.stripped)
            if better:
                best = Match(candidate, params, literal, len(prefix))
    return best
