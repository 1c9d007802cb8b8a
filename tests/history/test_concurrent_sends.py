"""50 concurrent Sends through a real multi-process server: 50 records, one intact chain.

The console runs under gunicorn (4 worker processes x 2 threads, the production
settings module `console.settings`) in a subprocess on a socket this test binds to a free
127.0.0.1 port, against the test database (a file on SQLite, the test database on
PostgreSQL). A member signs in (a session made by the test client, in the database the
server reads), opens the operation page over HTTP for the CSRF cookie, and 50 threads
press Send (htmx POSTs) at the same instant against the built-in sandbox. Then:

* 50 answers, each the sandbox's 200; the sandbox saw 50 API calls and one token request;
* 50 history records, positions 1 to 50, and `chain_verify` walks all of them;
* tampering with rows behind the console's back, through a separate raw database
  connection (sqlite3 or psycopg; on PostgreSQL with `session_replication_role =
  replica`, as a superuser could, to get past the append-only trigger): an edited row,
  a row inserted without a position, a forged row appended with a valid hash, and a
  removed row. After each, `manage.py verify_history` (run as its own process with the
  server's settings) exits non-zero and names the record or position; after undoing
  the edit and the inserts it verifies again.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests
from django.conf import settings
from django.db import connection
from django.urls import reverse

from console.history.chain import chain_verify, record_digest
from console.history.models import CallRecord, ChainHead

ROOT = Path(__file__).resolve().parents[2]
SENDS = 50
WORKERS = 4
THREADS = 2
START_TIMEOUT = 60.0


# ---------------------------------------------------------------- the server


def _database_url() -> str:
    """The test database as a DATABASE_URL the server's settings understand."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    assert connection.vendor == "postgresql", connection.vendor
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{quote(db['NAME'], safe='')}"


def _server_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CONSOLE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="console.settings",
        DATABASE_URL=_database_url(),
        SECRET_KEY=settings.SECRET_KEY,  # the session's auth hash is signed with it
        CONSOLE_ENCRYPTION_KEYS=",".join(settings.CONSOLE_ENCRYPTION_KEYS),
        CONSOLE_LOCAL_DIR=str(settings.LOCAL_DIR),  # the token file locks live under it
        ALLOWED_HOSTS="127.0.0.1",
        CONSOLE_ALLOW_PRIVATE_HOSTS="1",  # the sandbox is on 127.0.0.1, over http
        CONSOLE_ALLOW_HTTP="1",
        DEBUG="0",
        LOG_LEVEL="WARNING",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    return env


