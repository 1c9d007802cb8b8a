"""The history chain: every record linked to the one before; tampering is named."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.utils import timezone

from console.history.chain import chain_prune, chain_verify
from console.history.models import CallRecord, ChainCheckpoint
from console.history.services import CallFacts, call_record


def _record(person, n: int) -> CallRecord:
    facts = CallFacts(method="GET", url=f"https://api.example.com/things/{n}", status=200)
    facts.response_body = b'{"n": %d}' % n
    return call_record(scope=person.scope, facts=facts)


def _raw(sql: str, params: list) -> None:
    """Change a row behind the console's back (on PostgreSQL, past its trigger)."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # As a superuser could: replica mode skips ordinary triggers.
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)


@pytest.fixture
def five(member, team):
    return [_record(member, n) for n in range(5)]


def test_records_are_chained_in_order(five, team):
    assert [r.seq for r in five] == [1, 2, 3, 4, 5]
    assert five[1].prev_hash == five[0].record_hash
    report = chain_verify(team)
    assert report.ok
    assert report.checked == 5


def test_teams_have_separate_chains(five, outsider, other_team, team):
    other = _record(outsider, 99)
    assert other.seq == 1
    assert chain_verify(other_team).ok
    assert chain_verify(team).ok


def test_an_edited_record_is_named(five, team):
    _raw("UPDATE history_callrecord SET status = 500 WHERE id = %s", [five[2].pk])
    report = chain_verify(team)
    assert not report.ok
    assert report.record_id == five[2].pk
    assert "altered" in report.problem


def test_a_removed_record_is_named(five, team):
    _raw("DELETE FROM history_callrecord WHERE id = %s", [five[1].pk])
    report = chain_verify(team)
    assert "position 2 were removed" in report.problem


def test_removing_the_newest_record_is_noticed(five, team):
    _raw("DELETE FROM history_callrecord WHERE id = %s", [five[4].pk])
    assert "position 5 to 5, were removed" in chain_verify(team).problem


def test_an_inserted_record_is_named(five, team, member):
    # Make room at position 3 (in two steps: the positions are unique).
    for shift in (1000, -999):
        _raw(
            "UPDATE history_callrecord SET seq = seq + %s WHERE team_id = %s AND seq >= 3",
            [shift, team.pk],
        )
    forged = CallRecord(
        team=team, username="mallory", method="DELETE", url="https://x", seq=3,
        prev_hash=five[1].record_hash, record_hash="0" * 64,
    )  # fmt: skip
    CallRecord._base_manager.bulk_create([forged])
    report = chain_verify(team)
    assert not report.ok
    assert report.record_id == CallRecord.objects.get(username="mallory").pk


def test_a_row_without_a_position_is_inserted(five, team):
    CallRecord._base_manager.bulk_create(
        [CallRecord(team=team, username="mallory", method="GET", url="https://x")]
    )
    assert "inserted outside the console" in chain_verify(team).problem


def test_verify_history_command_exits_non_zero_on_tampering(five, team, capsys):
    call_command("verify_history", team=team.slug)
    assert "5 record(s) verified, chain intact" in capsys.readouterr().out
    _raw("UPDATE history_callrecord SET url = %s WHERE id = %s", ["https://evil", five[0].pk])
    with pytest.raises(CommandError, match="do not verify"):
        call_command("verify_history", team=team.slug)
    assert f"record {five[0].pk}" in capsys.readouterr().out


def test_prune_keeps_the_chain_verifiable(five, team, member, capsys):
    _raw(
        "UPDATE history_callrecord SET created_at = %s WHERE id IN (%s, %s)",
        [timezone.now() - timedelta(days=200), five[0].pk, five[1].pk],
    )
    # Those two records now hash differently; prune removes exactly them.
    assert chain_prune(team, timezone.now() - timedelta(days=180)) == 2
    checkpoint = ChainCheckpoint.objects.get(team=team)
    assert checkpoint.seq == 2
    assert chain_verify(team).ok
    _record(member, 6)
    call_command("verify_history", team=team.slug)
    assert "4 record(s) verified" in capsys.readouterr().out


def test_prune_history_command(five, team, capsys):
    call_command("prune_history", older_than="180d")
    assert "removed 0 record(s)" in capsys.readouterr().out
    with pytest.raises(CommandError, match=r"e\.g\. 12h, 7d, 4w"):
        call_command("prune_history", older_than="soon")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgresql_refuses_update_and_delete(five):
    for sql in (
        "UPDATE history_callrecord SET status = 1 WHERE id = %s",
        "DELETE FROM history_callrecord WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            connection.cursor().execute(sql, [five[0].pk])
