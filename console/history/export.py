"""Streaming exports of a filtered history: CSV and JSON Lines, in constant memory.

Rows are read in keyset-paged chunks (by id), and each line is yielded as soon as it
is written, so an export of a million records holds one chunk at a time. Records and
events were redacted before storage (they never held a secret), so an export holds
none either. Calls, credential events and team events each have their columns.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db.models import QuerySet

CHUNK = 2000


@dataclass(frozen=True)
class Columns:
    """What one kind of export writes: its columns, and those that hold JSON."""

    names: tuple[str, ...]
    json: tuple[str, ...] = ()


CALLS = Columns(
    names=(
        "id", "created_at", "username", "access_name", "environment_name", "operation_key",
        "operation_label", "method", "url", "status", "duration_ms", "token_ms", "upstream_ms",
        "token_source", "response_size", "response_truncated", "error_kind", "error_message",
        "request_headers", "request_body", "response_headers", "response_body", "via", "seq",
        "record_hash",
    ),
    json=("request_headers", "response_headers"),
)  # fmt: skip
CREDENTIAL_EVENTS = Columns(
    names=("id", "created_at", "action", "username", "access_name", "environment_name", "detail"),
    json=("detail",),
)
TEAM_EVENTS = Columns(
    names=(
        "id", "created_at", "action", "username", "subject_name", "address", "detail",
    ),
    json=("detail",),
)  # fmt: skip
COLUMNS = list(CALLS.names)  # the calls' columns, as before


def _rows(records: QuerySet, columns: Columns) -> Iterator[dict[str, object]]:
    """Every row as a plain dict, newest first, fetched a chunk at a time."""
    before = None
    while True:
        chunk = records.order_by("-id")
        if before is not None:
            chunk = chunk.filter(id__lt=before)
        batch = list(chunk.values(*columns.names)[:CHUNK])
        if not batch:
            return
        for row in batch:
            row["created_at"] = row["created_at"].isoformat()
            yield row
        before = batch[-1]["id"]


def export_jsonl(records: QuerySet, columns: Columns = CALLS) -> Iterator[str]:
    """One JSON object per line."""
    for row in _rows(records, columns):
        yield json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n"


def csv_lines() -> Callable[[list[object]], str]:
    """A function that turns one row's values into one CSV line (for streaming a file
    line by line without holding it)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(values: list[object]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(values)
        return buffer.getvalue()

    return line


def export_csv(records: QuerySet, columns: Columns = CALLS) -> Iterator[str]:
    """A header line, then one CSV line per row (JSON columns as JSON text)."""
    line = csv_lines()
    yield line(list(columns.names))
    for row in _rows(records, columns):
        for key in columns.json:
            row[key] = json.dumps(row[key], ensure_ascii=False)
        yield line([safe_cell(row[column]) for column in columns.names])


def safe_cell(value: object) -> object:
    """Defuse spreadsheet formulas (CSV injection) in text cells."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
