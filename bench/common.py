"""Helpers shared by the benchmark scripts (run as `python bench/NAME.py`)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path
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
