"""Fields added to call records after chains existed (the upstream time, a binary body's
bytes): rows written before them still verify, and on new rows they are tamper-evident."""

from __future__ import annotations

import base64
import hashlib
import json

from django.db import connection, transaction

from console.history.chain import HASHED_FIELDS, _plain, chain_verify, record_digest
from console.history.models import CallRecord
from console.history.services import CallFacts, call_record

TOKEN = "tok-0123456789abcdef"


def _old_digest(record: CallRecord, prev_hash: str) -> str:
    """The digest as it was computed before the later fields existed."""
    content = {name: _plain(getattr(record, name)) for name in HASHED_FIELDS}
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def _raw(sql: str, params: list) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)


def _binary(person, body: bytes = b"\x00\x01PNG", upstream_ms: float = 12.5) -> CallRecord:
    facts = CallFacts(method="GET", url="https://api.example.com/file", status=200)
    facts.response_body = body
    facts.response_content_type = "image/png"
    facts.upstream_ms = upstream_ms
    return call_record(scope=person.scope, facts=facts, secrets=[TOKEN])


def test_a_row_without_the_later_fields_hashes_as_before(member, team):
    facts = CallFacts(method="GET", url="https://api.example.com/x", status=200)
    record = call_record(scope=member.scope, facts=facts)
    # As a row migrated from before: no upstream time (NULL), no binary body ("").
    _raw(
        "UPDATE history_callrecord SET upstream_ms = NULL, record_hash = %s WHERE id = %s",
        ["", record.pk],
    )
    old = CallRecord.objects.get(pk=record.pk)
    old_hash = _old_digest(old, old.prev_hash)
    _raw("UPDATE history_callrecord SET record_hash = %s WHERE id = %s", [old_hash, record.pk])
    _raw("UPDATE history_chainhead SET last_hash = %s WHERE team_id = %s", [old_hash, team.pk])

    assert record_digest(old, old.prev_hash) == old_hash
    assert chain_verify(team).ok


def test_the_upstream_time_is_hashed(member, team):
    record = _binary(member)
    assert chain_verify(team).ok

    _raw("UPDATE history_callrecord SET upstream_ms = 1 WHERE id = %s", [record.pk])
    report = chain_verify(team)
    assert report.record_id == record.pk
    assert "altered" in report.problem


def test_clearing_the_upstream_time_is_noticed(member, team):
    record = _binary(member)

    _raw("UPDATE history_callrecord SET upstream_ms = NULL WHERE id = %s", [record.pk])
    assert chain_verify(team).record_id == record.pk


def test_a_binary_body_is_hashed(member, team):
    record = _binary(member)
    forged = base64.b64encode(b"\x00\x01GIF").decode()

    _raw("UPDATE history_callrecord SET response_body_b64 = %s WHERE id = %s", [forged, record.pk])
    assert chain_verify(team).record_id == record.pk


def test_the_token_is_scrubbed_from_binary_bodies_too(member):
    record = _binary(member, b"\x00\x01" + TOKEN.encode() + b"\x02")

    kept = base64.b64decode(record.response_body_b64)
    assert TOKEN.encode() not in kept
    assert kept == b"\x00\x01[redacted]\x02"
