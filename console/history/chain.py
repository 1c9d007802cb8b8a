"""The tamper-evident history: each record is hashed with the previous record's hash.

Per team, records carry a position (`seq`) and `record_hash = sha256(prev_hash +
canonical content)`. Editing a row breaks its hash, removing one leaves a gap in
the positions, inserting one breaks the links; `verify` names the first such record.
Pruning keeps a checkpoint (the last removed record's position and hash), so the
chain still verifies from there.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection, models, transaction
from django.db.models.sql import InsertQuery
from django.utils import timezone

from console.history.models import CallRecord, ChainCheckpoint, ChainHead
from console.teams.models import Team

HASHED_FIELDS = [
    "team_id", "seq", "created_at", "user_id", "username", "access_id", "access_name",
    "environment_name", "operation_id", "operation_key", "operation_label", "method", "url",
    "request_headers", "request_body", "status", "response_headers", "response_body",
    "response_size", "response_truncated", "duration_ms", "token_ms", "token_source",
    "error_kind", "error_message",
]  # fmt: skip
# Fields added after records were first chained, with the value of rows written before
# them. A field at that value is left out of the canonical content, so an old row hashes
# exactly as it did when it was written; any other value is hashed like the fields above
# (so setting, changing or clearing it on any row breaks that row's hash).
LATER_HASHED_FIELDS = {"upstream_ms": None, "response_body_b64": "", "form_values": None}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return value


def record_digest(record: CallRecord, prev_hash: str) -> str:
    """The hash of a record's canonical content chained to `prev_hash`."""
    content = {name: _plain(getattr(record, name)) for name in HASHED_FIELDS}
    for name, absent in LATER_HASHED_FIELDS.items():
        value = getattr(record, name)
        if value != absent:
            content[name] = _plain(value)
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def _quoted(model: type[models.Model], *names: str) -> list[str]:
    """The quoted table name of `model`, then the quoted columns of `names`."""
    quote = connection.ops.quote_name
    return [quote(model._meta.db_table)] + [
        quote(model._meta.get_field(name).column) for name in names
    ]


def _advance_head(team_id: int) -> tuple[int, str]:
    """Lock the team's chain head and move it one position on: (new position, last hash).

    One statement: the UPDATE takes the row lock that queues every other appender of
    the team until this transaction ends, and its RETURNING reads the row as it is once
    the lock is held (the latest committed hash, not the one seen when the statement
    began). A team's first append creates the head.
    """
    head, seq, last_hash, team = _quoted(ChainHead, "seq", "last_hash", "team")
    sql = f"UPDATE {head} SET {seq} = {seq} + 1 WHERE {team} = %s RETURNING {seq}, {last_hash}"  # noqa: S608 - names from the model, quoted
    with connection.cursor() as cursor:
        cursor.execute(sql, [team_id])
        row = cursor.fetchone()
        if row is None:
            ChainHead.objects.get_or_create(team_id=team_id)
            cursor.execute(sql, [team_id])
            row = cursor.fetchone()
    return int(row[0]), str(row[1])


def _insert_with_head(record: CallRecord) -> None:
    """INSERT `record` and set the head's last hash to its hash.

    On PostgreSQL in one statement (the head update rides along as a data-modifying
    WITH), elsewhere in two. Built by Django's own insert compiler, so every value is
    prepared exactly as `save()` would prepare it; `save()` itself costs twice the time
    in Python (signals, field bookkeeping) on the path of every Send.
    """
    fields = [f for f in record._meta.concrete_fields if not f.primary_key]
    query = InsertQuery(CallRecord)
    query.insert_values(fields, [record])
    compiler = query.get_compiler(connection=connection)
    compiler.returning_fields = [record._meta.pk]
    insert_sql, insert_params = compiler.as_sql()[0]
    head, last_hash, team = _quoted(ChainHead, "last_hash", "team")
    move_head = f"UPDATE {head} SET {last_hash} = %s WHERE {team} = %s"  # noqa: S608 - names from the model, quoted
    head_params = [record.record_hash, record.team_id]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH moved AS ({move_head}) {insert_sql}", [*head_params, *insert_params]
            )
            record.pk = cursor.fetchone()[0]
        else:
            cursor.execute(insert_sql, insert_params)
            if compiler.returning_fields and connection.features.can_return_columns_from_insert:
                record.pk = cursor.fetchone()[0]
            else:  # an SQLite older than 3.35 has no RETURNING
                record.pk = connection.ops.last_insert_id(
                    cursor, CallRecord._meta.db_table, CallRecord._meta.pk.column
                )
            cursor.execute(move_head, head_params)
    record._state.adding = False
    record._state.db = connection.alias


