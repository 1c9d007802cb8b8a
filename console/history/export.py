"""Streaming exports of a filtered history: CSV and JSON Lines, in constant memory.

Rows are read in keyset-paged chunks (by id), and each line is yielded as soon as it
is written, so an export of a million records holds one chunk at a time. Records
were redacted before storage, so an export holds no secret either.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from django.db.models import QuerySet

from console.history.models import CallRecord

CHUNK = 2000
COLUMNS = [
    "id", "created_at", "username", "access_name", "environment_name", "operation_key",
    "operation_label", "method", "url", "status", "duration_ms", "token_ms", "upstream_ms",
    "token_source", "response_size", "response_truncated", "error_kind", "error_message",
    "request_headers", "request_body", "response_headers", "response_body", "seq", "record_hash",
]  # fmt: skip


def _rows(records: QuerySet[CallRecord]) -> Iterator[dict[str, object]]:
    """Every record as a plain dict, newest first, fetched a chunk at a time."""
    before = None
    while True:
        chunk = records.order_by("-id")
        if before is not None:
            chunk = chunk.filter(id__lt=before)
        batch = list(chunk.values(*COLUMNS)[:CHUNK])
        if not batch:
            return
        for row in batch:
            row["created_at"] = row["created_at"].isoformat()
            yield row
        before = batch[-1]["id"]


def export_jsonl(records: QuerySet[CallRecord]) -> Iterator[str]:
    """One JSON object per line."""
    for row in _rows(records):
        yield json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n"


def export_csv(records: QuerySet[CallRecord]) -> Iterator[str]:
    """A header line, then one CSV line per record (headers as JSON text)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(values: list[object]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(values)
        return buffer.getvalue()

    yield line(COLUMNS)
    for row in _rows(records):
        for key in ("request_headers", "response_headers"):
            row[key] = json.dumps(row[key], ensure_ascii=False)
        yield line([_safe_cell(row[column]) for column in COLUMNS])


def _safe_cell(value: object) -> object:
    """Defuse spreadsheet formulas (CSV injection) in text cells."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
