"""History at a million records: the filtered history page and the exports, on PostgreSQL.

    .venv/bin/python bench/history.py --postgres postgres://user@host:5432/db
                                      [--records 1000000] [--repeats 15] [--plans]
                                      [--keep | --reuse URL] [--no-pages] [--no-exports]
                                      [--inserts 2000]

Prints figures, asserts nothing. Creates a temporary database on that server (CREATE
DATABASE rights needed; the database named in the URL need not exist), migrates it, and
loads `--records` call records for one team plus a tenth as many for a second team,
interleaved by id (one INSERT … SELECT over generate_series per 100,000 rows, computed
by the server: fast, and realistic rather than chained; chain validity plays no part in
these timings). The rows look like the console's: 20 members, 60 operations and 5
Application Access credentials with skewed frequencies (some rare; the links' ids follow
the names, though no such rows exist), 86 % 2xx, 9.5 % 4xx,
2.5 % 5xx, 1.5 % transport errors, ~600-byte JSON answers, timestamps over 180 days
ascending with the id. Then VACUUM ANALYZE, and:

(a) `console.history.selectors.history_page` (the real selector, as the history page
    calls it) with one filter at a time and several at once, for the first page and
    for a deep keyset page (`before` = the 100,000th oldest record, 90 % of the way
    back), timed `--repeats` times each; EXPLAIN (ANALYZE, BUFFERS) of the exact SQL
    the selector ran, reduced to the plan's scan nodes and the indexes they use.
    The "text in the URL" filter is run with common, rare and absent texts of one, two
    and more characters. `filter_choices` (the page's drop-downs) is timed too, and
    the other reads an index serves: the Application Access page's recent calls and
    the query `prune_history` starts with.
(b) `export_jsonl` / `export_csv` over the whole team: rows per second and bytes.
(c) Peak memory of an export, with tracemalloc (Python allocations) and the growth of
    the process's peak RSS (everything, libpq's buffers included), for the newest
    10,000, 100,000 rows and all of them: constant means it does not grow with the rows.
(d) The cost of a Send's record: `chain_append` of `--inserts` realistic records, each
    committed, timed one by one (with and without waiting for the WAL flush), and the
    database's own µs and WAL bytes per record (INSERTs in a PL/pgSQL loop): what the
    indexes cost each insert. The records are removed afterwards and the table vacuumed.

The database is dropped at the end (`--keep` keeps it and prints its URL; `--reuse URL`
runs (a)-(d) on a database kept earlier, skipping the load).
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import re
import resource
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any

from common import (  # bench/ is on sys.path when run as a script
    db_version,
    log,
    nearest_rank,
    quantiles,
    setup_django,
    table,
    temporary_pg_database,
)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BATCH = 100_000
SECOND_TEAM_EVERY = 11  # every 11th row belongs to the second team
# ---------------------------------------------------------------- the data


def _weighted(pairs: Iterable[tuple[Any, float]], slots: int = 1000) -> list[Any]:
    """`slots` entries, each value repeated in proportion to its weight (for array picks)."""
    pairs = list(pairs)
    total = sum(w for _, w in pairs)
    out: list[Any] = []
    for value, weight in pairs:
        out += [value] * max(1, round(slots * weight / total))
    return (out + [pairs[0][0]] * slots)[:slots]


USERS = [
    ("mia", 20), ("max", 15), ("adam", 12), ("olivia", 10), ("noah", 8), ("emma", 7),
    ("liam", 6), ("ava", 5), ("lucas", 4), ("sofia", 3), ("elias", 2), ("ida", 2),
    ("hugo", 1.5), ("ella", 1.2), ("oskar", 1), ("alma", 0.8), ("leo", 0.6), ("maja", 0.5),
    ("viktor", 0.3), ("oscar", 0.1),
]  # fmt: skip
ACCESSES = [  # (access name, environment name, base URL), weight
    (("Metering prod EU", "Production EU", "https://api.digitalroute.io"), 55),
    (("Metering prod US", "Production US", "https://api.us.digitalroute.io"), 25),
    (("Metering test", "Test", "https://api.test.digitalroute.io"), 15),
    (("Billing sync", "Production EU", "https://api.digitalroute.io"), 4.8),
    (("Old production", "Production EU", "https://api.digitalroute.io"), 0.2),
]
_RESOURCES = [
    "meter-types", "meters", "streams", "usage-records", "customers", "subscriptions",
    "price-plans", "invoices", "alerts", "exports", "imports", "webhooks",
]  # fmt: skip
_VERBS = [  # (operationId prefix, method, path suffix)
    ("list", "GET", ""), ("get", "GET", "/{id}"), ("create", "POST", ""),
    ("update", "PUT", "/{id}"), ("delete", "DELETE", "/{id}"),
]  # fmt: skip


def _operations() -> list[tuple[tuple[str, str, str, str], float]]:
    ops = []
    for r, resource_name in enumerate(_RESOURCES):
        camel = "".join(part.title() for part in resource_name.split("-"))
        for v, (verb, method, suffix) in enumerate(_VERBS):
            key = f"{verb}{camel}"
            label = f"{method} {verb.title()} {resource_name.replace('-', ' ')}"
            path = f"/metering/v1/{resource_name}{suffix}"
            weight = 100 / (1 + r) / (1 + 2 * v)  # Zipf-like: lists of early resources lead
            ops.append(((key, label, method, path), weight))
    return ops


OPERATIONS = _operations()


def _column_sql(total: int) -> tuple[list[str], list[str], list[Any]]:
    """Column names, the SQL expression of each, and the parameters for them.

    Columns the bench does not know (added later) get their field's default, so the
    bench keeps working as the model grows.
    """
    from psycopg.types.json import Jsonb

    from console.history.models import CallRecord

    users = _weighted(USERS)
    accesses = _weighted(ACCESSES)
    operations = _weighted(OPERATIONS)
    # The links' ids are the position (from 1) of the user, credential or operation in
    # its list: skewed like the names (no such rows exist; the links have no constraint).
    positions = [
        {value: n for n, (value, _) in enumerate(pairs, 1)}
        for pairs in (USERS, ACCESSES, OPERATIONS)
    ]
    span = 180 * 86400
    base = f"now() - interval '{span} seconds'"
    team = f"CASE WHEN mod(g.n, {SECOND_TEAM_EVERY}) = 0 THEN %(small)s ELSE %(big)s END"
    status = (
        "CASE WHEN g.rs < 0.80 THEN 200 WHEN g.rs < 0.86 THEN 201 WHEN g.rs < 0.865 THEN 302 "
        "WHEN g.rs < 0.90 THEN 404 WHEN g.rs < 0.93 THEN 400 WHEN g.rs < 0.95 THEN 401 "
        "WHEN g.rs < 0.96 THEN 429 WHEN g.rs < 0.985 THEN 500 ELSE NULL END"
    )
    body = (
        '\'{"id":"m-\' || g.n || \'","name":"Meter \' || g.n || \'","unit":"requests",'
        '"aggregation":"sum","values":[\' || repeat(\'{"t":"2026-11-01T10:00:00Z",'
        '"v":12345},\', 12) || \'{"t":"2026-11-01T10:00:00Z","v":1}]}\''
    )
    url = (
        "(%(bases)s::text[])[g.ra] || replace((%(paths)s::text[])[g.ro], '{id}', "
        "'m-' || mod(g.n, 50000))"
    )
    known = {
        "team_id": team,
        "seq": (
            f"CASE WHEN mod(g.n, {SECOND_TEAM_EVERY}) = 0 THEN g.n / {SECOND_TEAM_EVERY} "
            f"ELSE g.n - g.n / {SECOND_TEAM_EVERY} END"
        ),
        "created_at": f"{base} + g.n * interval '{span / total} seconds'",
        "user_id": "(%(user_ids)s::int[])[g.ru]",
        "username": "(%(users)s::text[])[g.ru]",
        "access_id": "(%(access_ids)s::int[])[g.ra]",
        "access_name": "(%(access_names)s::text[])[g.ra]",
        "environment_name": "(%(environments)s::text[])[g.ra]",
        "operation_id": "(%(op_ids)s::int[])[g.ro]",
        "operation_key": "(%(op_keys)s::text[])[g.ro]",
        "operation_label": "(%(op_labels)s::text[])[g.ro]",
        "method": "(%(methods)s::text[])[g.ro]",
        "url": url,
        "request_headers": (
            '\'[["Accept","application/json, */*;q=0.5"],'
            '["Authorization","Bearer [redacted]"]]\'::jsonb'
        ),
        "request_body": (
            "CASE WHEN (%(methods)s::text[])[g.ro] IN ('POST', 'PUT') "
            'THEN \'{"name":"Meter \' || g.n || \'","unit":"requests"}\' ELSE \'\' END'
        ),
        "status": status,
        "response_headers": (
            'CASE WHEN g.rs < 0.985 THEN \'[["Content-Type","application/json"],'
            '["Date","Thu, 26 Nov 2026 08:00:00 GMT"]]\'::jsonb ELSE \'[]\'::jsonb END'
        ),
        "response_body": f"CASE WHEN g.rs < 0.985 THEN {body} ELSE '' END",
        "response_size": f"CASE WHEN g.rs < 0.985 THEN length({body}) ELSE 0 END",
        "response_truncated": "false",
        "duration_ms": "round((40 + g.rd * 200)::numeric, 2)",
        "token_ms": "round((g.rd * 2)::numeric, 2)",
        "token_source": "CASE WHEN mod(g.n, 500) = 0 THEN 'fetched' ELSE 'cached' END",
        "error_kind": "CASE WHEN g.rs >= 0.985 THEN 'timeout' ELSE '' END",
        "error_message": (
            "CASE WHEN g.rs >= 0.985 THEN 'api.digitalroute.io did not answer within 30 s.' "
            "ELSE '' END"
        ),
        "prev_hash": "md5(g.n::text) || md5((g.n + 7)::text)",
        "record_hash": "md5((g.n + 1)::text) || md5((g.n + 8)::text)",
    }
    params: dict[str, Any] = {
        "users": list(users),
        "user_ids": [positions[0][u] for u in users],
        "access_ids": [positions[1][a] for a in accesses],
        "op_ids": [positions[2][o] for o in operations],
        "access_names": [a[0] for a in accesses],
        "environments": [a[1] for a in accesses],
        "bases": [a[2] for a in accesses],
        "op_keys": [o[0] for o in operations],
        "op_labels": [o[1] for o in operations],
        "methods": [o[2] for o in operations],
        "paths": [o[3] for o in operations],
    }
    from django.db import connection

    with connection.cursor() as cursor:
        in_table = {
            c.name
            for c in connection.introspection.get_table_description(
                cursor, CallRecord._meta.db_table
            )
        }
    columns, expressions = [], []
    for field in CallRecord._meta.concrete_fields:
        if field.primary_key or field.column not in in_table:
            continue
        columns.append(field.column)
        if field.column in known:
            expressions.append(known[field.column])
            continue
        default = field.get_default()
        name = f"default_{field.column}"
        params[name] = Jsonb(default) if field.get_internal_type() == "JSONField" else default
        expressions.append(f"%({name})s")
    return columns, expressions, params  # type: ignore[return-value]


def load(records: int) -> dict[str, Any]:
    """Two teams, their members, and `records` (+10 %) call records; returns the ids."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from console.history.models import CallRecord, ChainHead
    from console.teams.models import Membership, Role, Team

    big = Team.objects.create(name="Metering", slug="metering")
    small = Team.objects.create(name="Billing", slug="billing")
    viewer = get_user_model().objects.create_user(username="auditor")
    Membership.objects.create(team=big, user=viewer, role=Role.VIEWER)
    total = records * SECOND_TEAM_EVERY // (SECOND_TEAM_EVERY - 1)
    columns, expressions, params = _column_sql(total)
    params.update(big=big.pk, small=small.pk)
    sql = (
        f"INSERT INTO {CallRecord._meta.db_table} ({', '.join(columns)}) "  # noqa: S608
        f"SELECT {', '.join(expressions)} FROM ("
        "SELECT n, 1 + floor(random() * 1000)::int AS ru, 1 + floor(random() * 1000)::int AS ro,"
        " 1 + floor(random() * 1000)::int AS ra, random() AS rs, random() AS rd"
        " FROM generate_series(%(lo)s, %(hi)s) AS n) AS g"
    )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.42)")
        for lo in range(1, total + 1, BATCH):
            hi = min(total, lo + BATCH - 1)
            cursor.execute(sql, {**params, "lo": lo, "hi": hi})
            log(f"loaded {hi:,} of {total:,} rows")
    load_s = time.perf_counter() - started
    log("VACUUM ANALYZE")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {CallRecord._meta.db_table}")
    vacuum_s = time.perf_counter() - started
    for team in (big, small):
        last = CallRecord.objects.filter(team=team).order_by("-seq").first()
        ChainHead.objects.create(team=team, seq=last.seq, last_hash=last.record_hash)
    return {
        "total": total,
        "team_rows": CallRecord.objects.filter(team=big).count(),
        "other_rows": CallRecord.objects.filter(team=small).count(),
        "load_s": load_s,
        "vacuum_s": vacuum_s,
    }


