"""The chain's hash: sha256 of the previous hash and the record's canonical JSON.

The record's hash is computed where it is appended (by PostgreSQL in the append's one
statement, by Python elsewhere) and checked by Python when the chain is verified. Both
must hash exactly the text this file spells out, whatever the record holds.
"""

from __future__ import annotations

import hashlib
import json

from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.history.chain import (
    HASHED_FIELDS,
    LATER_HASHED_FIELDS,
    _plain,
    canonical_around_seq,
    chain_verify,
    record_digest,
)
from console.history.models import CallRecord, ChainHead
from console.history.services import CallFacts, call_record

# Text a record can hold on every backend (PostgreSQL's text has no NUL).
TEXT = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"))


def _spelled_out(record: CallRecord, prev_hash: str) -> str:
    """The definition, written out independently of chain.py's split text."""
    content = {name: _plain(getattr(record, name)) for name in HASHED_FIELDS}
    for name, absent in LATER_HASHED_FIELDS.items():
        if getattr(record, name) != absent:
            content[name] = _plain(getattr(record, name))
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def _record(person, *, url: str, body: str, form: dict | None = None) -> CallRecord:
    facts = CallFacts(method="POST", url=url, status=201)
    facts.request_body = body
    facts.request_content_type = "text/plain"
    facts.response_body = body.encode()
    facts.response_content_type = "text/plain; charset=utf-8"
    facts.form_values = form
    return call_record(scope=person.scope, facts=facts)


def test_the_split_text_is_the_whole_canonical_text(member):
    record = _record(member, url="https://api.example.com/a", body='{"seq": 0}')
    before, after = canonical_around_seq(record)
    whole = json.loads(f"{before}{record.seq}{after}")
    assert whole["seq"] == record.seq
    assert whole["url"] == "https://api.example.com/a"
    assert record_digest(record, record.prev_hash) == _spelled_out(record, record.prev_hash)


def test_the_stored_hash_is_the_defined_one(member, team):
    """Computed by the database on PostgreSQL: it must equal Python's, byte for byte."""
    records = [
        _record(member, url="https://api.example.com/ä?q=ü", body="naïve — 日本語 🎉"),
        _record(member, url="https://api.example.com/quote", body='"\\ \n\t\r \u2028 \x01'),
        _record(member, url="https://api.example.com/f", body="", form={"values": {"seq": 7}}),
    ]
    for record in records:
        stored = CallRecord.objects.get(pk=record.pk)
        assert stored.record_hash == record.record_hash
        assert stored.record_hash == _spelled_out(stored, stored.prev_hash)
    assert [r.prev_hash for r in records[1:]] == [r.record_hash for r in records[:-1]]
    head = ChainHead.objects.get(team=team)
    assert (head.seq, head.last_hash, head.prev_hash) == (
        records[-1].seq,
        records[-1].record_hash,
        records[-2].record_hash,
    )
    assert chain_verify(team).ok


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    url=TEXT, body=TEXT, key=TEXT, value=st.one_of(TEXT, st.integers(), st.floats(allow_nan=False))
)
def test_any_content_hashes_as_defined(member, url, body, key, value):
    record = _record(member, url=url or "/", body=body, form={"values": {key: value}})
    stored = CallRecord.objects.get(pk=record.pk)
    assert stored.record_hash == _spelled_out(stored, stored.prev_hash), connection.vendor


def test_a_teams_first_record_creates_its_head(member, team):
    assert not ChainHead.objects.filter(team=team).exists()
    first = _record(member, url="https://api.example.com/first", body="")
    assert (first.seq, first.prev_hash) == (1, "")
    assert ChainHead.objects.get(team=team).last_hash == first.record_hash
