"""Schema validation with messages a person can act on, done by the `jsonschema` library.

The checks are the library's: JSON Schema Draft 2020-12 for OpenAPI 3.1 documents, and
OpenAPI 3.0's own dialect (``nullable``, boolean ``exclusiveMinimum``; Draft 4 underneath)
from `openapi-schema-validator` for 3.0 and converted Swagger 2.0 documents. This module
only chooses the dialect, adapts the keywords below, and translates the library's errors, by
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
- ``type`` (3.0): ``1.0`` is a whole number, as in Draft 6 and later (openapi-schema-
  validator follows Draft 4, where it is not; the console always took it).
- ``multipleOf``: ``0.3`` is a multiple of ``0.1`` as people write decimals, though not in
  binary floating point; a float step is compared in decimal before failing.
- ``unevaluatedProperties``: the library's finder of evaluated properties matches
  ``patternProperties`` with ``re``; ours is the same walk with RE2.

Every subschema is checked by the console's class, whatever its own ``$schema`` says (the
library would switch to its own draft class, whose patterns run on ``re``). Formats are in
`formats.py`, the wording of errors in `messages.py`.

A schema with nonsense in it (``{"minimum": "1"}``, ``{"type": 5}``) never raises: the
keyword the library cannot apply is left out, as an unknown keyword would be.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Hashable, Iterator
from itertools import islice
from typing import Any

import attrs
from jsonschema import Draft202012Validator
from jsonschema.exceptions import UnknownType as _UnknownType
from jsonschema.exceptions import ValidationError, _WrappedReferencingError
from jsonschema.validators import extend
from openapi_schema_validator import OAS30Validator
from referencing.exceptions import Unresolvable

from . import fastcheck, patterns
from .formats import FORMAT_CHECKERS
from .messages import MAX_MESSAGES, Problem, translated
from .schemas import is_cut, not_in_direction

__all__ = ["MAX_MESSAGES", "Problem", "dialect_for", "multiple_ok", "problems", "validate_value"]

# Errors read from the library before translating: enough for 50 messages after
# duplicates are folded, bounded so a 10,000-item list of wrong types stays cheap.
_MAX_RAW_ERRORS = 400
DIALECTS = ("3.1", "3.0")
DIRECTIONS = (None, "request", "response")


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
    content type): jsonschema-rs, compiled once per key, then checks the value and words
    its problems where they mean what jsonschema's would (`fastcheck.py`); otherwise
    jsonschema walks it.
    """
    if schema is False:
        return [Problem((), "false", "is not allowed")]
    if not isinstance(schema, dict):
        return []
    dialect = dialect if dialect in DIALECTS else "3.1"
    if key is not None:
        found = fastcheck.problems(
            key,
            schema,
            value,
            dialect=dialect,
            direction=direction,
            format_ok=FORMAT_CHECKERS[dialect].conforms,
            multiple_ok=multiple_ok,
            limit=limit,
        )
        if found is not None:
            return found
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
    return translated(errors, value, limit, nullable=dialect == "3.0")


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


_LIBRARY_ONE_OF = Draft202012Validator.VALIDATORS["oneOf"]


def _one_of(validator: Any, branches: Any, instance: Any, schema: Any) -> Iterator[Any]:
    if not isinstance(branches, list) or not any(is_cut(b) for b in branches):
        yield from _LIBRARY_ONE_OF(validator, branches, instance, schema)
        return

    # A cut branch keeps only its type: it accepts any value of that type, so "more than
    # one matches" would be said of every such value. Judge by the known branches, and
    # say "none matches" only when the cut ones cannot be it either.
    def valid(branch: Any) -> bool:
        return validator.evolve(schema=branch).is_valid(instance)

    matching = sum(1 for b in branches if not is_cut(b) and valid(b))
    if matching > 1:
        yield ValidationError("is valid under more than one of the known shapes", context=[])
    elif matching == 0 and not any(valid(b) for b in branches if is_cut(b)):
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


_BASES = {
    "3.1": (Draft202012Validator, FORMAT_CHECKERS["3.1"]),
    "3.0": (OAS30Validator, FORMAT_CHECKERS["3.0"]),
}


def _whole_number(checker: Any, instance: Any) -> bool:
    return Draft202012Validator.TYPE_CHECKER.is_type(instance, "integer")


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
    type_checker = base.TYPE_CHECKER
    if dialect == "3.0":
        # openapi-schema-validator takes Draft 4's integers (1.0 is none); the console has
        # always taken 1.0 as a whole number, as Draft 6 and later (and 3.1) do.
        type_checker = type_checker.redefine("integer", _whole_number)
    return extend(base, overrides, type_checker=type_checker, format_checker=checker)


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
