"""Reading an uploaded OpenAPI document: JSON or YAML, with guards against hostile input.

YAML is read from the parser's event stream (libyaml's when available) and built into
plain Python values here, which lets the loader

* refuse nesting deeper than `MAX_DEPTH` before anything recursive sees it,
* count what anchors and aliases expand to, so a "billion laughs" document fails fast,
* refuse an alias that points into its own anchor (a self-containing structure),
* keep mapping keys as the text that was written (``200:`` stays ``"200"``) and
  timestamps as strings, which is what an OpenAPI document means by them.

Only safe constructs are built: no tag can create a Python object.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from .errors import SpecError
from .jsontext import invalid_json_message

DEFAULT_MAX_BYTES = 25 * 1024 * 1024
MAX_DEPTH = 200
# Nodes that anchors/aliases may add on top of what is written; far above any real
# document's use of YAML aliases, far below what a "billion laughs" expands to.
MAX_ALIAS_EXPANSION = 1_000_000

_OPENAPI_VERSION = re.compile(r"^3\.[01](\.\d+)?(-[0-9A-Za-z.-]+)?$")
_SWAGGER_VERSIONS = {"2.0", "2"}

_YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_document(
    data: bytes | str,
    *,
    filename: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    noun: str = "file",
) -> dict[str, Any]:
    """Parse an OpenAPI 3.0/3.1 or Swagger 2.0 document and return it in OpenAPI 3 shape.

    `filename` only picks the parser (``.json`` → JSON, ``.yaml``/``.yml`` → YAML; otherwise
    a document starting with ``{`` is JSON, anything else YAML). Swagger 2.0 documents are
    converted (see `swagger2.convert`). Raises `SpecError` with one human sentence when the
    input is too big, not UTF-8, not valid JSON/YAML, nested too deeply, not a mapping, not
    an OpenAPI document, or of an unsupported version. `noun` is what the messages call
    the input: "file" for an upload, "document" for pasted or fetched text.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if len(raw) > max_bytes:
        raise SpecError(
            f"The {noun} is too big: {_size(len(raw))}; the limit is {_size(max_bytes)}."
        )
    text = _decode(raw, noun)
    if not text.strip():
        raise SpecError(f"The {noun} is empty.")
    document = parse_text(text, filename=filename, noun=noun)
    return check_document(document)


def parse_text(text: str, *, filename: str | None = None, noun: str = "file") -> Any:
    """Parse JSON or YAML text (chosen as `load_document` does) with the depth/alias guards."""
    kind = _kind(text, filename)
    if kind == "yaml":
        return _parse_yaml(text, noun)
    try:
        return _parse_json(text, noun)
    except SpecError as json_error:
        if (filename or "").lower().endswith(".json") or "nested too deeply" in json_error.message:
            raise
        try:  # `{openapi: 3.1.0, ...}` is YAML's flow style, not JSON
            return _parse_yaml(text, noun)
        except SpecError:
            raise json_error from None


def check_document(document: Any) -> dict[str, Any]:
    """Check that a parsed value is an OpenAPI 3.0/3.1 or Swagger 2.0 document; convert 2.0.

    Returns the document in OpenAPI 3 shape (the same object for 3.x documents).
    """
    if not isinstance(document, dict):
        raise SpecError(
            "The document must be a mapping (a JSON object) at the top level, "
            f"but it is {_describe(document)}."
        )
    if "openapi" in document:
        version = _version_text(document["openapi"], "openapi")
        if not _OPENAPI_VERSION.match(version):
            raise SpecError(
                f"OpenAPI version {version} is not supported: this console reads "
                "OpenAPI 3.0.x and 3.1.x, and Swagger 2.0."
            )
        document_kind = "openapi"
    elif "swagger" in document:
        version = _version_text(document["swagger"], "swagger")
        if version not in _SWAGGER_VERSIONS:
            raise SpecError(
                f"Swagger version {version} is not supported: this console reads "
                "OpenAPI 3.0.x and 3.1.x, and Swagger 2.0."
            )
        document_kind = "swagger"
    else:
        raise SpecError("This is not an OpenAPI document: it has no 'openapi' or 'swagger' field.")
    paths = document.get("paths")
    if paths is not None and not isinstance(paths, dict):
        raise SpecError(
            f"The 'paths' field must be a mapping of paths to operations, "
            f"but it is {_describe(paths)}."
        )
    if document_kind == "swagger":
        from .swagger2 import convert

        return convert(document)
    return document


# --- decoding -------------------------------------------------------------------------


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n} bytes"


