"""Schema validation with messages a person can act on, done by the `jsonschema` library.

The checks are the library's: JSON Schema Draft 2020-12 for OpenAPI 3.1 documents, and
OpenAPI 3.0's own dialect (``nullable``, boolean ``exclusiveMinimum``; Draft 4 underneath)
from `openapi-schema-validator` for 3.0 and converted Swagger 2.0 documents. This module
only chooses the dialect, adapts five keywords, and translates the library's errors, by
keyword and path, into the console's wording (``"items[0].name: must be a string"``).

Adapted keywords, and why:

- ``pattern``, ``patternProperties``, ``additionalProperties``: a spec's patterns run on
  RE2 (`patterns.py`), never on Python's backtracking ``re``; a pattern RE2 cannot run is
  not checked.
- ``required``: in a request a ``readOnly`` property is not required, in a response a
  ``writeOnly`` one is not (OpenAPI), so each direction has its own validator class.
- ``allOf``/``anyOf``/``oneOf`` (3.0): plain JSON Schema; openapi-schema-validator's
  follow a ``discriminator`` as a reference, and references are resolved already.
- ``oneOf`` with a branch the resolver cut (a cycle, a size limit, an outside reference):
  only "more than one of the known shapes matches" is said, as the cut one is unknown.
- ``multipleOf``: ``0.3`` is a multiple of ``0.1`` as people write decimals, though not in
  binary floating point; a float step is compared in decimal before failing.
- ``unevaluatedProperties``: the library's finder of evaluated properties matches
  ``patternProperties`` with ``re``; ours is the same walk with RE2.

Formats are the library's checkers (``date-time`` through rfc3339-validator, ``uri``
through rfc3986-validator), except ``email``, checked by email-validator (the library only
looks for an ``@``), ``uuid``, held to its canonical 8-4-4-4-12 hex form (the library lets
``UUID()`` drop stray hyphens and read non-ASCII digits), and ``regex``, not checked (it
would compile a member's text with ``re``).

A schema with nonsense in it (``{"minimum": "1"}``, ``{"type": 5}``) never raises: the
keyword the library cannot apply is left out, as an unknown keyword would be.
"""

from __future__ import annotations

import decimal
import json
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any
from uuid import UUID

import attrs
from email_validator import EmailNotValidError, validate_email
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import UnknownType as _UnknownType
from jsonschema.exceptions import ValidationError, _WrappedReferencingError
from jsonschema.validators import extend
from openapi_schema_validator import OAS30Validator
from openapi_schema_validator._format import is_byte, is_double, is_float, is_int32, is_int64
from referencing.exceptions import Unresolvable

from . import fastcheck, patterns
from .schemas import not_in_direction

MAX_MESSAGES = 50
# Errors read from the library before translating: enough for 50 messages after
# duplicates are folded, bounded so a 10,000-item list of wrong types stays cheap.
_MAX_RAW_ERRORS = 400
DIALECTS = ("3.1", "3.0")
DIRECTIONS = (None, "request", "response")

_TYPE_WORDS = {
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "an object",
    "null": "null",
}
_FORMAT_WORDS = {
    "date": "must be a date such as 2024-01-31",
    "date-time": "must be a date and time such as 2024-01-31T12:00:00Z",
    "time": "must be a time such as 12:00:00Z",
    "uuid": "must be a UUID such as 3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "email": "must be an email address",
    "idn-email": "must be an email address",
    "uri": "must be an absolute URI such as https://example.com/",
    "uri-reference": "must be a URI or a relative reference",
    "ipv4": "must be an IPv4 address",
    "ipv6": "must be an IPv6 address",
    "hostname": "must be a host name",
    "idn-hostname": "must be a host name",
    "int32": "must fit in 32 bits (-2147483648 to 2147483647)",
    "int64": "must fit in 64 bits",
    "float": "must be a number",
    "double": "must be a number",
    "byte": "must be base64-encoded",
}