def _children(pid: int) -> list[int]:
    """Pids whose parent is `pid` (Linux /proc; empty elsewhere)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
    return found


@contextlib.contextmanager
def gunicorn(log: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """The console under gunicorn on a socket bound here (no race for the port)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    command = [
        sys.executable, "-m", "gunicorn", "console.wsgi",
        "--bind", f"fd://{listener.fileno()}",
        "--workers", str(WORKERS), "--threads", str(THREADS),
        "--timeout", "60", "--graceful-timeout", "5", "--log-level", "warning",
    ]  # fmt: skip
    with log.open("wb") as out:
        proc = subprocess.Popen(
            command,
            cwd=ROOT,
            env=_server_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            pass_fds=[listener.fileno()],
        )
    listener.close()  # the server holds its own copy
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert proc.poll() is None, f"gunicorn exited:\n{log.read_text()}"
            with contextlib.suppress(requests.RequestException):
                if requests.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            assert time.monotonic() < deadline, f"gunicorn did not start:\n{log.read_text()}"
            time.sleep(0.2)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def verify_history(*args: str) -> subprocess.CompletedProcess[str]:
    """`manage.py verify_history` as its own process, with the server's settings."""
    return subprocess.run(
        [sys.executable, "manage.py", "verify_history", *args],
        cwd=ROOT,
        env=_server_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


# ---------------------------------------------------------------- behind the console's back


@contextlib.contextmanager
def raw_cursor() -> Iterator[Any]:
    """A cursor on a separate DB-API connection to the test database, committed at the end.

    On PostgreSQL the transaction runs with `session_replication_role = replica` (as a
    superuser could), which skips the append-only trigger.
    """
    if connection.vendor == "sqlite":
        conn: Any = sqlite3.connect(connection.settings_dict["NAME"], timeout=20)
    else:
        import psycopg

        conn = psycopg.connect(_database_url().replace("postgres://", "postgresql://", 1))
    try:
        cursor = conn.cursor()
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        yield _Cursor(cursor, connection.vendor)
        conn.commit()
    finally:
        conn.close()


class _Cursor:
    """Write SQL with %s placeholders for both drivers (sqlite3 wants ?)."""

    def __init__(self, cursor: Any, vendor: str) -> None:
        self.cursor, self.vendor = cursor, vendor

    def execute(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> Any:
        if self.vendor == "sqlite":
            sql = sql.replace("%s", "?")
        self.cursor.execute(sql, params)
        return self.cursor


def _insert_copy(cursor: _Cursor, source_id: int, changes: dict[str, Any]) -> int:
    """Insert a copy of record `source_id` with `changes`, by plain SQL; return its id."""
    columns = [
        f.column for f in CallRecord._meta.concrete_fields if f.column not in ("id", *changes)
    ]
    names = ", ".join([*columns, *changes])
    values = ", ".join([*columns, *(["%s"] * len(changes))])
    inserted = cursor.execute(
        f"INSERT INTO history_callrecord ({names}) SELECT {values} "  # noqa: S608 - our columns
        "FROM history_callrecord WHERE id = %s RETURNING id",
        [*changes.values(), source_id],
    )
    return inserted.fetchone()[0]


def _assert_broken(*phrases: str) -> str:
    result = verify_history("--team", "metering")
    assert result.returncode != 0, result.stdout + result.stderr
    assert "BROKEN" in result.stdout
    for phrase in phrases:
        assert phrase in result.stdout, result.stdout
    return result.stdout


def _assert_intact(count: int) -> None:
    result = verify_history("--team", "metering")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"metering: {count} record(s) verified, chain intact." in result.stdout


# ---------------------------------------------------------------- the test


def _send_all(url: str, send_path: str, page_path: str, session_cookie: str, access_id: int):
    """Open the page once for the CSRF cookie, then POST Send SENDS times at one instant."""
    cookies = {settings.SESSION_COOKIE_NAME: session_cookie}
    page = requests.get(url + page_path, cookies=cookies, timeout=30)
    assert page.status_code == 200, page.text[:500]
    csrf = page.cookies.get(settings.CSRF_COOKIE_NAME)
    assert csrf, "the operation page set no CSRF cookie"
    cookies[settings.CSRF_COOKIE_NAME] = csrf
    barrier = threading.Barrier(SENDS)

    def press_send(_: int) -> tuple[int, str]:
        barrier.wait(timeout=30)
        response = requests.post(
            url + send_path,
            data={"access": str(access_id)},
            cookies=cookies,
            headers={"X-CSRFToken": csrf, "HX-Request": "true", "HX-Target": "response-slot"},
            timeout=60,
        )
        return response.status_code, response.text

    with ThreadPoolExecutor(max_workers=SENDS) as pool:
        return list(pool.map(press_send, range(SENDS)))


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_sends_through_gunicorn_then_tampering_is_named(
    transactional_db, team, member, sandbox, sandbox_access, sandbox_op, tmp_path
):
    operation = sandbox_op("listMeterTypes")
    session_cookie = member.client().cookies[settings.SESSION_COOKIE_NAME].value
    send_path = reverse("explorer:send", args=[team.slug, operation.pk])
    page_path = reverse("explorer:operation", args=[team.slug, operation.pk])
    sandbox.reset_counters()

    with gunicorn(tmp_path / "gunicorn.log") as (url, server):
        if Path("/proc").is_dir():  # really several processes (they may still be forking)
            deadline = time.monotonic() + 15
            while len(_children(server.pid)) < WORKERS and time.monotonic() < deadline:
                time.sleep(0.1)
            assert len(_children(server.pid)) == WORKERS
        answers = _send_all(url, send_path, page_path, session_cookie, sandbox_access.pk)
        api_requests, token_requests = sandbox.api_requests, sandbox.token_requests
    log = (tmp_path / "gunicorn.log").read_text()

    assert [status for status, _ in answers] == [200] * SENDS, log
    for _, text in answers:
        assert "HTTP 200" in text, text[:2000]
        assert "Traceback" not in text
    assert api_requests == SENDS
    assert token_requests == 1  # one shared token for 4 processes x 2 threads
    records = list(CallRecord.objects.filter(team=team).order_by("seq"))
    assert len(records) == SENDS
    assert [r.seq for r in records] == list(range(1, SENDS + 1))
    assert {r.status for r in records} == {200}
    assert {r.username for r in records} == {"mia"}
    report = chain_verify(team)
    assert report.ok, report.problem
    assert report.checked == SENDS
    assert ChainHead.objects.get(team=team).seq == SENDS
    _assert_intact(SENDS)

    # 1. An edited row is named; undone, the chain holds again.
    edited = records[19]
    with raw_cursor() as cursor:
        cursor.execute("UPDATE history_callrecord SET status = 500 WHERE id = %s", [edited.pk])
    _assert_broken(f"record {edited.pk} (position 20) was altered after it was written")
    with raw_cursor() as cursor:
        cursor.execute("UPDATE history_callrecord SET status = 200 WHERE id = %s", [edited.pk])
    _assert_intact(SENDS)

    # 2. A row inserted by plain SQL (no position in the chain) is named.
    with raw_cursor() as cursor:
        naive = _insert_copy(
            cursor, records[5].pk, {"seq": None, "url": "https://evil.example/", "status": 204}
        )
    _assert_broken(f"record {naive} was inserted outside the console")
    with raw_cursor() as cursor:
        cursor.execute("DELETE FROM history_callrecord WHERE id = %s", [naive])
    _assert_intact(SENDS)

    # 3. A forged row appended after the last one, with the next position and a hash
    #    computed the way the console does (the algorithm is no secret): the chain's head
    #    did not move, so the row is named all the same.
    last = records[-1]
    forged = CallRecord.objects.get(pk=last.pk)
    forged.seq, forged.url = SENDS + 1, "https://evil.example/forged"
    forged_hash = record_digest(forged, last.record_hash)
    with raw_cursor() as cursor:
        forged_id = _insert_copy(
            cursor,
            last.pk,
            {
                "seq": SENDS + 1,
                "url": forged.url,
                "prev_hash": last.record_hash,
                "record_hash": forged_hash,
            },
        )
    forged_row = CallRecord.objects.get(pk=forged_id)
    assert record_digest(forged_row, last.record_hash) == forged_row.record_hash  # valid
    _assert_broken(
        f"record {forged_id} (position {SENDS + 1}) lies past the end of the chain",
        "inserted outside the console",
    )
    with raw_cursor() as cursor:
        cursor.execute("DELETE FROM history_callrecord WHERE id = %s", [forged_id])
    _assert_intact(SENDS)

    # 4. A removed row is named by its position.
    removed = records[9]
    with raw_cursor() as cursor:
        cursor.execute("DELETE FROM history_callrecord WHERE id = %s", [removed.pk])
    _assert_broken("record(s) at position 10 were removed (found 11 next)")
    assert not chain_verify(team).ok
