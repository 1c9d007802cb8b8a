"""From a CSV to calls: reading it, what its columns can map to (the operation's parameters,
its body's fields, or the whole body as JSON), guessing the mapping by name, and turning one
row into the values and body Send would post."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from console.explorer.services import JSON_BODY, OperationForm
from console.specs.engine.jsontext import invalid_json_message
from console.specs.engine.schemas import main_type, merge_all_of

WHOLE_BODY = "body"  # the mapping's key for a column that holds the whole JSON body
_MAX_DEPTH = 3


class CsvError(Exception):
    """A CSV the console cannot use, said in words."""


@dataclass(frozen=True)
class Sheet:
    """A CSV's header and its rows (cells by column)."""

    columns: list[str]
    rows: list[dict[str, str]]


def read_csv(text: str) -> Sheet:
    """The header and rows of a CSV (comma, semicolon or tab separated)."""
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise CsvError("The CSV is empty: it needs a header row and at least one row.")
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = [name.strip() for name in next(reader)]
        rows: list[dict[str, str]] = []
        for number, cells in enumerate(reader, start=1):
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > len(header):
                raise CsvError(
                    f"Row {number} has {len(cells)} cells but the header names {len(header)} "
                    "columns."
                )
            rows.append(
                dict(zip(header, [*cells, *[""] * (len(header) - len(cells))], strict=True))
            )
            if len(rows) > settings.CONSOLE_BULK_MAX_ROWS:
                raise CsvError(
                    f"The CSV has more than {settings.CONSOLE_BULK_MAX_ROWS} rows; split it."
                )
    except csv.Error as exc:
        raise CsvError(f"The CSV cannot be read: {exc}.") from exc
    if any(not name for name in header):
        raise CsvError("Every column needs a name in the header row.")
    if len(set(header)) != len(header):
        raise CsvError("Two columns have the same name in the header row.")
    if not rows:
        raise CsvError("The CSV has a header row but no rows.")
    return Sheet(header, rows)


@dataclass(frozen=True)
class Target:
    """Something a column can fill: a parameter, a body field, or the whole body."""

    key: str  # "query:limit", "body:aggregation.type" or "body"
    label: str
    required: bool
    schema: dict[str, Any]


def _leaves(schema: Any, prefix: str, required: bool, depth: int) -> list[Target]:
    schema = merge_all_of(schema) if isinstance(schema, dict) else {}
    props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    if main_type(schema) != "object" or not props or depth >= _MAX_DEPTH:
        return [Target(f"body:{prefix}", f"body {prefix}", required, schema)] if prefix else []
    needed = set(schema.get("required") or [])
    out: list[Target] = []
    for name, sub in props.items():
        if isinstance(sub, dict) and sub.get("readOnly"):
            continue
        path = f"{prefix}.{name}" if prefix else name
        out += _leaves(sub, path, required and name in needed, depth + 1)
    return out


def targets(form: OperationForm) -> list[Target]:
    """What the operation's columns can map to, in the form's order."""
    out = [
        Target(spec.html_name, f"{spec.name} ({spec.location})", spec.required, spec.schema)
        for spec in form.fields
        if spec.widget != "file"
    ]
    if form.body_is_form:
        out += [
            Target(spec.html_name, f"body {spec.name}", spec.required, spec.schema)
            for spec in form.body_fields
            if spec.widget != "file"
        ]
    elif form.body_kind == JSON_BODY:
        out += _leaves(form.body_schema, "", True, 0)
    if form.body_kind and not form.body_is_form:
        out.append(Target(WHOLE_BODY, "the whole body (JSON)", False, form.body_schema))
    return out


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def guess_mapping(found: list[Target], columns: list[str]) -> dict[str, str]:
    """Each target's column by name ("unit", "aggregation.type", "aggregation_type"; a column
    named body or json is the whole body); targets no column names stay unmapped."""
    by_norm = {_norm(column): column for column in columns}
    leaves: dict[str, int] = {}
    for target in found:
        leaf = _norm(target.key.partition(":")[2].rpartition(".")[2])
        leaves[leaf] = leaves.get(leaf, 0) + 1
    mapping: dict[str, str] = {}
    for target in found:
        if target.key == WHOLE_BODY:
            column = by_norm.get("body") or by_norm.get("json")
        else:
            name = target.key.partition(":")[2]
            column = by_norm.get(_norm(name))
            leaf = _norm(name.rpartition(".")[2])
            if column is None and leaves.get(leaf) == 1:
                column = by_norm.get(leaf)
        if column:
            mapping[target.key] = column
    return mapping


