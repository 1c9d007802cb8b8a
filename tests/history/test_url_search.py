"""The history's "text in the URL" filter and the indexes behind the history.

* The filter finds what a case-insensitive, literal substring test finds, for texts of
  any length (1-2 characters and texts without three letters or digits in a row take
  the STRPOS form, the others the LIKE form the trigram index serves), with `%`, `_`
  and `\\` taken literally, on SQLite and on PostgreSQL; both forms agree on any text.
* On PostgreSQL, migration history/0008 leaves a valid trigram index that the planner
  uses for a rare text, and the short form cannot use it.
* Migration 0008 skips the index, with a warning, when pg_trgm cannot be created.
* Migration 0009 left exactly the indexes the queries need.
"""

from __future__ import annotations

import importlib
import random
from types import SimpleNamespace

import pytest
from django.db import DatabaseError, connection
from django.db.models import Q, Value
from django.db.models.functions import StrIndex, Upper
from django.db.models.lookups import GreaterThan
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.history.models import AuditEvent, CallRecord
from console.history.selectors import HistoryFilter, history_page, url_contains

pytestmark = pytest.mark.django_db

TRIGRAM_INDEX = "history_callrecord_url_trgm"
URLS = [
    "https://api.digitalroute.io/metering/v1/meters/m-4242",
    "https://api.digitalroute.io/metering/v1/meters/m-42",
    "https://API.US.digitalroute.io/metering/v1/Meter-Types",
    "https://api.test.digitalroute.io/metering/v1/streams?q=100%25_off",
    "https://x.example/100%off",
    "https://x.example/100Xoff",
    "https://x.example/a_b",
    "https://x.example/aXb",
    "https://x.example/a\\b",
    "https://x.example/V1/zq",
]
TEXTS = [
    # one and two characters (the STRPOS form)
    "m", "M", "v1", "V1", "zq", "Zq", "q", "%", "_", "\\", "%_", "_b", "a\\",
    # three or more, without three letters or digits in a row (STRPOS as well)
    "a_b", "a%b", "a\\b", "%25_", "s/m-4", "://", "%%%", "___",
    # three letters or digits in a row (the LIKE form)
    "meter-types", "MeTeR-tYpEs", "m-4242", "M-42", "100%", "100%off", "100%25_off",
    "a_b/", "nowhere-at-all", "digitalroute",
]  # fmt: skip


def _expected(text: str, urls: list[str]) -> set[str]:
    return {u for u in urls if text.upper() in u.upper()}


def _found(condition: Q | GreaterThan) -> set[str]:
    return set(CallRecord.objects.filter(condition).values_list("url", flat=True))


@pytest.fixture
def records(team, other_team):
    CallRecord._base_manager.bulk_create(
        [CallRecord(team=team, method="GET", url=url) for url in URLS]
        + [CallRecord(team=other_team, method="GET", url=url) for url in URLS[:3]]
    )
    return team


@pytest.mark.parametrize("text", TEXTS)
def test_history_page_finds_the_urls_containing_the_text(records, member, text):
    page = history_page(member.scope, HistoryFilter(q=text))

    assert {r.url for r in page.records} == _expected(text, URLS)
    assert all(r.team_id == records.pk for r in page.records)


@pytest.mark.parametrize("text", TEXTS)
def test_both_forms_find_the_same_records(records, text):
    like = Q(url__icontains=text)
    strpos = GreaterThan(StrIndex(Upper("url"), Upper(Value(text))), 0)
    expected = _expected(text, URLS)

    assert _found(like) == expected
    assert _found(strpos) == expected


def test_the_form_depends_on_three_letters_or_digits_in_a_row():
    assert isinstance(url_contains("meter"), Q)
    assert isinstance(url_contains("m-4242"), Q)
    for text in ("m", "v1", "a_b", "s/m-4", "://", "%%%"):
        assert isinstance(url_contains(text), GreaterThan), text


# Any text over the characters that matter: letters of both cases, digits, separators,
# and LIKE's wildcards and escape character.
_ALPHABET = "aAbBzZ019-/.:?=%_\\"
_RANDOM_URLS = [
    "https://h/" + "".join(random.Random(n).choices(_ALPHABET, k=12)) for n in range(40)
]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(alphabet=_ALPHABET, min_size=1, max_size=5))
def test_any_text_finds_what_a_substring_test_finds(team, text):
    if not CallRecord.objects.exists():  # the examples share one test's rows
        CallRecord._base_manager.bulk_create(
            [CallRecord(team=team, method="GET", url=url) for url in _RANDOM_URLS]
        )
    assert _found(url_contains(text)) == _expected(text, _RANDOM_URLS)
    assert _found(Q(url__icontains=text)) == _found(
        GreaterThan(StrIndex(Upper("url"), Upper(Value(text))), 0)
    )


# ---------------------------------------------------------------- PostgreSQL: the index

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigram index is PostgreSQL's"
)


def _explain(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql)  # `sql` is as it was sent, values in it
        return "\n".join(row[0] for row in cursor.fetchall())


@postgresql_only
def test_migrate_leaves_a_valid_trigram_index_on_upper_url():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indisvalid, pg_get_indexdef(i.indexrelid) FROM pg_index i"
            " WHERE i.indexrelid = to_regclass(%s)",
            [TRIGRAM_INDEX],
        )
        row = cursor.fetchone()
    assert row is not None, "migration history/0008 created no trigram index"
    valid, definition = row
    assert valid
    assert "USING gin (upper(url)" in definition
    assert "gin_trgm_ops" in definition