@dataclass(frozen=True)
class Problem:
    """One reason a value does not match its schema.

    `path` leads from the value's root to the part at fault (property names and list
    indexes); `keyword` is the schema keyword that failed; `message` is for people.
    """

    path: tuple[str | int, ...]
    keyword: str
    message: str

    @property
    def where(self) -> str:
        """The path as people read it: ``items[0].name`` (empty for the root)."""
        out = ""
        for part in self.path:
            out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
        return out

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.path else self.message


def dialect_for(openapi_version: str) -> str:
    """The schema dialect of a document: ``"3.0"`` for OpenAPI 3.0 (and Swagger 2.0, which
    is converted to 3.0), ``"3.1"`` for 3.1 and anything newer or unknown."""
    return "3.0" if str(openapi_version).startswith(("3.0", "2.")) else "3.1"


def problems(
    schema: Any,
    value: Any,
    *,
    dialect: str = "3.1",
    direction: str | None = None,
    limit: int = MAX_MESSAGES,
    key: Hashable | None = None,
) -> list[Problem]:
    """Why `value` does not match the resolved `schema`, in the value's order; empty when
    it matches. At most `limit` problems. Never raises.

    `direction` ``"request"`` does not require ``readOnly`` properties, ``"response"``
    does not require ``writeOnly`` ones (OpenAPI: `required` applies only where they are
    sent). `key`, when given, names the schema for good (e.g. spec version, operation,
    content type): a valid value is then confirmed by jsonschema-rs, compiled once per
    key (`fastcheck.py`), and only an invalid one walks through jsonschema for messages.
    """
    if schema is False:
        return [Problem((), "false", "is not allowed")]
    if not isinstance(schema, dict):
        return []
    dialect = dialect if dialect in DIALECTS else "3.1"
    if key is not None and fastcheck.is_valid(
        key,
        schema,
        value,
        dialect=dialect,
        direction=direction,
        format_ok=_BASES[dialect][1].conforms,
        multiple_ok=multiple_ok,
    ):
        return []
    try:
        try:
            errors = _errors(_VALIDATORS[dialect, direction], schema, value)
        except _NONSENSE:
            # Rare: a keyword's value the library cannot use. Again, skipping such keywords.
            errors = _errors(_GUARDED[dialect, direction], schema, value)
    except RecursionError:
        return [Problem((), "depth", "is nested too deeply to check")]
    except _NONSENSE:
        return []  # the top-level schema itself is unusable: nothing to check against
    return _translated(errors, value, limit, nullable=dialect == "3.0")


def _errors(cls: Any, schema: dict[str, Any], value: Any) -> list[ValidationError]:
    validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    return list(islice(validator.iter_errors(value), _MAX_RAW_ERRORS))


def validate_value(
    schema: Any,
    value: Any,
    *,
    dialect: str = "3.1",
    direction: str | None = None,
    key: Hashable | None = None,
) -> list[str]:
    """Check `value` against a resolved schema; return messages (empty when it is valid).

    Messages read ``"must be at least 1"``; for nested values they are prefixed with where
    the problem is: ``"items[0].name: must be a string"``. At most 50. Never raises. See
    `problems` for `dialect`, `direction` and `key`.
    """
    found = problems(schema, value, dialect=dialect, direction=direction, key=key)
    return [str(p) for p in found]


# -- the keywords adapted ---------------------------------------------------------------


def _pattern(validator: Any, pattern: Any, instance: Any, schema: Any) -> Iterator[Any]:
    if (
        isinstance(instance, str)
        and isinstance(pattern, str)
        and patterns.matches(pattern, instance) is False
    ):
        yield ValidationError(f"does not match {pattern!r}")


def _pattern_properties(validator: Any, props: Any, instance: Any, schema: Any) -> Iterator[Any]:
    if not isinstance(instance, dict) or not isinstance(props, dict):
        return
    for pattern, subschema in props.items():
        for name, item in instance.items():
            if isinstance(name, str) and patterns.matches(str(pattern), name):
                yield from validator.descend(item, subschema, path=name, schema_path=pattern)


