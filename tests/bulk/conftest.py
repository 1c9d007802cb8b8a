"""Bulk-run fixtures: the sandbox as the team's environment with its spec (from the
explorer's set-up), CSVs of meter types, and a worker run in this process until the queue
is empty (django-tasks-db's real `db_worker` loop, in batch mode)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from tests.explorer.support import (  # noqa: F401 - fixtures are found by name
    fake_access,
    fake_op,
    fake_ue,
    sandbox_access,
    sandbox_env,
    sandbox_op,
    sandbox_spec,
)


def meter_types_csv(rows: int, *, prefix: str = "Meter", start: int = 1) -> str:
    """A CSV of `rows` new meter types, with nested body fields as dotted columns (their
    names unique to this call: the session's sandbox keeps what earlier tests created)."""
    tag = uuid.uuid4().hex[:8]
    lines = ["name,unit,aggregation.type,description"]
    lines += [
        f"{prefix} {tag} {n},requests,increment,Row {n} of the test CSV"
        for n in range(start, start + rows)
    ]
    return "\n".join(lines) + "\n"


@pytest.fixture
def work() -> Callable[[], str]:
    """Run a worker over everything queued, in this process; returns what it printed."""

    def run() -> str:
        out = io.StringIO()
        call_command("bulk_worker", "--batch", "--interval", "0", stdout=out, stderr=out)
        return out.getvalue()

    return run


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(*args: str, lease: str = "2s") -> subprocess.Popen[bytes]:
    """`manage.py bulk_worker` in a process of its own on this test's database (a real
    worker beside the test; its rows' leases last `lease`)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": _database_url(),
        "CONSOLE_BULK_LEASE": lease,
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "bulk_worker", "--interval", "0.1", *args],
        cwd=Path(settings.BASE_DIR),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