def _decode(raw: bytes, noun: str = "file") -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SpecError(f"The {noun} is not UTF-8 text: it looks like UTF-16. Save it as UTF-8.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = raw[exc.start : exc.start + 1].hex()
        raise SpecError(
            f"The {noun} is not UTF-8 text (byte 0x{bad} at offset {exc.start} is not valid)."
        ) from None
    return text.removeprefix("\ufeff")


def _kind(text: str, filename: str | None) -> str:
    name = (filename or "").lower()
    if name.endswith(".json"):
        return "json"
    if name.endswith((".yaml", ".yml")):
        return "yaml"
    return "json" if text.lstrip()[:1] in ("{", "[") else "yaml"


def _describe(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if value is None:
        return "empty"
    return type(value).__name__


def _version_text(value: Any, field: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise SpecError(f"The '{field}' field must be a version string such as \"3.1.0\".")
    return str(value).strip()


# --- JSON -----------------------------------------------------------------------------


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in JSON")


def _parse_json(text: str, noun: str = "file") -> Any:
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise SpecError(_too_deep_message()) from None
    except ValueError as exc:
        raise SpecError(invalid_json_message(f"The {noun}", exc)) from None
    check_depth(value)
    return value


def _too_deep_message(line: int | None = None) -> str:
    where = f" (at line {line})" if line else ""
    return f"The document is nested too deeply{where}: the limit is {MAX_DEPTH} levels."


def check_depth(value: Any, limit: int = MAX_DEPTH) -> None:
    """Raise `SpecError` if lists/mappings in `value` nest deeper than `limit` (no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    pop, push = stack.pop, stack.append
    while stack:
        node, depth = pop()
        if depth > limit:
            raise SpecError(_too_deep_message())
        children = node.values() if type(node) is dict else node
        for child in children:
            kind = type(child)
            if kind is dict or kind is list:
                push((child, depth + 1))
    return


# --- YAML -----------------------------------------------------------------------------

_IMPLICIT = yaml.resolver.Resolver.yaml_implicit_resolvers
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_YAML_TAG = "tag:yaml.org,2002:"
_MERGE_KEY = object()


def _scalar(event: yaml.ScalarEvent) -> Any:
    """The Python value of a YAML scalar: YAML 1.1 as safe_load reads it, timestamps as text."""
    value = event.value
    tag = event.tag
    if tag and tag != "!":
        if tag.startswith(_YAML_TAG):
            name = tag[len(_YAML_TAG) :]
            if name in ("int", "float", "bool", "null"):
                return _construct(name, value, event)
            if name == "binary":
                return "".join(value.split())
        return value  # str, timestamp, and tags nobody can construct safely: the text
    if not event.implicit[0]:
        return value  # quoted or block scalar
    for resolved, regexp in _IMPLICIT.get(value[:1], ()):
        if regexp.match(value):
            name = resolved[len(_YAML_TAG) :]
            if name in ("int", "float", "bool", "null"):
                return _construct(name, value, event)
            if name == "merge":
                return _MERGE_KEY
            return value
    return value


def _construct(name: str, value: str, event: yaml.ScalarEvent) -> Any:
    node = yaml.ScalarNode(_YAML_TAG + name, value, event.start_mark, event.end_mark)
    try:
        return getattr(_CONSTRUCTOR, f"construct_yaml_{name}")(node)
    except (ValueError, TypeError, yaml.YAMLError):
        return value


class _Frame:
    __slots__ = ("anchor", "container", "height", "key", "merges", "size")

    def __init__(self, container: Any, anchor: str | None) -> None:
        self.container = container
        self.anchor = anchor
        self.key: Any = _NO_KEY
        self.merges: list[Any] = []
        self.size = 1
        self.height = 1


_NO_KEY = object()


def _yaml_error(exc: yaml.YAMLError, noun: str = "file") -> SpecError:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None)
    if problem and "nesting depth" in problem:
        return SpecError(_too_deep_message(mark.line + 1 if mark is not None else None))
    if problem and mark is not None:
        return SpecError(
            f"The {noun} is not valid YAML: {problem} "
            f"(line {mark.line + 1}, column {mark.column + 1})."
        )
    message = " ".join(str(exc).split())
    return SpecError(f"The {noun} is not valid YAML: {message}.")


def _parse_yaml(text: str, noun: str = "file") -> Any:
    try:
        return _build_yaml(yaml.parse(text, Loader=_YamlLoader), noun)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, noun) from None
    except RecursionError:
        raise SpecError(_too_deep_message()) from None


def _build_yaml(events: Any, noun: str = "file") -> Any:
    anchors: dict[str, Any] = {}
    sizes: dict[str, int] = {}
    heights: dict[str, int] = {}
    open_anchors: set[str] = set()
    stack: list[_Frame] = []
    expanded = 0
    documents = 0
    result: Any = None

    def add(value: Any, size: int, height: int, mark: Any) -> None:
        nonlocal result
        if not stack:
            result = value
            return
        frame = stack[-1]
        frame.size += size
        if height >= frame.height:
            frame.height = height + 1
        container = frame.container
        if type(container) is list:
            container.append(value)
        elif frame.key is _NO_KEY:
            frame.key = value
        else:
            key = frame.key
            frame.key = _NO_KEY
            if key is _MERGE_KEY:
                frame.merges.append(value)
            else:
                container[_key_text(key, mark)] = value

    for event in events:
        kind = type(event)
        if kind is yaml.ScalarEvent:
            value = _scalar(event)
            if stack and stack[-1].key is _NO_KEY and type(stack[-1].container) is dict:
                # A mapping key: keep exactly what was written (`200:` is "200").
                value = _MERGE_KEY if value is _MERGE_KEY else event.value
            if event.anchor:
                anchors[event.anchor] = value
                sizes[event.anchor] = 1
                heights[event.anchor] = 0
            add(value, 1, 0, event.start_mark)
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            if len(stack) >= MAX_DEPTH:
                raise SpecError(_too_deep_message(event.start_mark.line + 1))
            container: Any = {} if kind is yaml.MappingStartEvent else []
            if event.anchor:
                anchors[event.anchor] = container
                open_anchors.add(event.anchor)
            stack.append(_Frame(container, event.anchor))
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            frame = stack.pop()
            if frame.merges:
                _apply_merges(frame.container, frame.merges, event.start_mark)
            if frame.anchor:
                open_anchors.discard(frame.anchor)
                sizes[frame.anchor] = frame.size
                heights[frame.anchor] = frame.height
            add(frame.container, frame.size, frame.height, event.start_mark)
        elif kind is yaml.AliasEvent:
            anchor = event.anchor
            line = event.start_mark.line + 1
            if anchor in open_anchors:
                raise SpecError(
                    f"The YAML alias *{anchor} at line {line} refers to a structure that "
                    "contains itself; such documents are not supported."
                )
            if anchor not in anchors:
                raise SpecError(
                    f"The {noun} is not valid YAML: the alias *{anchor} at line {line} "
                    "has no matching anchor."
                )
            size = sizes[anchor]
            if len(stack) + heights[anchor] > MAX_DEPTH:
                raise SpecError(_too_deep_message(line))
            expanded += size
            if expanded > MAX_ALIAS_EXPANSION:
                raise SpecError(
                    "The YAML document's anchors and aliases expand to more than "
                    f"{MAX_ALIAS_EXPANSION:,} values (a 'billion laughs' document?); "
                    "it was not loaded."
                )
            add(anchors[anchor], size, heights[anchor], event.start_mark)
        elif kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise SpecError(
                    f"The {noun} holds more than one YAML document; give one OpenAPI document."
                )
    return result


def _key_text(key: Any, mark: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, (dict, list)):
        raise SpecError(
            f"The YAML uses a list or mapping as a mapping key (line {mark.line + 1}); "
            "OpenAPI documents only use text keys."
        )
    if key is None:
        return "null"
    if isinstance(key, bool):
        return "true" if key else "false"
    return str(key)


def _apply_merges(container: Any, merges: list[Any], mark: Any) -> None:
    if not isinstance(container, dict):
        return
    sources: list[Any] = []
    for merge in merges:
        sources.extend(merge if isinstance(merge, list) else [merge])
    for source in sources:
        if not isinstance(source, dict):
            raise SpecError(
                f"The YAML merge key '<<' at line {mark.line + 1} must refer to a mapping."
            )
        for key, value in source.items():
            container.setdefault(key, value)