def chain_append(record: CallRecord) -> CallRecord:
    """Give `record` the team's next position and hash, and insert it (one at a time per team).

    Three statements and one commit on PostgreSQL (lock and advance the head; insert
    and close the head; commit), the fewest that keep the chain whole: the hash needs
    the previous hash, read under the lock.
    """
    with transaction.atomic():
        record.seq, record.prev_hash = _advance_head(record.team_id)
        record.created_at = timezone.now()
        record.record_hash = record_digest(record, record.prev_hash)
        _insert_with_head(record)
    return record


@dataclass(frozen=True)
class ChainReport:
    """What verification found for one team."""

    team: str
    checked: int
    problem: str = ""
    record_id: int | None = None

    @property
    def ok(self) -> bool:
        """True when the whole chain holds."""
        return not self.problem


def chain_verify(team: Team) -> ChainReport:
    """Walk the team's chain from its last checkpoint and report the first broken link."""
    checkpoint = ChainCheckpoint.objects.filter(team=team).order_by("-seq").first()
    expected_seq = (checkpoint.seq if checkpoint else 0) + 1
    prev_hash = checkpoint.record_hash if checkpoint else ""
    records = CallRecord.objects.filter(team=team)
    unchained = records.filter(seq__isnull=True).order_by("id").first()
    if unchained is not None:
        return ChainReport(
            team.slug, 0, f"record {unchained.pk} was inserted outside the console", unchained.pk
        )
    checked = 0
    for record in records.filter(seq__gte=expected_seq).order_by("seq").iterator(chunk_size=2000):
        if record.seq != expected_seq:
            missing = f"{expected_seq}" + (
                f"-{record.seq - 1}" if record.seq - 1 > expected_seq else ""
            )
            return ChainReport(
                team.slug,
                checked,
                f"record(s) at position {missing} were removed (found {record.seq} next)",
                record.pk,
            )
        if record.prev_hash != prev_hash:
            return ChainReport(
                team.slug,
                checked,
                f"record {record.pk} (position {record.seq}) does not follow the record before "
                "it: a record was inserted or replaced",
                record.pk,
            )
        if record_digest(record, prev_hash) != record.record_hash:
            return ChainReport(
                team.slug,
                checked,
                f"record {record.pk} (position {record.seq}) was altered after it was written",
                record.pk,
            )
        prev_hash, expected_seq, checked = record.record_hash, expected_seq + 1, checked + 1
    head = ChainHead.objects.filter(team=team).first()
    if head is None and (checked or checkpoint is not None):
        # Without its head, removing the newest records would go unnoticed.
        return ChainReport(
            team.slug,
            checked,
            "the chain's head (its last position and hash) is missing, so records removed "
            "from the end cannot be detected",
        )
    if head is not None and head.seq < expected_seq - 1:
        # The head is read after the walk and only ever grows, so a record past it was
        # not appended by the console (even if its hash links up).
        beyond = records.filter(seq__gt=head.seq).order_by("seq").first()
        if beyond is not None:
            return ChainReport(
                team.slug,
                checked - (expected_seq - 1 - head.seq),
                f"record {beyond.pk} (position {beyond.seq}) lies past the end of the chain "
                f"(position {head.seq}): it was inserted outside the console",
                beyond.pk,
            )
    if head is not None and head.seq != expected_seq - 1:
        return ChainReport(
            team.slug,
            checked,
            f"the last record(s), position {expected_seq} to {head.seq}, were removed",
        )
    if head is not None and head.seq and head.last_hash != prev_hash:
        return ChainReport(team.slug, checked, "the last record was altered or replaced")
    return ChainReport(team.slug, checked)


def chain_prune(team: Team, older_than: datetime) -> int:
    """Remove the team's records older than `older_than`, leaving a checkpoint. Returns count."""
    with transaction.atomic():
        last = (
            CallRecord.objects.filter(team=team, created_at__lt=older_than, seq__isnull=False)
            .order_by("-seq")
            .first()
        )
        if last is None:
            return 0
        doomed = CallRecord.objects.filter(team=team, seq__lte=last.seq)
        if connection.vendor == "postgresql":
            # The append-only trigger lets DELETE through only inside this transaction.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL console.history_prune = 'on'")
        count = doomed.count()
        ChainCheckpoint.objects.create(
            team=team,
            seq=last.seq,
            record_hash=last.record_hash,
            pruned=count,
            older_than=older_than,
        )
        models.QuerySet.delete(doomed)  # the append-only queryset refuses; retention may
    return count
