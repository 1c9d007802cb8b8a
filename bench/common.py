"""Helpers shared by the benchmark scripts (run as `python bench/NAME.py`)."""

from __future__ import annotations

import contextlib
import json
import math
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit


def temporary_pg_database(url: str) -> tuple[str, Callable[[], None]]:
    """Create an empty database beside the one in `url`; return its URL and a dropper."""
    import psycopg

    parts = urlsplit(url)
    base = parts.path.lstrip("/") or "postgres"
    name = f"{base}_bench_{secrets.token_hex(4)}"
    # CREATE and DROP DATABASE run from the maintenance database "postgres" (the one in
    # the URL need not exist, e.g. the test suite's before its first run).
    admin_url = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return urlunsplit(parts._replace(path="/" + name)), drop


def setup_django(url: str, local_dir: Path, **extra_env: str) -> None:
    """Point the console's settings at `url` with throwaway secrets, then django.setup()."""
    import django
    from cryptography.fernet import Fernet

    os.environ.update(
        DJANGO_SETTINGS_MODULE="console.settings",
        DATABASE_URL=url,
        CONSOLE_LOCAL_DIR=str(local_dir),
        SECRET_KEY=secrets.token_urlsafe(40),
        CONSOLE_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        LOG_LEVEL="WARNING",
        **extra_env,
    )
    for name in ("CONSOLE_DEMO", "DEBUG"):
        os.environ.pop(name, None)
    django.setup()


_T0 = time.perf_counter()


def log(message: str) -> None:
    """Progress goes to stderr (seconds since the script started); the figures to stdout."""
    print(f"[bench {time.perf_counter() - _T0:6.1f} s] {message}", file=sys.stderr, flush=True)


def nearest_rank(ordered: list[float], q: float) -> float:
    """The `q` quantile (0 < q <= 1) of sorted, non-empty `ordered`, by nearest rank: the
    value at rank ceil(q * n) (the tolerance keeps 0.95 * 20 at rank 19, not 20)."""
    rank = math.ceil(q * len(ordered) - 1e-9)
    return ordered[min(len(ordered) - 1, max(0, rank - 1))]


def quantiles(values: list[float]) -> dict[str, float]:
    """Median and 95th percentile (nearest rank) of `values` (NaN for none)."""
    ordered = sorted(values)
    if not ordered:
        return {"median": float("nan"), "p95": float("nan")}
    return {"median": statistics.median(ordered), "p95": nearest_rank(ordered, 0.95)}


def ms(seconds: float) -> str:
    """Seconds as milliseconds, one decimal."""
    return f"{seconds * 1e3:,.1f} ms"


def table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table, columns padded to their widest cell."""
    widths = [max(len(str(c)) for c in column) for column in zip(header, *rows, strict=True)]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "| " + " | ".join("-" * w for w in widths) + " |"
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def db_version(connection: Any) -> str:
    """The database server's version, e.g. "15.20" or "3.40.1"."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("SELECT sqlite_version()")
        return str(cursor.fetchone()[0]).split()[0]


def world(
    backend: str,
    db_url: str | None,
    prefix: str,
    run: Callable[[], dict[str, Any]],
    **extra_env: str,
) -> None:
    """Set up Django on a fresh database (SQLite in a temporary directory, or a temporary
    PostgreSQL database beside `db_url`), migrate, call `run`, print its result as a
    RESULT json line; the database and directory are removed whatever happens.

    Upstreams on 127.0.0.1 over plain HTTP are allowed (the benches run their own).
    """
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    drop: Callable[[], None] | None = None
    try:
        if backend == "postgresql":
            url, drop = temporary_pg_database(db_url or "")
        else:
            url = f"sqlite:///{tmp / 'bench.sqlite3'}"
        setup_django(url, tmp, CONSOLE_ALLOW_PRIVATE_HOSTS="1", CONSOLE_ALLOW_HTTP="1", **extra_env)
        from django.core.management import call_command
        from django.db import connection, connections

        call_command("migrate", verbosity=0, interactive=False)
        result = run()
        result["database"] = f"{connection.vendor} {db_version(connection)}"
        connections.close_all()
        print("RESULT " + json.dumps(result), flush=True)
    finally:
        if drop is not None:
            with contextlib.suppress(Exception):
                from django.db import connections

                connections.close_all()
            drop()
        shutil.rmtree(tmp, ignore_errors=True)


def run_world(script: str, backend: str, url: str | None, extra: list[str]) -> dict[str, Any]:
    """Run `script --world backend` in a child process (Django is set up once per process)
    and return the dict its RESULT line carries."""
    command = [sys.executable, script, "--world", backend, *extra]
    if url:
        command += ["--db-url", url]
    root = Path(script).resolve().parent.parent
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, cwd=root, check=False)
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("RESULT ")]
    if done.returncode != 0 or not lines:
        raise SystemExit(f"The {backend} run failed (exit {done.returncode}):\n{done.stdout}")
    return json.loads(lines[-1].removeprefix("RESULT "))