@postgresql_only
def test_the_planner_serves_a_rare_text_from_the_trigram_index(team, member):
    urls = [f"https://api.example.io/metering/v1/meters/m-{n}" for n in range(5000)]
    urls[1234] = "https://api.example.io/metering/v1/webhooks/zebra-1"
    CallRecord._base_manager.bulk_create(
        [CallRecord(team=team, method="GET", url=url) for url in urls]
    )
    with connection.cursor() as cursor:
        # What autovacuum would do: move the new rows' trigrams from the index's pending
        # list (which every search reads whole) into the index proper, and take stats.
        cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [TRIGRAM_INDEX])
        cursor.execute("ANALYZE history_callrecord")

    def page_sql(text: str) -> tuple[str, list]:
        with CaptureQueriesContext(connection) as captured:
            page = history_page(member.scope, HistoryFilter(q=text))
        return captured.captured_queries[-1]["sql"], page.records

    # A common text is found in the newest rows: no index search over every match.
    sql, found = page_sql("meters/m-")
    assert len(found) == 50
    assert TRIGRAM_INDEX not in _explain(sql)
    # At a few thousand rows a table scan costs about what an index does; keep the
    # planner off it, as a million rows would.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    sql, found = page_sql("ZEBRA")
    assert [r.url for r in found] == [urls[1234]]
    assert f"Bitmap Index Scan on {TRIGRAM_INDEX}" in _explain(sql)
    # A two-letter text has no trigram to look up: its form cannot use the index (a
    # trigram search would read the whole index, then every row it points to).
    sql, found = page_sql("zq")
    assert found == []
    assert TRIGRAM_INDEX not in _explain(sql)


# ---------------------------------------------------------------- migration 0008's fallback

migration_0008 = importlib.import_module(
    "console.history.migrations.0008_callrecord_url_trigram_index"
)


class _Cursor:
    """Records statements; refuses CREATE EXTENSION; answers the catalogue queries."""

    def __init__(self, log: list[str], opclass: str | None, valid: bool | None) -> None:
        self.log, self.opclass, self.valid, self.row = log, opclass, valid, None

    def __enter__(self) -> _Cursor:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def execute(self, sql: str, params: object = None) -> None:
        self.log.append(sql)
        if sql.startswith("CREATE EXTENSION"):
            if self.opclass is None:
                raise DatabaseError('permission denied to create extension "pg_trgm"')
        elif "pg_opclass" in sql:
            self.row = None if self.opclass is None else (self.opclass,)
        elif "indisvalid" in sql:
            self.row = None if self.valid is None else (self.valid,)

    def fetchone(self) -> tuple | None:
        return self.row


def _run_0008(opclass: str | None, valid: bool | None = None) -> list[str]:
    log: list[str] = []
    fake = SimpleNamespace(
        vendor="postgresql", alias=connection.alias, cursor=lambda: _Cursor(log, opclass, valid)
    )
    migration_0008.create_index(None, SimpleNamespace(connection=fake))
    return log


def test_without_pg_trgm_the_migration_warns_and_skips_the_index(capsys):
    log = _run_0008(opclass=None)

    assert not [sql for sql in log if "CREATE INDEX" in sql]
    warning = capsys.readouterr().err
    assert "WARNING" in warning
    assert "pg_trgm" in warning
    assert "permission denied" in warning


def test_the_migration_builds_the_index_concurrently_with_the_installed_opclass():
    log = _run_0008(opclass="extensions.gin_trgm_ops")

    assert log[-1] == (
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {TRIGRAM_INDEX} ON history_callrecord"
        " USING gin (upper(url) extensions.gin_trgm_ops)"
    )
    assert not [sql for sql in log if sql.startswith("DROP")]


def test_the_migration_rebuilds_an_index_an_interrupted_build_left_invalid():
    log = _run_0008(opclass="public.gin_trgm_ops", valid=False)

    assert log[-2] == f"DROP INDEX CONCURRENTLY IF EXISTS {TRIGRAM_INDEX}"
    assert log[-1].startswith(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {TRIGRAM_INDEX}")


def test_the_migration_does_nothing_on_other_databases():
    fake = SimpleNamespace(vendor="sqlite", cursor=lambda: pytest.fail("no SQL on SQLite"))
    migration_0008.create_index(None, SimpleNamespace(connection=fake))


# ---------------------------------------------------------------- migration 0009: which indexes


def _indexed_columns(model) -> set[tuple[str, ...]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {
        tuple(c["columns"])
        for c in constraints.values()
        if (c["index"] or c["unique"])
        and not c["primary_key"]
        and c["columns"]
        and None not in c["columns"]  # the trigram index is on an expression
    }


def test_only_the_indexes_queries_use_are_left():
    # Every Send inserts a record: an index no query uses costs every one of them.
    assert _indexed_columns(CallRecord) == {
        ("team_id", "seq"),  # the chain (unique)
        ("team_id", "created_at", "id"),  # newest first, time ranges, prune_history
        ("team_id", "operation_key", "id"),
        ("team_id", "status", "id"),
        ("team_id", "username", "id"),
        ("team_id", "access_name", "id"),
        ("team_id", "environment_name", "id"),
        ("access_id",),  # the Application Access page's recent calls
    }
    assert _indexed_columns(AuditEvent) == {("team_id", "id"), ("access_id",)}
