"""A row appended behind the console's back with a hash that links up is still named.

Whoever can write to the table can compute the next hash (the algorithm is in the
code), but the chain's head, moved only by the console, still says where the chain
ends: a record past it was inserted outside the console.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from console.history.chain import chain_verify, record_digest
from console.history.models import CallRecord
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