def _additional(validator: Any, instance: dict[str, Any], schema: Any) -> Iterator[str]:
    """Property names neither in ``properties`` nor matched by ``patternProperties``."""
    props = schema.get("properties")
    props = props if isinstance(props, dict) else {}
    found = schema.get("patternProperties") if "patternProperties" in validator.VALIDATORS else {}
    compiled = [patterns.compile_pattern(str(p)) for p in found] if isinstance(found, dict) else []
    usable = [c for c in compiled if c is not None]
    for name in instance:
        if name in props:
            continue
        if isinstance(name, str) and any(c.search(name) for c in usable):
            continue
        yield name


def _additional_properties(validator: Any, extra: Any, instance: Any, schema: Any) -> Iterator[Any]:
    if not isinstance(instance, dict):
        return
    if isinstance(extra, dict):
        for name in _additional(validator, instance, schema):
            yield from validator.descend(instance[name], extra, path=name)
    elif extra is False:
        for name in _additional(validator, instance, schema):
            error = ValidationError(f"{name!r} is not allowed")
            error.property_name = name  # type: ignore[attr-defined]
            yield error


def _required_for(direction: str | None, library: Callable[..., Any]) -> Callable[..., Any]:
    def required(validator: Any, names: Any, instance: Any, schema: Any) -> Iterator[Any]:
        if not isinstance(names, list) or not isinstance(instance, dict):
            return
        props = schema.get("properties")
        props = props if isinstance(props, dict) else {}
        for name in names:
            if not_in_direction(props.get(name), direction):
                continue
            for error in library(validator, [name], instance, schema):
                error.property_name = name
                yield error

    return required


_LIBRARY_MULTIPLE_OF = Draft202012Validator.VALIDATORS["multipleOf"]


def _multiple_of(validator: Any, step: Any, instance: Any, schema: Any) -> Iterator[Any]:
    for error in _LIBRARY_MULTIPLE_OF(validator, step, instance, schema):
        if not (isinstance(step, float) and _decimal_multiple(instance, step)):
            yield error


def multiple_ok(value: Any, step: Any) -> bool:
    """Whether `value` passes ``multipleOf: step`` as the console checks it (a float step
    in decimal: 0.3 is a multiple of 0.1)."""
    return not any(_multiple_of(_PLAIN, step, value, {}))


def _decimal_multiple(value: Any, step: float) -> bool:
    try:
        return decimal.Decimal(repr(value)) % decimal.Decimal(repr(step)) == 0
    except (decimal.InvalidOperation, ValueError, TypeError):
        return False


def _unevaluated_properties(
    validator: Any, extra: Any, instance: Any, schema: Any
) -> Iterator[Any]:
    if not isinstance(instance, dict):
        return
    evaluated = _evaluated_keys(validator, instance, schema)
    for name, item in instance.items():
        if name in evaluated:
            continue
        if extra is False:
            error = ValidationError(f"{name!r} is not allowed")
            error.property_name = name  # type: ignore[attr-defined]
            yield error
        else:
            yield from validator.descend(item, extra, path=name)


def _evaluated_keys(validator: Any, instance: dict[str, Any], schema: Any) -> set[str]:
    """The properties of `instance` that `schema` evaluates (JSON Schema 2020-12, 11.3),
    as the library finds them but with ``patternProperties`` matched on RE2."""
    if not isinstance(schema, dict):
        return set()
    keys: set[str] = set()
    props = schema.get("properties")
    if isinstance(props, dict):
        keys.update(k for k in instance if k in props)
    for keyword in ("additionalProperties", "unevaluatedProperties"):
        sub = schema.get(keyword)
        if sub is not None:
            keys.update(k for k, v in instance.items() if validator.evolve(schema=sub).is_valid(v))
    found = schema.get("patternProperties")
    if isinstance(found, dict):
        for pattern in found:
            keys.update(k for k in instance if patterns.matches(str(pattern), k))
    dependent = schema.get("dependentSchemas")
    if isinstance(dependent, dict):
        for name, sub in dependent.items():
            if name in instance:
                keys |= _evaluated_keys(validator, instance, sub)
    for keyword in ("allOf", "oneOf", "anyOf"):
        subs = schema.get(keyword)
        for sub in subs if isinstance(subs, list) else ():
            if validator.evolve(schema=sub).is_valid(instance):
                keys |= _evaluated_keys(validator, instance, sub)
    if "if" in schema:
        if validator.evolve(schema=schema["if"]).is_valid(instance):
            keys |= _evaluated_keys(validator, instance, schema["if"])
            keys |= _evaluated_keys(validator, instance, schema.get("then"))
        else:
            keys |= _evaluated_keys(validator, instance, schema.get("else"))
    return keys