def _typed(text: str, schema: dict[str, Any]) -> Any:
    """A cell as the JSON value its schema wants (left as text when it does not convert:
    the spec check then says what is wrong)."""
    kind = main_type(merge_all_of(schema) if schema else {}) or "string"
    value = text.strip()
    try:
        if kind == "integer" and re.fullmatch(r"[+-]?\d+", value):
            return int(value)
        if kind == "number" and re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", value):
            number = float(value)
            return int(number) if number.is_integer() and "." not in value else number
        if kind == "boolean" and value.lower() in {"true", "false", "yes", "no", "1", "0"}:
            return value.lower() in {"true", "yes", "1"}
        if kind in ("array", "object") and value[:1] in "[{":
            return json.loads(value)
        if kind == "array":
            return [part.strip() for part in value.split(",") if part.strip()]
    except ValueError:
        return text
    return text


def _put(body: dict[str, Any], path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    for name in parents:
        body = body.setdefault(name, {})
    body[leaf] = value


def row_call(
    form: OperationForm, found: list[Target], mapping: dict[str, str], cells: dict[str, str]
) -> tuple[dict[str, Any], str]:
    """The values and body text Send would post for one row: parameters and form-body fields
    as typed, a JSON body from its fields' columns (or the whole body's column)."""
    values: dict[str, Any] = {"body_view": form.body_view}
    body: dict[str, Any] = {}
    text = ""
    by_key = {t.key: t for t in found}
    for key, column in mapping.items():
        cell = cells.get(column, "")
        target = by_key.get(key)
        if target is None:
            continue
        if key == WHOLE_BODY:
            text = cell
        elif key.startswith("body:") and form.body_kind == JSON_BODY and not form.body_is_form:
            if cell.strip():
                _put(body, key.partition(":")[2], _typed(cell, target.schema))
        else:
            values[key] = cell
    if not text.strip() and body:
        text = json.dumps(body, ensure_ascii=False)
    return values, text


def json_cell_problems(
    form: OperationForm, found: list[Target], mapping: dict[str, str], cells: dict[str, str]
) -> dict[str, str]:
    """Cells of array or object body fields written as JSON that does not parse, by column,
    in the console's one wording ("Column tags is not valid JSON: …"): `_typed` leaves them
    as text, which the spec check would only call "not an array"."""
    if form.body_kind != JSON_BODY or form.body_is_form:
        return {}
    by_key = {t.key: t for t in found}
    problems: dict[str, str] = {}
    for key, column in mapping.items():
        target = by_key.get(key)
        cell = cells.get(column, "").strip()
        if target is None or not key.startswith("body:") or cell[:1] not in ("[", "{"):
            continue
        schema = target.schema
        if (main_type(merge_all_of(schema) if schema else {}) or "") not in ("array", "object"):
            continue
        try:
            json.loads(cell)
        except (ValueError, RecursionError) as exc:
            problems[column] = invalid_json_message(f"Column {column}", exc)
    return problems


def problems_by_column(errors: dict[str, str], mapping: dict[str, str]) -> dict[str, str]:
    """The spec's messages for a row, keyed by the column they are about (else the field)."""
    return {
        mapping.get(key, key.partition(":")[2] or key): message for key, message in errors.items()
    }
