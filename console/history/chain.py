"""The tamper-evident history: each record is hashed with the previous record's hash.

Per team, records carry a position (`seq`) and `record_hash = sha256(prev_hash +
canonical content)`. Editing a row breaks its hash, removing one leaves a gap in
the positions, inserting one breaks the links; `verify` names the first such record.
Pruning keeps a checkpoint (the last removed record's position and hash), so the
chain still verifies from there.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from console.core.sql import quoted
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
LATER_HASHED_FIELDS = {
    "upstream_ms": None,
    "response_body_b64": "",
    "form_values": None,
    "via": "",
}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return value


def _canonical(content: dict[str, Any]) -> str:
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def canonical_around_seq(record: CallRecord) -> tuple[str, str]:
    """The record's canonical content (sorted, compact JSON) before and after its position.

    `before + str(seq) + after` is the whole canonical text. Split, so that PostgreSQL can
    hash it with the position it hands out under the chain head's lock, in the same
    statement (see `_append_sql`).
    """
    content = {name: _plain(getattr(record, name)) for name in HASHED_FIELDS if name != "seq"}
    for name, absent in LATER_HASHED_FIELDS.items():
        value = getattr(record, name)
        if value != absent:
            content[name] = _plain(value)
    # sort_keys writes the keys in Python's string order, so these halves are the text
    # on either side of the "seq" member of the whole object.
    before = _canonical({k: v for k, v in content.items() if k < "seq"})[:-1]
    after = _canonical({k: v for k, v in content.items() if k > "seq"})[1:]
    return (
        before + ("," if len(before) > 1 else "") + '"seq":',
        ("," if len(after) > 1 else "") + after,
    )


def record_digest(record: CallRecord, prev_hash: str) -> str:
    """The hash of a record's canonical content chained to `prev_hash`."""
    before, after = canonical_around_seq(record)
    canonical = f"{before}{record.seq if record.seq is not None else 'null'}{after}"
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


CHAIN_FIELDS = ("seq", "prev_hash", "record_hash")


@functools.cache
def _content_fields() -> tuple[models.Field, ...]:
    """The columns a record is inserted with, besides its id and its place in the chain."""
    return tuple(
        f
        for f in CallRecord._meta.concrete_fields
        if not f.primary_key and f.name not in CHAIN_FIELDS
    )


def _content_params(record: CallRecord) -> list[Any]:
    """The record's column values prepared for this database, as `save()` would."""
    return [f.get_db_prep_save(f.pre_save(record, True), connection) for f in _content_fields()]


@dataclass(frozen=True)
class _AppendSQL:
    """The statements that append a record, built once from the models' names."""

    one_statement: str  # PostgreSQL: advance, hash, insert and close in one (see below)
    advance: str  # elsewhere: lock and advance the head, return the position and prev hash
    insert: str  # elsewhere: the record with its place in the chain
    close: str  # elsewhere: the head's new last hash


@functools.cache
def _append_sql(vendor: str) -> _AppendSQL:
    """The append statements for `vendor` (the cache key; names are quoted for it).

    In PostgreSQL's one statement, the UPDATE takes the head's row lock (every other
    appender of the team waits for this statement's transaction), and in its SET every
    column reads the row as it was once locked: the position is seq + 1, the previous
    hash is the old last_hash, and the new last_hash is sha256 of that hash and the
    canonical text around the position, the same text `record_digest` hashes. The
    INSERT takes all three from the head's RETURNING, and adds no row if the team has
    no head yet. In autocommit it is one round trip, with no BEGIN or COMMIT of its own.
    """
    head, seq, prev, last, team = quoted(ChainHead, "seq", "prev_hash", "last_hash", "team")
    fields = _content_fields()
    table, pk, *names = quoted(
        CallRecord, CallRecord._meta.pk.name, *(f.name for f in fields), *CHAIN_FIELDS
    )
    columns, chain = ", ".join(names), names[len(fields) :]
    values = ", ".join(["%s"] * len(fields))
    digest = f"ENCODE(SHA256(CONVERT_TO({last} || %s || ({seq} + 1)::text || %s, 'UTF8')), 'hex')"
    # Names come from the models, quoted; every value is a parameter.
    return _AppendSQL(
        one_statement=(
            f"WITH head AS (UPDATE {head} SET {seq} = {seq} + 1, {prev} = {last}, "  # noqa: S608
            f"{last} = {digest} WHERE {team} = %s RETURNING {seq}, {prev}, {last}) "
            f"INSERT INTO {table} ({columns}) "
            f"SELECT {values}, head.{seq}, head.{prev}, head.{last} FROM head "
            f"RETURNING {pk}, {', '.join(chain)}"
        ),
        advance=(
            f"UPDATE {head} SET {seq} = {seq} + 1, {prev} = {last} WHERE {team} = %s "  # noqa: S608
            f"RETURNING {seq}, {prev}"
        ),
        insert=f"INSERT INTO {table} ({columns}) VALUES ({values}, %s, %s, %s)",  # noqa: S608
        close=f"UPDATE {head} SET {last} = %s WHERE {team} = %s",  # noqa: S608
    )


def _append_in_one_statement(record: CallRecord) -> bool:
    """Append on PostgreSQL; False if the team has no head yet."""
    before, after = canonical_around_seq(record)
    params = [before, after, record.team_id, *_content_params(record)]
    with connection.cursor() as cursor:
        cursor.execute(_append_sql(connection.vendor).one_statement, params)
        row = cursor.fetchone()
    if row is None:
        return False
    record.pk, record.seq, record.prev_hash, record.record_hash = row
    return True


def _append_in_a_transaction(record: CallRecord) -> bool:
    """Append where one statement cannot (no data-modifying WITH), hashing in Python;
    False if the team has no head yet."""
    sql = _append_sql(connection.vendor)
    with transaction.atomic(), connection.cursor() as cursor:
        # The UPDATE takes the write lock that queues every other appender, and reads
        # the head as it is once that lock is held.
        cursor.execute(sql.advance, [record.team_id])
        row = cursor.fetchone()
        if row is None:
            return False
        record.seq, record.prev_hash = int(row[0]), str(row[1])
        record.record_hash = record_digest(record, record.prev_hash)
        chain = [record.seq, record.prev_hash, record.record_hash]
        cursor.execute(sql.insert, [*_content_params(record), *chain])
        record.pk = connection.ops.last_insert_id(
            cursor, CallRecord._meta.db_table, CallRecord._meta.pk.column
        )
        cursor.execute(sql.close, [record.record_hash, record.team_id])
    return True


def chain_append(record: CallRecord) -> CallRecord:
    """Give `record` the team's next position and hash, and insert it (one at a time per team).

    On PostgreSQL one statement in autocommit; elsewhere three in one transaction. A
    team's first append creates its head. The time is taken before the head's lock, so
    records sent at the same moment may be a few milliseconds apart in time order
    from their order in the chain.
    """
    record.created_at = timezone.now()
    append = (
        _append_in_one_statement if connection.vendor == "postgresql" else _append_in_a_transaction
    )
    if not append(record):
        ChainHead.objects.get_or_create(team_id=record.team_id)
        if not append(record):
            raise RuntimeError(f"The history chain of team {record.team_id} has no head.")
    record._state.adding = False
    record._state.db = connection.alias
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