_CUT = ("x-circular-ref", "x-truncated-ref", "x-external-ref", "x-unresolved-ref", "x-truncated")
_LIBRARY_ONE_OF = Draft202012Validator.VALIDATORS["oneOf"]


def _cut(branch: Any) -> bool:
    """A branch the resolver could not give whole (a cycle, a limit, a reference outside
    the document): it stands for a shape that is not known here."""
    return isinstance(branch, dict) and any(k in branch for k in _CUT)


def _one_of(validator: Any, branches: Any, instance: Any, schema: Any) -> Iterator[Any]:
    if not isinstance(branches, list) or not any(_cut(b) for b in branches):
        yield from _LIBRARY_ONE_OF(validator, branches, instance, schema)
        return

    # A cut branch keeps only its type: it accepts any value of that type, so "more than
    # one matches" would be said of every such value. Judge by the known branches, and
    # say "none matches" only when the cut ones cannot be it either.
    def valid(branch: Any) -> bool:
        return validator.evolve(schema=branch).is_valid(instance)

    matching = sum(1 for b in branches if not _cut(b) and valid(b))
    if matching > 1:
        yield ValidationError("is valid under more than one of the known shapes", context=[])
    elif matching == 0 and not any(valid(b) for b in branches if _cut(b)):
        none = ValidationError("is valid under none of the shapes")
        yield ValidationError("is valid under none of the shapes", context=[none])


def _ignored(validator: Any, value: Any, instance: Any, schema: Any) -> Iterator[Any]:
    yield from ()


# Exceptions a keyword raises when its value in the schema is nonsense.
_NONSENSE = (
    TypeError,
    ValueError,
    AttributeError,
    KeyError,
    IndexError,
    OverflowError,
    ZeroDivisionError,
    _UnknownType,
    Unresolvable,
    _WrappedReferencingError,
)


