"""Helpers shared by the benchmark scripts (run as `python bench/NAME.py`)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
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
