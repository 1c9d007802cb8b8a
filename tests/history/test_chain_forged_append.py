"""Tampering at the end of the chain: a forged row appended, the head removed.

Whoever can write to the table can compute the next hash (the algorithm is in the
code), but the chain's head, moved only by the console, still says where the chain
ends: a record past it was inserted outside the console. And a missing head is named
too, since without it removing the newest records would go unnoticed.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from console.history.chain import chain_verify, record_digest
from console.history.models import CallRecord, ChainHead
from console.history.services import CallFacts, call_record

pytestmark = pytest.mark.django_db


def _forge_after(last: CallRecord) -> CallRecord:
    forged = CallRecord.objects.get(pk=last.pk)
    forged.pk, forged.seq, forged.url = None, last.seq + 1, "https://evil.example/"
    forged.prev_hash = last.record_hash
    forged.record_hash = record_digest(forged, last.record_hash)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            connection.cursor().execute("SET LOCAL session_replication_role = replica")
        CallRecord._base_manager.bulk_create([forged])
    return CallRecord.objects.get(url="https://evil.example/")


def test_a_forged_record_past_the_head_is_named(member, team):
    for n in range(3):
        call_record(scope=member.scope, facts=CallFacts(method="GET", url=f"https://x/{n}"))
    last = CallRecord.objects.order_by("-seq").first()

    forged = _forge_after(last)

    report = chain_verify(team)
    assert not report.ok
    assert report.record_id == forged.pk
    assert report.checked == 3
    assert f"record {forged.pk} (position 4) lies past the end of the chain" in report.problem


def test_a_removed_chain_head_is_noticed(member, team):
    for n in range(3):
        call_record(scope=member.scope, facts=CallFacts(method="GET", url=f"https://x/{n}"))
    newest = CallRecord.objects.order_by("-seq").first()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            connection.cursor().execute("SET LOCAL session_replication_role = replica")
        connection.cursor().execute("DELETE FROM history_callrecord WHERE id = %s", [newest.pk])
    ChainHead.objects.filter(team=team).delete()  # hiding the removal of the newest record

    report = chain_verify(team)

    assert not report.ok
    assert "head" in report.problem
    assert report.checked == 2


def test_a_team_without_records_has_no_head_and_verifies(team):
    assert not ChainHead.objects.filter(team=team).exists()
    assert chain_verify(team).ok
