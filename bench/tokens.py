"""Token broker benchmarks: how many token requests, and what the broker costs per call.

    .venv/bin/python bench/tokens.py [--postgres postgres://user@host:5432/db]

Prints figures, asserts nothing. Three parts:

(a) Sharing: 4 OS processes x 8 threads make 1,000 calls through one Application
    Access (`console.vault.services.access_call`, the real DatabaseTokenStore and its
    cross-process lock) against a local sandbox; counts the token requests the sandbox
    received. Target: 1.
(b) Cost of a cached token: `broker.get()` timed call by call, with a MemoryTokenStore
    and with the DatabaseTokenStore, beside a baseline in the same process (a dict
    lookup; a bare `CachedToken.objects.get()`). Target: well under 1 ms.
(c) Cost of a fresh token: `fetch_token` against the local sandbox, and `broker.get()`
    on an empty cache (lock + fetch + encrypted save).

Each database runs in its own child process ("world") with a fresh database: SQLite in
a temporary directory, and with --postgres a temporary database created on that server
(CREATE DATABASE rights needed) and dropped at the end. Nothing of the project's own
.local/ or database is touched.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import (  # bench/ is on sys.path when run as a script
    log,
    ms,
    quantiles,
    run_world,
    table,
    world,
)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PROCESSES = 4
THREADS = 8
CLIENT_ID = "bench-client"
CLIENT_SECRET = "bench-secret-not-a-real-one"
API_PATH = "/metering/v1/meter-types"
CHILD_TIMEOUT = 120.0


def time_calls(fn: Callable[[], Any], samples: int, warmup: int = 500) -> list[float]:
    """Seconds per call of `fn`, timed one call at a time (timer overhead included)."""
    for _ in range(warmup):
        fn()
    clock = time.perf_counter_ns
    out = [0.0] * samples
    for i in range(samples):
        started = clock()
        fn()
        out[i] = (clock() - started) / 1e9
    return out


def time_interleaved(
    fns: dict[str, Callable[[], Any]], samples: int, block: int = 1000
) -> dict[str, list[float]]:
    """Like `time_calls` for several functions, alternating in blocks so drift hits all."""
    results: dict[str, list[float]] = {name: [] for name in fns}
    for fn in fns.values():
        time_calls(fn, 0, warmup=500)
    done = 0
    while done < samples:
        size = min(block, samples - done)
        for name, fn in fns.items():
            results[name] += time_calls(fn, size, warmup=0)
        done += size
    return results


# ---------------------------------------------------------------- (b) in memory


def bench_memory(samples: int) -> dict[str, Any]:
    """broker.get() with a MemoryTokenStore against a bare dict lookup; no Django."""
    from console.upstream.http import OutboundPolicy
    from console.upstream.tokens import MemoryTokenStore, Token, TokenBroker

    def no_fetch() -> Any:
        raise AssertionError("the token is cached; nothing may be fetched")

    key = "1:https://api.example.test/"
    now = time.time()
    token = Token("eyJ.bench.sig", "Bearer", "read:meter_types", now + 3600, now)
    store = MemoryTokenStore()
    store.save(key, token)
    broker = TokenBroker(store, OutboundPolicy(), margin=60)
    plain = {key: token}
    timed = time_interleaved(
        {
            "timer": lambda: None,
            "baseline": lambda: plain[key],
            "broker": lambda: broker.get(key, no_fetch),
        },
        samples,
    )
    return {name: quantiles(values) for name, values in timed.items()}


# ---------------------------------------------------------------- the world (one database)


def _world_run(args: argparse.Namespace) -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from console.sandbox.config import SandboxClient, SandboxConfig
    from console.sandbox.server import start_in_thread
    from console.teams.models import Membership, Role, Team
    from console.teams.scoping import TeamScope
    from console.upstream.tokens import fetch_token
    from console.vault import services
    from console.vault.models import CachedToken, Environment
    from console.vault.token_store import default_broker

    user = get_user_model().objects.create_user(username="bench")
    team = Team.objects.create(name="Bench", slug="bench")
    scope = TeamScope(Membership.objects.create(team=team, user=user, role=Role.ADMIN))
    config = SandboxConfig(
        clients=(SandboxClient(CLIENT_ID, CLIENT_SECRET),),
        rate_per_second=1000,  # generous: every token request must reach the counter
        burst=1000,
    )
    result: dict[str, Any] = {}
    with start_in_thread(config) as sandbox:
        env = services.environment_save(
            scope=scope, environment=Environment(name="Sandbox", base_url=sandbox.url + "/")
        )
        access = services.access_create(
            scope=scope,
            name="Bench",
            environment=env,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
        )
        access = type(access).objects.select_related("environment").get(pk=access.pk)

        # (a) sharing across processes and threads
        log(f"{args.world}: (a) {PROCESSES} processes x {THREADS} threads, {args.calls} calls")
        sandbox.reset_counters()
        share = _run_workers(access.pk, sandbox.url + API_PATH, args.calls)
        share["token_requests"] = sandbox.token_requests
        share["api_requests"] = sandbox.api_requests
        result["share"] = share

        # (b) the broker's own time per call with the token cached
        log(f"{args.world}: (b) {args.db_samples} cached broker.get() calls and baseline")
        broker = default_broker()
        key = services.access_key(access)
        assert broker.store.load(key) is not None, "part (a) should have cached a token"

        def no_fetch() -> Any:
            raise AssertionError("the token is cached; nothing may be fetched")

        audience = env.effective_audience
        timed = time_interleaved(
            {
                "timer": lambda: None,
                "baseline": lambda: CachedToken.objects.get(access_id=access.pk, audience=audience),
                "broker": lambda: broker.get(key, no_fetch),
            },
            args.db_samples,
        )
        result["cached"] = {name: quantiles(values) for name, values in timed.items()}

        # (c) a fresh token: the endpoint alone, and through the broker on an empty cache
        log(f"{args.world}: (c) {args.fetches} fresh token fetches")
        creds = services._credentials(access)  # decrypted once, outside the timing
        policy = services.outbound_policy()
        sandbox.reset_counters()
        fetches = []
        for _ in range(args.fetches):
            started = time.perf_counter()
            fetch_token(creds, policy)
            fetches.append(time.perf_counter() - started)
        misses = []
        for _ in range(args.fetches):
            CachedToken.objects.filter(access=access).delete()
            started = time.perf_counter()
            broker.get(key, lambda: creds)
            misses.append(time.perf_counter() - started)
        result["fresh"] = {
            "fetch_token": quantiles(fetches),
            "broker_miss": quantiles(misses),
            "token_requests": sandbox.token_requests,
        }
    return result


def _run_workers(access_id: int, url: str, calls: int) -> dict[str, Any]:
    """Start PROCESSES workers sharing `calls` calls; release them at one instant."""
    slots = PROCESSES * THREADS
    per_thread = [calls // slots + (1 if i < calls % slots else 0) for i in range(slots)]
    procs = []
    for number in range(PROCESSES):
        params = {
            "access_id": access_id,
            "url": url,
            "calls": per_thread[number * THREADS : (number + 1) * THREADS],
        }
        procs.append(
            subprocess.Popen(
                [sys.executable, __file__, "--worker", json.dumps(params)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                cwd=ROOT,
            )
        )
    watchdog = threading.Timer(CHILD_TIMEOUT, lambda: [p.kill() for p in procs])
    watchdog.start()
    try:
        for proc in procs:
            line = proc.stdout.readline()
            if line.strip() != "ready":
                raise RuntimeError(f"a worker did not start: {line!r}")
        start = time.time() + 0.3
        for proc in procs:
            proc.stdin.write(f"{start!r}\n")
            proc.stdin.close()
        outcomes = []
        for proc in procs:
            out = proc.stdout.read()
            proc.wait(timeout=CHILD_TIMEOUT)
            lines = [ln for ln in out.splitlines() if ln.startswith("RESULT ")]
            if proc.returncode != 0 or not lines:
                raise RuntimeError(f"a worker failed (exit {proc.returncode}):\n{out}")
            outcomes.append(json.loads(lines[-1].removeprefix("RESULT ")))
    finally:
        watchdog.cancel()
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    statuses: dict[str, int] = {}
    for outcome in outcomes:
        for status, count in outcome["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count
    durations = [d for o in outcomes for d in o["durations"]]
    first_calls = [d for o in outcomes for d in o["first_calls"]]
    token_times = [d for o in outcomes for d in o["token_ms"]]
    return {
        "calls": sum(statuses.values()) + sum(len(o["errors"]) for o in outcomes),
        "statuses": statuses,
        "errors": [e for o in outcomes for e in o["errors"]][:5],
        "fetched": sum(o["fetched"] for o in outcomes),
        "wall": max(o["finished"] for o in outcomes) - start,
        "call": quantiles(durations),
        "first": quantiles(first_calls),
        "token": quantiles(token_times),
    }


def worker(params: dict[str, Any]) -> None:
    """One of the PROCESSES: THREADS threads calling access_call back to back."""
    import django

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
    guard = threading.Lock()
    statuses: dict[str, int] = {}
    durations: list[float] = []  # every call but each thread's first
    first_calls: list[float] = []  # the first call of each thread, all at the same instant
    token_ms: list[float] = []
    errors: list[str] = []
    fetched = 0

    def do(token: Any) -> Any:
        return send(policy, method="GET", url=url, headers={"Authorization": token.authorization})

    def run(count: int) -> None:
        nonlocal fetched
        try:
            go.wait()
            time.sleep(max(0.0, start - time.time()))
            for number in range(count):
                started = time.perf_counter()
                try:
                    response, info = services.access_call(access, do)
                except Exception as exc:
                    with guard:
                        errors.append(f"{type(exc).__name__}: {exc}")
                    continue
                elapsed = time.perf_counter() - started
                with guard:
                    statuses[str(response.status)] = statuses.get(str(response.status), 0) + 1
                    (durations if number else first_calls).append(elapsed)
                    token_ms.append(info.token_ms / 1000)
                    fetched += 0 if info.cached else 1
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,), daemon=True) for n in params["calls"]]
    for thread in threads:
        thread.start()
    print("ready", flush=True)
    start = float(sys.stdin.readline())
    go.set()
    for thread in threads:
        thread.join(CHILD_TIMEOUT)
    summary = {
        "statuses": statuses,
        "durations": durations,
        "first_calls": first_calls,
        "token_ms": token_ms,
        "errors": errors,
        "fetched": fetched,
        "finished": time.time(),
    }
    print("RESULT " + json.dumps(summary), flush=True)


# ---------------------------------------------------------------- report


def us(seconds: float) -> str:
    value = seconds * 1e6
    return f"{value:,.2f} µs" if value < 10 else f"{value:,.0f} µs"


def report(worlds: list[dict[str, Any]], memory: dict[str, Any], args: argparse.Namespace) -> None:
    print(
        f"Machine: {platform.system()} {platform.machine()}, nproc {os.cpu_count()}, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"load average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    print()
    print(f"(a) Token requests, {PROCESSES} processes x {THREADS} threads, one Application Access")
    print()
    rows = []
    for w in worlds:
        s = w["share"]
        ok = s["statuses"].get("200", 0)
        rows.append(
            [
                w["database"],
                f"{s['calls']:,}",
                f"{ok:,}",
                str(s["token_requests"]),
                f"{s['token_requests'] * 1000 / max(1, s['calls']):.2f}",
                f"{s['wall']:.2f} s",
                f"{s['calls'] / max(1e-9, s['wall']):,.0f}",
                f"{ms(s['first']['median'])} / {ms(s['first']['p95'])}",
                f"{ms(s['call']['median'])} / {ms(s['call']['p95'])}",
                f"{ms(s['token']['median'])} / {ms(s['token']['p95'])}",
            ]
        )
    print(
        table(
            [
                "database",
                "calls",
                "HTTP 200",
                "token requests",
                "per 1,000 calls",
                "wall time",
                "calls/s",
                "first call median / p95",
                "other calls median / p95",
                "token step median / p95",
            ],
            rows,
        )
    )
    for w in worlds:
        if w["share"]["errors"]:
            print(f"  errors on {w['database']}: {w['share']['errors']}")
    print()
    print(
        f"(b) Time per call with the token cached, timed one call at a time "
        f"({args.samples:,} calls each in memory, {args.db_samples:,} each on a database)"
    )
    print()
    rows = []

    def add(
        what: str, fig: dict[str, float], base: dict[str, float] | None, note: str = ""
    ) -> None:
        ratio = f"{fig['median'] / base['median']:.2f}x" if base else note or "1.00x (baseline)"
        rows.append([what, us(fig["median"]), us(fig["p95"]), ratio])

    add("timer + Python call only", memory["timer"], None, "(in every row)")
    add("dict lookup (baseline)", memory["baseline"], None)
    add("broker.get(), MemoryTokenStore", memory["broker"], memory["baseline"])
    for w in worlds:
        c = w["cached"]
        name = w["database"]
        add(f"CachedToken.objects.get(), {name} (baseline)", c["baseline"], None)
        add(f"broker.get(), DatabaseTokenStore, {name}", c["broker"], c["baseline"])
    print(table(["what", "median", "p95", "ratio to baseline (median)"], rows))
    print()
    print(f"(c) A fresh token from the local sandbox ({args.fetches} each)")
    print()
    rows = []
    for w in worlds:
        f = w["fresh"]
        rows.append(
            [
                "fetch_token()",
                w["database"],
                ms(f["fetch_token"]["median"]),
                ms(f["fetch_token"]["p95"]),
            ]
        )
        rows.append(
            [
                "broker.get() on an empty cache (lock, fetch, save)",
                w["database"],
                ms(f["broker_miss"]["median"]),
                ms(f["broker_miss"]["p95"]),
            ]
        )
    print(table(["what", "database", "median", "p95"], rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", metavar="URL", help="also run on this PostgreSQL server")
    parser.add_argument("--calls", type=int, default=1000, help="calls in part (a)")
    parser.add_argument(
        "--samples", type=int, default=20_000, help="timed calls per row in part (b), in memory"
    )
    parser.add_argument(
        "--db-samples",
        type=int,
        default=5_000,
        help="timed calls per row in part (b) on a database (an ORM query costs ~0.2 ms)",
    )
    parser.add_argument("--fetches", type=int, default=20, help="fresh fetches in part (c)")
    parser.add_argument("--world", help=argparse.SUPPRESS)
    parser.add_argument("--db-url", help=argparse.SUPPRESS)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(json.loads(args.worker))
        return
    if args.world:
        world(
            args.world,
            args.db_url,
            "bench-tokens-",
            lambda: _world_run(args),
            CONSOLE_TOKEN_REFRESH_MARGIN="60",
        )
        return
    started = time.perf_counter()
    child = ["--calls", str(args.calls), "--db-samples", str(args.db_samples)]
    child += ["--fetches", str(args.fetches)]
    worlds = [run_world(__file__, "sqlite", None, child)]
    if args.postgres:
        worlds.append(run_world(__file__, "postgresql", args.postgres, child))
    log(f"(b) {args.samples} broker.get() calls with a MemoryTokenStore and baseline")
    memory = bench_memory(args.samples)
    report(worlds, memory, args)
    print()
    print(f"Total bench time: {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
