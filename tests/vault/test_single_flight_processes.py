"""One token across OS processes and threads: the broker's single flight, end to end.

Four child processes (this file run as a script) each start eight threads, and all of
them call `console.vault.services.access_call` against a real sandbox at the same
moment, through the real `DatabaseTokenStore` on the test database (a file on SQLite,
the test database on PostgreSQL) and its cross-process lock (file lock under
CONSOLE_LOCAL_DIR, or a PostgreSQL advisory lock). The sandbox counts the token
requests that reach it: one, or two when the token runs out once during the run.

The children read nothing from pytest: they get the settings module, the database
name, CONSOLE_LOCAL_DIR and CONSOLE_ENCRYPTION_KEYS from the parent, print "ready",
wait for a start time on stdin, and print one line "RESULT <json>" at the end.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from console.sandbox.config import SandboxClient, SandboxConfig
from console.sandbox.server import RunningSandbox, start_in_thread

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = 4
THREADS = 8
CLIENT_ID = "single-flight-client"
CLIENT_SECRET = "single-flight-secret-7Hq2Lz9Wx4"  # only ever used against the test sandbox
API_PATH = "/metering/v1/meter-types"
CHILD_TIMEOUT = 60.0


# ---------------------------------------------------------------- the child process


def _child(params: dict[str, Any]) -> None:
    """Run THREADS threads calling access_call on the schedule in `params`; print a result."""
    import django
    from django.conf import settings

    # Point at the parent's test database before any connection exists.
    settings.DATABASES["default"]["NAME"] = params["db_name"]
    django.setup()

    from django.db import connection

    from console.upstream.http import send
    from console.vault import services
    from console.vault.models import ApplicationAccess

    access = ApplicationAccess.objects.select_related("environment").get(pk=params["access_id"])
    connection.close()
    policy = services.outbound_policy()
    url = params["url"]
    go = threading.Event()
    start = 0.0
    outcomes: list[dict[str, Any]] = []
    guard = threading.Lock()

    def worker(offsets: list[float]) -> None:
        out: dict[str, Any] = {
            "statuses": [],
            "fetched": 0,
            "retried": 0,
            "tokens": [],
            "errors": [],
        }
        try:
            go.wait()
            for offset in offsets:
                delay = start + offset - time.time()
                if delay > 0:
                    time.sleep(delay)
                used: list[str] = []

                def do(token: Any, used: list[str] = used) -> Any:
                    used.append(hashlib.sha256(token.access_token.encode()).hexdigest()[:16])
                    return send(
                        policy,
                        method="GET",
                        url=url,
                        headers={"Authorization": token.authorization},
                    )

                try:
                    response, info = services.access_call(access, do)
                except Exception as exc:  # reported to the parent, which fails the test
                    out["errors"].append(f"{type(exc).__name__}: {exc}")
                    continue
                out["statuses"].append(response.status)
                out["fetched"] += 0 if info.cached else 1
                out["retried"] += 1 if info.retried else 0
                out["tokens"].extend(used)
        finally:
            connection.close()  # each thread has its own connection
            with guard:
                outcomes.append(out)

    threads = [
        threading.Thread(target=worker, args=(offsets,), daemon=True)
        for offsets in params["offsets"]
    ]
    for thread in threads:
        thread.start()
    print("ready", flush=True)
    start = float(sys.stdin.readline())
    go.set()
    for thread in threads:
        thread.join(CHILD_TIMEOUT)
    summary = {
        "statuses": [s for o in outcomes for s in o["statuses"]],
        "fetched": sum(o["fetched"] for o in outcomes),
        "retried": sum(o["retried"] for o in outcomes),
        "tokens": sorted({t for o in outcomes for t in o["tokens"]}),
        "errors": [e for o in outcomes for e in o["errors"]],
        "threads_done": len(outcomes),
    }
    print("RESULT " + json.dumps(summary), flush=True)


# ---------------------------------------------------------------- the parent


def _start_sandbox(token_ttl: int) -> RunningSandbox:
    return start_in_thread(
        SandboxConfig(
            clients=(SandboxClient(CLIENT_ID, CLIENT_SECRET),),
            token_ttl=token_ttl,
            rate_per_second=1000,  # generous: a second token request must be visible, not 429
            burst=1000,
        )
    )


def _access_for(admin: Any, sandbox: RunningSandbox) -> Any:
    from console.vault import services
    from console.vault.models import CachedToken, Environment

    env = services.environment_save(
        scope=admin.scope, environment=Environment(name="Sandbox", base_url=sandbox.url + "/")
    )
    access = services.access_create(
        scope=admin.scope,
        name="Shared by everyone",
        environment=env,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
    )
    assert not CachedToken.objects.filter(access=access).exists()
    return access


def _run_children(
    *,
    tmp_path: Path,
    access_id: int,
    url: str,
    offsets: Callable[[int, int], list[float]],
    margin: int | None = None,
) -> list[dict[str, Any]]:
    """Start PROCESSES children, release them at one moment, and return their results."""
    from django.conf import settings
    from django.db import connection

    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="tests.settings",
        CONSOLE_LOCAL_DIR=str(settings.LOCAL_DIR),  # the file locks live under it
        CONSOLE_ENCRYPTION_KEYS=",".join(settings.CONSOLE_ENCRYPTION_KEYS),
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
    )
    if margin is not None:
        env["CONSOLE_TOKEN_REFRESH_MARGIN"] = str(margin)
    procs: list[subprocess.Popen[str]] = []
    logs: list[Path] = []
    for number in range(PROCESSES):
        params = {
            "db_name": str(connection.settings_dict["NAME"]),
            "access_id": access_id,
            "url": url,
            "offsets": [offsets(number, thread) for thread in range(THREADS)],
        }
        log = tmp_path / f"child-{number}.log"
        logs.append(log)
        with log.open("w") as stderr:
            procs.append(
                subprocess.Popen(
                    [sys.executable, __file__, json.dumps(params)],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=stderr,
                    text=True,
                    env=env,
                    cwd=ROOT,
                )
            )
    watchdog = threading.Timer(CHILD_TIMEOUT, lambda: [p.kill() for p in procs])
    watchdog.start()
    try:
        for proc, log in zip(procs, logs, strict=True):
            line = proc.stdout.readline()
            assert line.strip() == "ready", f"child not ready: {line!r}\n{log.read_text()}"
        start = time.time() + 0.3  # every thread of every process starts at this instant
        for proc in procs:
            proc.stdin.write(f"{start!r}\n")
            proc.stdin.close()
        results = []
        for proc, log in zip(procs, logs, strict=True):
            out = proc.stdout.read()  # to EOF; the watchdog kills a child that hangs
            proc.wait(timeout=CHILD_TIMEOUT)
            assert proc.returncode == 0, f"child failed:\n{out}\n{log.read_text()}"
            lines = [ln for ln in out.splitlines() if ln.startswith("RESULT ")]
            assert lines, f"child printed no result:\n{out}\n{log.read_text()}"
            results.append(json.loads(lines[-1].removeprefix("RESULT ")))
        return results
    finally:
        watchdog.cancel()
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def _totals(results: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "statuses": [s for r in results for s in r["statuses"]],
        "fetched": sum(r["fetched"] for r in results),
        "retried": sum(r["retried"] for r in results),
        "tokens": {t for r in results for t in r["tokens"]},
        "errors": [e for r in results for e in r["errors"]],
        "threads": sum(r["threads_done"] for r in results),
    }


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_four_processes_of_eight_threads_share_one_token(transactional_db, admin, tmp_path):
    calls_per_thread = 5
    with _start_sandbox(token_ttl=3600) as sandbox:
        access = _access_for(admin, sandbox)
        results = _run_children(
            tmp_path=tmp_path,
            access_id=access.pk,
            url=sandbox.url + API_PATH,
            # All 32 threads make their first call at the same instant, then the rest
            # back to back.
            offsets=lambda process, thread: [0.0] * calls_per_thread,
        )
        token_requests = sandbox.token_requests
        api_requests = sandbox.api_requests

    total = _totals(results)
    calls = PROCESSES * THREADS * calls_per_thread
    assert total["errors"] == []
    assert total["threads"] == PROCESSES * THREADS
    assert total["statuses"] == [200] * calls
    assert token_requests == 1
    assert total["fetched"] == 1  # one call of one thread of one process fetched it
    assert total["retried"] == 0
    assert len(total["tokens"]) == 1
    assert api_requests == calls


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_token_that_runs_out_is_renewed_once_for_all_processes(transactional_db, admin, tmp_path):
    # The sandbox's tokens live 6 s; the broker renews them 3 s before expiry (the margin
    # is capped at half the lifetime, so 3 is the most it can be). The first token,
    # fetched at t≈0, is renewed at t≈3; the second would be renewed at t≈6 at the
    # earliest. Calls run from t=0 to t=4.5, so the renewal point is crossed exactly
    # once, and a loaded machine may run 1.5 s late before a third token would be due.
    #
    # Why not 3 s and a margin of 1: the sandbox (like Auth0) writes whole seconds into
    # iat/exp, so a token can really expire up to 1 s before the broker's
    # sent-at + expires_in; with a 1 s margin a call just before the renewal point could
    # carry an already-expired token, get a 401 and trigger a third (retry) fetch. Here
    # a token handed out just before its renewal point still has 2 s or more to live.
    token_ttl, margin, window, step = 6, 3, 4.5, 0.4

    def offsets(process: int, thread: int) -> list[float]:
        # First call at t=0 for everyone (single flight on the very first fetch), then
        # every `step` seconds, each thread shifted so calls cover the window evenly.
        phase = step * (process * THREADS + thread) / (PROCESSES * THREADS)
        times = [0.0]
        at = phase + step
        while at <= window:
            times.append(round(at, 3))
            at += step
        return times

    with _start_sandbox(token_ttl=token_ttl) as sandbox:
        access = _access_for(admin, sandbox)
        results = _run_children(
            tmp_path=tmp_path,
            access_id=access.pk,
            url=sandbox.url + API_PATH,
            offsets=offsets,
            margin=margin,
        )
        token_requests = sandbox.token_requests
        api_requests = sandbox.api_requests

    total = _totals(results)
    calls = sum(len(offsets(p, t)) for p in range(PROCESSES) for t in range(THREADS))
    assert total["errors"] == []
    assert total["threads"] == PROCESSES * THREADS
    assert total["statuses"] == [200] * calls
    assert token_requests == 2  # the first token and exactly one renewal
    assert total["fetched"] == 2
    assert total["retried"] == 0  # no call carried an expired token
    assert len(total["tokens"]) == 2
    assert api_requests == calls


if __name__ == "__main__":
    _child(json.loads(sys.argv[1]))