# ---------------------------------------------------------------- (a) the history page


def _scope() -> Any:
    from console.teams.models import Membership
    from console.teams.scoping import TeamScope

    membership = Membership.objects.select_related("team", "user").get(team__slug="metering")
    return TeamScope(membership)


_SCAN = re.compile(
    r"((?:Parallel )?(?:Index Only Scan|Index Scan|Bitmap Index Scan|Bitmap Heap Scan|"
    r"Seq Scan)(?: Backward)?(?: using (\S+))?(?: on (\S+))?)"
)


def _plan(sql: str) -> dict[str, Any]:
    """EXPLAIN (ANALYZE, BUFFERS) of `sql`: the scan nodes and the execution time."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT) " + sql)
        lines = [row[0] for row in cursor.fetchall()]
    scans = []
    for line in lines:
        match = _SCAN.search(line)
        if match:
            scans.append(match.group(1).replace(" on history_callrecord", ""))
    executed = next((ln for ln in lines if ln.startswith("Execution Time")), "")
    return {"scans": scans, "execution": executed, "text": "\n".join(lines)}


def _timed(fn: Callable[[], Any], repeats: int) -> list[float]:
    fn()  # warm: plan cache, buffers
    out = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def bench_pages(repeats: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from console.history.models import CallRecord
    from console.history.selectors import HistoryFilter, filter_choices, history_page

    scope = _scope()
    team_records = CallRecord.objects.filter(team=scope.team)
    deep_before = team_records.order_by("id").values_list("id", flat=True)[
        team_records.count() // 10
    ]
    now = timezone.now()
    window = {"since": now - timedelta(days=60), "until": now - timedelta(days=53)}
    cases = [
        ("no filter", HistoryFilter()),
        ("member (common, ~20 %)", HistoryFilter(user="mia")),
        ("member (rare, ~0.1 %)", HistoryFilter(user="oscar")),
        ("operation (common)", HistoryFilter(operation="listMeterTypes")),
        ("operation (rare)", HistoryFilter(operation="deleteWebhooks")),
        ("status class 5xx (~2.5 %)", HistoryFilter(status="5xx")),
        ("status: transport error (~1.5 %)", HistoryFilter(status="error")),
        ("Application Access (rare, 0.2 %)", HistoryFilter(access="Old production")),
        ("environment", HistoryFilter(environment="Production US")),
        ("time range (one week)", HistoryFilter(**window)),
        # The text filter: the URLs are https://api[.us|.test].digitalroute.io/metering/v1/
        # <resource>[/m-<0..49999>]. Texts of 3+ letters or digits in a row can be looked
        # up by trigram; shorter ones are found by reading the newest rows first.
        ('text, common ("meter-types", ~32 %)', HistoryFilter(q="meter-types")),
        ('text, rare ("meters/m-4242", 19 rows)', HistoryFilter(q="meters/m-4242")),
        ('text, absent ("no-such-path")', HistoryFilter(q="no-such-path")),
        ('text, one char, common ("M", all)', HistoryFilter(q="M")),
        ('text, two chars, common ("v1", all)', HistoryFilter(q="v1")),
        ('text, two chars, rarer ("bh", ~2.6 %)', HistoryFilter(q="bh")),
        ('text, two chars, absent ("zq")', HistoryFilter(q="zq")),
        ('text, no 3 letters in a row ("s/m-4", ~7 %)', HistoryFilter(q="s/m-4")),
        (
            "member + status 4xx + environment + since 90 days",
            HistoryFilter(
                user="max",
                status="4xx",
                environment="Production EU",
                since=now - timedelta(days=90),
            ),
        ),
    ]
    results = []
    for label, filters in cases:
        for page, before in (("first", None), ("deep", deep_before)):
            if page == "deep" and filters.since is not None and filters.until is not None:
                # A deep page of a one-week window: its oldest tenth.
                inside = filters.apply(team_records).order_by("id").values_list("id", flat=True)
                count = inside.count()
                before = inside[max(0, count // 10)] if count else None
            with CaptureQueriesContext(connection) as captured:
                found = history_page(scope, filters, before)
            sql = captured.captured_queries[-1]["sql"]
            times = _timed(lambda f=filters, b=before: history_page(scope, f, b), repeats)
            plan = _plan(sql)
            results.append(
                {
                    "case": label,
                    "page": page,
                    "rows": len(found.records),
                    **quantiles(times),
                    "scans": plan["scans"],
                    "plan_ms": plan["execution"],
                    "plan": plan["text"],
                }
            )
            log(f"(a) {label}, {page} page: {statistics.median(times) * 1000:.1f} ms")
    with CaptureQueriesContext(connection) as captured:
        filter_choices(scope)
    choice_times = _timed(lambda: filter_choices(scope), max(3, repeats // 3))
    choice_plans = [_plan(q["sql"]) for q in captured.captured_queries]
    return {
        "pages": results,
        "deep_before": deep_before,
        "choices": {
            **quantiles(choice_times),
            "queries": len(captured.captured_queries),
            "scans": [p["scans"] for p in choice_plans],
            "plan_ms": [p["execution"] for p in choice_plans],
        },
        "others": _other_reads(scope, repeats),
    }


def _other_reads(scope: Any, repeats: int) -> list[dict[str, Any]]:
    """The other reads of CallRecord that an index serves: the Application Access page's
    recent calls (`vault.views._activity`) and the query `chain_prune` starts with."""
    from types import SimpleNamespace

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from console.history.models import CallRecord
    from console.vault.views import _activity

    def recent(access_id: int) -> Callable[[], list[Any]]:
        return lambda: list(_activity(scope, SimpleNamespace(pk=access_id))["recent"])

    older_than = timezone.now() - timedelta(days=90)

    def prune_start() -> Any:  # as in console.history.chain.chain_prune
        return (
            CallRecord.objects.filter(team=scope.team, created_at__lt=older_than, seq__isnull=False)
            .order_by("-seq")
            .first()
        )

    cases = [
        ("access page: recent calls, common access (55 %)", recent(1)),
        ("access page: recent calls, rare access (0.2 %)", recent(5)),
        ("access page: recent calls, access without calls", recent(999)),
        ("prune_history: last record older than 90 days", prune_start),
    ]
    out = []
    for label, fn in cases:
        with CaptureQueriesContext(connection) as captured:
            fn()
        sql = next(q["sql"] for q in captured.captured_queries if "history_callrecord" in q["sql"])
        times = _timed(fn, repeats)
        plan = _plan(sql)
        out.append(
            {"case": label, **quantiles(times), "scans": plan["scans"], "plan": plan["text"]}
        )
        log(f"(a) {label}: {statistics.median(times) * 1000:.1f} ms")
    return out


# ---------------------------------------------------------------- (d) the cost of a Send's record


def _append_loop(team: Any, count: int) -> list[float]:
    """`chain_append` of `count` realistic records (after 50 untimed), seconds each."""
    from console.history.chain import chain_append
    from console.history.models import CallRecord

    body = (
        '{"id":"m-1","name":"Meter 1","unit":"requests","values":['
        + ('{"t":"2026-11-01T10:00:00Z","v":12345},' * 12)
        + '{"t":"2026-11-01T10:00:00Z","v":1}]}'
    )
    times = []
    for n in range(count + 50):  # the first 50 warm up (plans, caches)
        (key, label, method, path), _ = OPERATIONS[n % len(OPERATIONS)]
        (access_name, environment, base), _ = ACCESSES[n % len(ACCESSES)]
        record = CallRecord(
            team=team,
            user_id=1 + n % len(USERS),
            username=USERS[n % len(USERS)][0],
            access_id=1 + n % len(ACCESSES),
            access_name=access_name,
            environment_name=environment,
            operation_id=1 + n % len(OPERATIONS),
            operation_key=key,
            operation_label=label,
            method=method,
            url=base + path.replace("{id}", f"m-{n}"),
            request_headers=[["Accept", "application/json"], ["Authorization", "[redacted]"]],
            status=200,
            response_headers=[["Content-Type", "application/json"]],
            response_body=body,
            response_size=len(body),
            duration_ms=120.5,
            token_ms=0.4,
            upstream_ms=118.0,
            token_source="cached",
        )
        started = time.perf_counter()
        chain_append(record)
        if n >= 50:
            times.append(time.perf_counter() - started)
    return times


def _spread(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {**quantiles(times), "p99": nearest_rank(ordered, 0.99), "max": ordered[-1]}


def _server_side_inserts(team: Any, count: int) -> tuple[float, float]:
    """µs and WAL bytes per INSERT of a copy of a team's record, in a PL/pgSQL loop.

    The database's own cost of a record, its index inserts included, without the round
    trips, the commit and Python: what differs when indexes are added or dropped. The
    loop's transaction is rolled back (the VACUUM after it clears the dead rows).
    """
    from django.db import connection, transaction

    from console.history.models import CallRecord

    records = CallRecord.objects.filter(team=team, url__contains="/m-")
    template = records.order_by("-id").values_list("id", flat=True)[0]
    columns = [
        f.column for f in CallRecord._meta.concrete_fields if f.column not in ("id", "seq", "url")
    ]
    listed = ", ".join(columns)
    # The URL varies, so each row adds its own trigrams and ids, as real records do.
    function = f"""
        CREATE FUNCTION pg_temp.bench_append(n int, OUT us float8, OUT wal float8) AS $$
        DECLARE
            started timestamptz := clock_timestamp();
            lsn pg_lsn := pg_current_wal_insert_lsn();
        BEGIN
            FOR i IN 1..n LOOP
                INSERT INTO history_callrecord (url, {listed})
                SELECT replace(url, '/m-', '/m-' || i || '-'), {listed}
                FROM history_callrecord WHERE id = {template};
            END LOOP;
            us := extract(epoch FROM clock_timestamp() - started) * 1e6 / n;
            wal := pg_wal_lsn_diff(pg_current_wal_insert_lsn(), lsn) / n;
        END $$ LANGUAGE plpgsql
    """  # noqa: S608 - column names from the model, the id an integer
    runs = []
    for _ in range(3):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(function)
            cursor.execute("SELECT * FROM pg_temp.bench_append(%s)", [count])
            runs.append(cursor.fetchone())
            transaction.set_rollback(True)
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def bench_inserts(count: int) -> dict[str, Any]:
    """(d) `chain_append`, what every Send does, of `count` realistic records, timed one by one.

    Into a team of their own, twice, each committed as a Send commits it: as configured,
    then with `synchronous_commit = off` (the commit does not wait for the WAL flush: the
    statements and their index inserts without the disk's latency, the steadier figure
    to compare indexes with). The records are removed afterwards and the table vacuumed
    (which also empties a GIN index's pending list), so the measured team's pages stay
    as loaded.
    """
    from django.db import connection, transaction

    from console.history.models import ChainHead
    from console.teams.models import Team

    team, _ = Team.objects.get_or_create(slug="inserts", defaults={"name": "Inserts"})
    committed = _append_loop(team, count)
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
    asynchronous = _append_loop(team, count)
    with connection.cursor() as cursor:
        cursor.execute("RESET synchronous_commit")
    server_us, server_wal = _server_side_inserts(team, count)
    log("(d) removing the appended records, VACUUM")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL console.history_prune = 'on'")  # the append-only trigger
        cursor.execute("DELETE FROM history_callrecord WHERE team_id = %s", [team.pk])
        ChainHead.objects.filter(team=team).delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM history_callrecord")
        cursor.execute(
            "SELECT indexrelname, pg_relation_size(indexrelid) FROM pg_stat_user_indexes "
            "WHERE relname = 'history_callrecord' ORDER BY indexrelname"
        )
        indexes = cursor.fetchall()
    return {
        "count": count,
        "committed": _spread(committed),
        "no WAL wait": _spread(asynchronous),
        "server_us": server_us,
        "server_wal": server_wal,
        "indexes": indexes,
    }


# ---------------------------------------------------------------- (b), (c) the exports


def _consume(chunks: Iterable[str]) -> tuple[int, int]:
    lines = size = 0
    for chunk in chunks:
        lines += 1
        size += len(chunk.encode())
    return lines, size


def bench_exports() -> dict[str, Any]:
    from console.history.export import export_csv, export_jsonl
    from console.history.models import CallRecord
    from console.history.selectors import HistoryFilter

    scope = _scope()
    records = HistoryFilter().apply(scope.all(CallRecord))
    out: dict[str, Any] = {"throughput": {}, "memory": []}
    for name, export in (("jsonl", export_jsonl), ("csv", export_csv)):
        log(f"(b) {name} export of the whole team")
        started = time.perf_counter()
        lines, size = _consume(export(records))
        elapsed = time.perf_counter() - started
        rows = lines - (1 if name == "csv" else 0)
        out["throughput"][name] = {
            "rows": rows,
            "bytes": size,
            "seconds": elapsed,
            "rows_per_s": rows / elapsed,
        }
    newest = records.order_by("-id").values_list("id", flat=True)
    total = records.count()
    for count in (10_000, 100_000, None):
        if count is not None and count >= total:
            continue
        subset = records if count is None else records.filter(id__gt=newest[count])
        for name, export in (("jsonl", export_jsonl), ("csv", export_csv)):
            if count is None and name == "csv":
                continue  # one full run under tracemalloc is enough (it is slow)
            log(f"(c) {name} export of {count or 'all'} rows under tracemalloc")
            gc.collect()
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            tracemalloc.start()
            lines, _ = _consume(export(subset))
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            out["memory"].append(
                {
                    "format": name,
                    "rows": lines - (1 if name == "csv" else 0),
                    "peak_bytes": peak,
                    "rss_growth_kib": rss_after - rss_before,
                }
            )
    return out


# ---------------------------------------------------------------- report


def ms(seconds: float) -> str:
    value = seconds * 1e3
    return f"{value:,.2f} ms" if value < 10 else f"{value:,.1f} ms"


def _scans(scans: list[str]) -> str:
    return "; ".join(dict.fromkeys(scans)) or "?"


def report(
    info: dict[str, Any],
    pages: dict[str, Any],
    exports: dict[str, Any],
    inserts: dict[str, Any] | None,
) -> None:
    print(
        f"Machine: {platform.system()} {platform.machine()}, nproc {os.cpu_count()}, "
        f"Python {platform.python_version()}, {info['database']}, "
        f"load average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    print()
    if "load_s" in info:
        print(
            f"Loaded {info['total']:,} rows ({info['team_rows']:,} for the measured team, "
            f"{info['other_rows']:,} for another) in {info['load_s']:.1f} s; VACUUM ANALYZE "
            f"{info['vacuum_s']:.1f} s. Table {info['table_size']}, indexes {info['index_size']}."
        )
        print()
    if pages["choices"] is not None:
        print("(a) history_page (50 rows + 1), newest first")
        print()
        rows = [
            [
                r["case"],
                r["page"],
                str(r["rows"]),
                ms(r["median"]),
                ms(r["p95"]),
                _scans(r["scans"]),
            ]
            for r in pages["pages"]
        ]
        print(table(["filter", "page", "rows", "median", "p95", "plan (scans, index)"], rows))
        print()
        c = pages["choices"]
        print(
            f"filter_choices (the page's drop-downs, {c['queries']} queries): median "
            f"{ms(c['median'])}, p95 {ms(c['p95'])}; scans: "
            + " | ".join(_scans(s) for s in c["scans"])
        )
        print()
        rows = [
            [r["case"], ms(r["median"]), ms(r["p95"]), _scans(r["scans"])] for r in pages["others"]
        ]
        print(table(["other reads", "median", "p95", "plan (scans, index)"], rows))
        print()
    if inserts is not None:
        print(f"(d) chain_append of {inserts['count']:,} records (one Send's record), µs each")
        print()
        rows = [
            [how, *(f"{inserts[how][k] * 1e6:,.0f}" for k in ("median", "p95", "p99", "max"))]
            for how in ("committed", "no WAL wait")
        ]
        print(table(["appended", "median", "p95", "p99", "max"], rows))
        print()
        print(
            f"The database's own cost of one record (INSERT in a PL/pgSQL loop, indexes "
            f"included, median of 3 x {inserts['count']:,}): {inserts['server_us']:,.0f} µs "
            f"and {inserts['server_wal']:,.0f} bytes of WAL"
        )
        print()
        print(
            f"{len(inserts['indexes'])} indexes on history_callrecord: "
            + ", ".join(f"{name} ({size / 2**20:,.0f} MiB)" for name, size in inserts["indexes"])
        )
        print()
    if exports["throughput"]:
        print("(b) Export of the whole team")
        print()
        rows = [
            [
                name,
                f"{t['rows']:,}",
                f"{t['bytes'] / 1e6:,.0f} MB",
                f"{t['seconds']:.1f} s",
                f"{t['rows_per_s']:,.0f}",
                f"{t['bytes'] / 1e6 / t['seconds']:.1f} MB/s",
            ]
            for name, t in exports["throughput"].items()
        ]
        print(table(["format", "rows", "size", "time", "rows/s", "throughput"], rows))
        print()
        print("(c) Peak memory of an export (tracemalloc: Python allocations)")
        print()
        rows = [
            [
                m["format"],
                f"{m['rows']:,}",
                f"{m['peak_bytes'] / 2**20:.1f} MiB",
                f"{m['rss_growth_kib'] / 1024:.1f} MiB",
            ]
            for m in exports["memory"]
        ]
        print(table(["format", "rows", "tracemalloc peak", "growth of peak RSS"], rows))


def _sizes() -> dict[str, str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_size_pretty(pg_table_size('history_callrecord')), "
            "pg_size_pretty(pg_indexes_size('history_callrecord'))"
        )
        table_size, index_size = cursor.fetchone()
    return {"table_size": table_size, "index_size": index_size}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", metavar="URL", help="PostgreSQL server (required)")
    parser.add_argument("--records", type=int, default=1_000_000, help="rows of the team")
    parser.add_argument("--repeats", type=int, default=15, help="timed runs per page")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--reuse", metavar="URL", help="a database kept by --keep")
    parser.add_argument("--plans", action="store_true", help="print every full plan")
    parser.add_argument("--no-pages", action="store_true", help="skip (a)")
    parser.add_argument("--no-exports", action="store_true", help="skip (b) and (c)")
    parser.add_argument(
        "--inserts", type=int, default=2000, metavar="N", help="records appended in (d); 0 skips"
    )
    args = parser.parse_args()
    if not (args.postgres or args.reuse):
        parser.error("--postgres URL is required")
    started = time.perf_counter()
    drop: Callable[[], None] | None = None
    if args.reuse:
        url = args.reuse
    else:
        url, drop = temporary_pg_database(args.postgres)
    tmp = Path(tempfile.mkdtemp(prefix="bench-history-"))  # CONSOLE_LOCAL_DIR
    try:
        setup_django(url, tmp)
        from django.core.management import call_command
        from django.db import connection, connections

        info: dict[str, Any] = {}
        if not args.reuse:
            log("migrating")
            call_command("migrate", verbosity=0, interactive=False)
            info.update(load(args.records))
        info["database"] = "PostgreSQL " + db_version(connection)
        info.update(_sizes())
        pages = (
            {"pages": [], "others": [], "choices": None}
            if args.no_pages
            else bench_pages(args.repeats)
        )
        exports = {"throughput": {}, "memory": []} if args.no_exports else bench_exports()
        inserts = bench_inserts(args.inserts) if args.inserts else None
        report(info, pages, exports, inserts)
        if args.plans:
            for r in pages["pages"]:
                print(f"\n-- {r['case']}, {r['page']} page\n{r['plan']}")
            for r in pages["others"]:
                print(f"\n-- {r['case']}\n{r['plan']}")
        print()
        print(f"Total bench time: {time.perf_counter() - started:.1f} s")
        connections.close_all()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if drop is not None and not args.keep:
            drop()
        elif drop is not None:
            print(f"Kept the database: {url}", file=sys.stderr)


if __name__ == "__main__":
    main()