def _guarded(check: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(validator: Any, value: Any, instance: Any, schema: Any) -> Iterator[Any]:
        try:
            yield from check(validator, value, instance, schema)
        except _NONSENSE:
            return

    return guarded


def _is_email(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        validate_email(
            value,
            check_deliverability=False,  # never a DNS lookup while checking a form
            allow_quoted_local=True,
            allow_domain_literal=True,
            globally_deliverable=False,
        )
    except EmailNotValidError:
        return False
    return True


def _is_uuid(value: object) -> bool:
    return not isinstance(value, str) or str(UUID(value)) == value.lower()


_LIBRARY_FORMATS = Draft202012Validator.FORMAT_CHECKER.checkers


def _is_date_time(value: object) -> bool:
    # rfc3339-validator's pattern ends in "$", which lets one trailing newline through.
    check = _LIBRARY_FORMATS["date-time"][0]
    return not isinstance(value, str) or (not value.endswith("\n") and check(value))


def _format_checker(*extra: tuple[str, Callable[[Any], bool]]) -> FormatChecker:
    checker = FormatChecker(())
    checker.checkers = dict(_LIBRARY_FORMATS)
    # "regex" would compile the value with Python's re: not a check worth the risk.
    checker.checkers.pop("regex", None)
    for name, check in (
        ("email", _is_email),
        ("idn-email", _is_email),
        ("uuid", _is_uuid),
        ("date-time", _is_date_time),
        *extra,
    ):
        checker.checks(name, raises=(ValueError, TypeError))(check)
    return checker


_NUMBER_FORMATS = (("int32", is_int32), ("int64", is_int64), ("float", is_float))
_BASES = {
    "3.1": (Draft202012Validator, _format_checker(*_NUMBER_FORMATS, ("double", is_double))),
    "3.0": (
        OAS30Validator,
        _format_checker(*_NUMBER_FORMATS, ("double", is_double), ("byte", is_byte)),
    ),
}


def _build(dialect: str, direction: str | None) -> type:
    base, checker = _BASES[dialect]
    library = base.VALIDATORS
    overrides: dict[str, Callable[..., Any]] = {
        "pattern": _pattern,
        "additionalProperties": _additional_properties,
        "required": _required_for(direction, Draft202012Validator.VALIDATORS["required"]),
        "multipleOf": _multiple_of,
        # References are resolved before validation; one left over is not followed.
        "$ref": _ignored,
        "$dynamicRef": _ignored,
    }
    # openapi-schema-validator reads a 3.0 `discriminator` beside oneOf/anyOf/allOf as a
    # reference to follow (#/components/schemas/<value>); the console has resolved those
    # already, so the discriminator stays what it is in 3.1: an annotation.
    for keyword in ("allOf", "anyOf"):
        overrides[keyword] = Draft202012Validator.VALIDATORS[keyword]
    overrides["oneOf"] = _one_of
    if "patternProperties" in library:
        overrides["patternProperties"] = _pattern_properties
    if "unevaluatedProperties" in library:
        overrides["unevaluatedProperties"] = _unevaluated_properties
    return extend(base, overrides, format_checker=checker)


def _evolve(self: Any, **changes: Any) -> Any:
    # The library's evolve picks the class for a subschema by its "$schema": a spec could
    # name draft-07 in one and have its patterns matched by the library's own Draft7
    # validator on Python's re. The console's class stays, whatever a subschema says.
    return attrs.evolve(self, **changes)


def _pinned(cls: Any) -> Any:
    cls.evolve = _evolve
    return cls


_VALIDATORS = {(d, r): _pinned(_build(d, r)) for d in DIALECTS for r in DIRECTIONS}
_PLAIN = _VALIDATORS["3.1", None]({})
_GUARDED = {
    key: _pinned(extend(cls, {k: _guarded(v) for k, v in cls.VALIDATORS.items()}))
    for key, cls in _VALIDATORS.items()
}


# -- translation ------------------------------------------------------------------------


def _show(value: Any) -> str:
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return str(value)


def _count(n: Any, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _type_message(error: ValidationError, nullable: bool = False) -> str:
    kinds = error.validator_value
    kinds = [kinds] if isinstance(kinds, str) else [k for k in kinds if isinstance(k, str)]
    if nullable and error.schema.get("nullable") is True and "null" not in kinds:
        kinds.append("null")
    return "must be " + " or ".join(_TYPE_WORDS.get(k, k) for k in kinds)


def _bound_message(error: ValidationError) -> str:
    keyword, bound = error.validator, error.validator_value
    if keyword == "minimum":
        exclusive = error.schema.get("exclusiveMinimum") is True
        return f"must be {'greater than' if exclusive else 'at least'} {_show(bound)}"
    if keyword == "maximum":
        exclusive = error.schema.get("exclusiveMaximum") is True
        return f"must be {'less than' if exclusive else 'at most'} {_show(bound)}"
    if keyword == "exclusiveMinimum":
        return f"must be greater than {_show(bound)}"
    return f"must be less than {_show(bound)}"


def _combination_message(error: ValidationError) -> str:
    if error.validator == "oneOf" and not error.context:
        return "matches more than one of the allowed shapes"
    count = len(error.validator_value) if isinstance(error.validator_value, list) else 0
    return f"does not match any of the {count} allowed shapes"


def _dependent_message(error: ValidationError) -> str:
    # The library's message names both properties as Python reprs; say it plainly.
    wanted, _, given = error.message.partition(" is a dependency of ")
    return f"must also have property {wanted} when it has {given}"


_MESSAGES: dict[str | None, Callable[[ValidationError], str]] = {
    None: lambda e: "is not allowed",  # the `false` schema
    "type": _type_message,
    "enum": lambda e: "must be one of: " + ", ".join(_show(v) for v in e.validator_value[:20]),
    "const": lambda e: f"must be {_show(e.validator_value)}",
    "minimum": _bound_message,
    "maximum": _bound_message,
    "exclusiveMinimum": _bound_message,
    "exclusiveMaximum": _bound_message,
    "multipleOf": lambda e: f"must be a multiple of {_show(e.validator_value)}",
    "minLength": lambda e: (
        f"must be at least {_count(e.validator_value, 'character', 'characters')} long"
    ),
    "maxLength": lambda e: (
        f"must be at most {_count(e.validator_value, 'character', 'characters')} long"
    ),
    "pattern": lambda e: f"must match the pattern {e.validator_value}",
    "format": lambda e: _FORMAT_WORDS.get(
        e.validator_value, f"must be a valid {e.validator_value}"
    ),
    "minItems": lambda e: f"must have at least {_count(e.validator_value, 'item', 'items')}",
    "maxItems": lambda e: f"must have at most {_count(e.validator_value, 'item', 'items')}",
    "uniqueItems": lambda e: "must not repeat items",
    "items": lambda e: "is not allowed",
    "additionalItems": lambda e: "has more items than allowed",
    "unevaluatedItems": lambda e: "has more items than allowed",
    "contains": lambda e: "must contain at least one matching item",
    "minContains": lambda e: (
        f"must contain at least {_count(e.validator_value, 'matching item', 'matching items')}"
    ),
    "maxContains": lambda e: (
        f"must contain at most {_count(e.validator_value, 'matching item', 'matching items')}"
    ),
    "required": lambda e: f"missing required property '{e.property_name}'",
    "additionalProperties": lambda e: f"has unexpected property '{e.property_name}'",
    "unevaluatedProperties": lambda e: "has properties the schema does not allow",
    "minProperties": lambda e: (
        f"must have at least {_count(e.validator_value, 'property', 'properties')}"
    ),
    "maxProperties": lambda e: (
        f"must have at most {_count(e.validator_value, 'property', 'properties')}"
    ),
    "dependentRequired": _dependent_message,
    "dependencies": _dependent_message,
    "anyOf": _combination_message,
    "oneOf": _combination_message,
    "not": lambda e: "is not allowed here",
}


def _message(error: ValidationError, nullable: bool) -> str:
    keyword = error.validator
    try:
        if keyword == "type":
            return _type_message(error, nullable)
        return _MESSAGES[keyword](error)
    except (KeyError, TypeError, ValueError, AttributeError):
        return f"does not satisfy {keyword}"


def _path(error: ValidationError) -> tuple[str | int, ...]:
    path = tuple(error.absolute_path)
    if error.validator == "items" and error.validator_value is False:
        # Point at the first item past those allowed, as a person would look for it.
        prefix = error.schema.get("prefixItems")
        return (*path, len(prefix) if isinstance(prefix, list) else 0)
    return path


def _order(value: Any, path: Iterable[Any]) -> list[int]:
    """Where a path sits in the value, for sorting problems into the value's order."""
    out: list[int] = []
    node = value
    for part in path:
        if isinstance(node, dict) and part in node:
            out.append(list(node).index(part))
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            out.append(part)
            node = node[part]
        else:
            out.append(-1)
            node = None
    return out


def _translated(
    errors: list[ValidationError], value: Any, limit: int, *, nullable: bool
) -> list[Problem]:
    # When a value has the wrong type, what else its schema says of it is noise.
    mistyped = {(id(e.schema), tuple(e.absolute_path)) for e in errors if e.validator == "type"}
    ranked: list[tuple[list[int], Problem]] = []
    seen: set[tuple[tuple[Any, ...], str]] = set()
    for error in errors:
        at = (id(error.schema), tuple(error.absolute_path))
        if error.validator != "type" and at in mistyped:
            continue
        keyword = error.validator
        message = _message(error, nullable)
        path = _path(error)
        if (path, message) in seen:
            continue
        seen.add((path, message))
        sort_path = (*path, error.property_name) if keyword == "additionalProperties" else path
        ranked.append((_order(value, sort_path), Problem(path, str(keyword or "false"), message)))
    ranked.sort(key=lambda pair: pair[0])
    return [problem for _, problem in ranked[:limit]]
