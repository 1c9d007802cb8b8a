"""Proxy overhead: what the console adds to a call, against a direct `requests` call.

    .venv/bin/python bench/proxy.py [--calls 300] [--postgres postgres://user@host:5432/db]
                                     [--profile]

Prints figures, asserts nothing. An upstream on 127.0.0.1 (a token endpoint and one API
path that sleeps 50 ms before answering ~1 KB of JSON, HTTP/1.1) runs in a child process.
The same GET is then made, in the bench process, interleaved call by call (the order
rotates every round so that no path always goes first):

* **direct**: `requests.get(url, headers={Authorization, Accept})`, a new connection
  per call, as the console makes one per call;
* **run_operation**: `console.explorer.services.run_operation` with a member's scope
  (spec engine, parameter parsing, token broker with the token cached in the
  DatabaseTokenStore, the safe outbound client with its address pinning and size cap,
  response check, Pygments rendering of the answer, the history record with its chain
  hash and redaction);
* **Send view**: Django's test `Client` POSTing the operation's Send as htmx does (the
  form urlencoded, the CSRF token in the X-CSRFToken header, checked), with a signed-in
  member: everything above plus middleware, session, CSRF check, the view and the
  response partial's template (only the WSGI server is left out).

A fixed CPU workload (`cpu_reference`) is timed once per round as well: the added time
is CPU work and scales with the speed the (shared, virtual) CPU runs at, which can change
by half within a minute, so its median is printed with the figures to compare runs.

Added time = the console path's median minus the direct median (and the median of the
per-round differences, which drift affects less). Target: under 10 ms at the median.
`--profile` also runs pyinstrument over 100 more Send view calls and prints where the
time goes (the 50 ms show up as the socket read in `send`).

Each database runs in its own child process with a fresh database, as in
bench/tokens.py: SQLite in a temporary directory, and with --postgres a temporary
database on that server, dropped at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import secrets
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

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

# --latency sets it for the child processes through the environment.
LATENCY = float(os.environ.get("BENCH_PROXY_LATENCY_MS", "50")) / 1000
TOKEN_PATH = "/authentication/v1/oauth/token"
API_PATH = "/v1/meter-types"
CLIENT_ID = "bench-proxy-client"
CLIENT_SECRET = "bench-proxy-secret-not-a-real-one"
PATHS = ("direct", "run_operation", "send_view")


def cpu_reference() -> int:
    """A fixed pure-Python workload (about 3 ms on this machine kind at its usual speed).

    The console's added time is CPU work (the ORM, templates, hashing) and scales with
    the speed the CPU runs at, which on a shared virtual machine can change by half
    within a minute; the direct call is mostly waiting and hardly does. Timed in the
    same rounds as the calls, its median says how fast the CPU was during this run,
    so that runs can be compared.
    """
    total = 0
    for i in range(40_000):
        total += (i * i) % 7
    return total


# ---------------------------------------------------------------- the upstream


BODY = json.dumps(
    {
        "meterTypes": [
            {
                "id": f"mt-{n:04d}",
                "name": f"Meter type {n}",
                "unit": "requests",
                "aggregation": "sum",
                "createdAt": "2026-11-01T10:00:00Z",
            }
            for n in range(8)
        ]
    }
).encode()


class _Upstream(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path.split("?", 1)[0] == API_PATH:
            time.sleep(LATENCY)  # the simulated network and API time
            self._answer(200, BODY)
        else:
            self._answer(404, b'{"error":"not_found"}')

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        if self.path == TOKEN_PATH:
            token = "bench-token-" + secrets.token_hex(16)
            body = {"access_token": token, "token_type": "Bearer", "expires_in": 86400}
            self._answer(200, json.dumps(body).encode())
        else:
            self._answer(404, b'{"error":"not_found"}')


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False


def serve_upstream() -> None:
    """The upstream process: print the port, serve until stdin closes."""
    server = _Server(("127.0.0.1", 0), _Upstream)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    print(server.server_address[1], flush=True)
    sys.stdin.read()  # until the parent closes it (or dies)
    server.shutdown()
    server.server_close()


@contextlib.contextmanager
def upstream() -> Iterator[str]:
    """The simulated upstream on 127.0.0.1 and a free port; yields its base URL.

    It runs in a process of its own, so that its request handling never competes for
    the bench process's GIL (in a thread, its work after answering each call would be
    counted against whatever the bench process does next: the console's history write).
    """
    proc = subprocess.Popen(
        [sys.executable, __file__, "--upstream"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        port = int(proc.stdout.readline())
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def spec_document() -> dict[str, Any]:
    """One operation, with a query parameter and a response schema to check against."""
    meter_type = {
        "type": "object",
        "required": ["id", "name"],
        "properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "unit": {"type": "string"},
            "aggregation": {"type": "string", "enum": ["sum", "max", "last"]},
            "createdAt": {"type": "string", "format": "date-time"},
        },
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": "Bench API", "version": "1"},
        "paths": {
            API_PATH: {
                "get": {
                    "operationId": "listMeterTypes",
                    "summary": "List meter types",
                    "tags": ["Meter types"],
                    "parameters": [
                        {
                            "name": "limit",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 1, "maximum": 100},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "The meter types.",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "meterTypes": {"type": "array", "items": meter_type}
                                        },
                                    }
                                }
                            },
                        }
                    },
                }
            }
        },
    }


# ---------------------------------------------------------------- the world (one database)


def _world_run(args: argparse.Namespace) -> dict[str, Any]:
    import requests
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from console.explorer.services import run_operation
    from console.history.models import CallRecord
    from console.specs.models import Operation
    from console.specs.services import spec_import
    from console.teams.models import Membership, Role, Team
    from console.teams.scoping import TeamScope
    from console.vault import services
    from console.vault.models import ApplicationAccess, CachedToken, Environment

    team = Team.objects.create(name="Bench", slug="bench")
    admin = get_user_model().objects.create_user(username="bench-admin")
    member = get_user_model().objects.create_user(username="bench-member")
    admin_scope = TeamScope(Membership.objects.create(team=team, user=admin, role=Role.ADMIN))
    member_scope = TeamScope(Membership.objects.create(team=team, user=member, role=Role.MEMBER))
    result: dict[str, Any] = {"calls": args.calls}
    with upstream() as base_url:
        env = services.environment_save(
            scope=admin_scope, environment=Environment(name="Bench", base_url=base_url)
        )
        access = services.access_create(
            scope=admin_scope,
            name="Bench access",
            environment=env,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
        )
        imported = spec_import(
            scope=admin_scope,
            name="Bench API",
            data=json.dumps(spec_document()).encode(),
            filename="bench.json",
        )
        operation = Operation.objects.get(version=imported.version, operation_id="listMeterTypes")
        values = {"query:limit": "10", "access": str(access.pk)}

        def console_call() -> Any:
            # The access and the operation looked up per call with the ORM (the Send
            # view reads them with send_targets instead; its figures include that).
            fresh = ApplicationAccess.objects.select_related("environment").get(pk=access.pk)
            op = Operation.objects.get(pk=operation.pk)
            return run_operation(scope=member_scope, access=fresh, operation=op, values=values)

        # Warm up (and cache the token); then every call finds it cached.
        first = console_call()
        assert first.status == 200, (first.error_kind, first.error)
        assert CachedToken.objects.filter(access=access).exists()
        token = services.access_token(access).access_token
        url = f"{base_url}{API_PATH}?limit=10"
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json, */*;q=0.5"}

        def direct_call() -> Any:
            response = requests.get(url, headers=headers, timeout=10)
            assert response.status_code == 200
            return response

        # As the browser sends it: htmx posts the form urlencoded with the CSRF token in a
        # header (from the page's hx-headers), and the CSRF check runs.
        client = Client(enforce_csrf_checks=True)
        client.force_login(member)
        page = client.get(reverse("explorer:operation", args=[team.slug, operation.pk]))
        assert page.status_code == 200
        csrf = client.cookies["csrftoken"].value
        send_url = reverse("explorer:send", args=[team.slug, operation.pk])
        form_body = urlencode(values)
        htmx_headers = {"HX-Request": "true", "HX-Target": "response-slot", "X-CSRFToken": csrf}

        def view_call() -> Any:
            response = client.post(
                send_url,
                form_body,
                content_type="application/x-www-form-urlencoded",
                headers=htmx_headers,
            )
            assert response.status_code == 200
            assert b'title="HTTP 200' in response.content, response.content[:500]
            return response

        for _ in range(10):  # warm every path (imports, caches, connections)
            direct_call(), console_call(), view_call()
        calls: dict[str, Callable[[], Any]] = {
            "direct": direct_call,
            "run_operation": console_call,
            "send_view": view_call,
        }
        times: dict[str, list[float]] = {name: [] for name in PATHS}
        # Parts of the run_operation path, from what it measures itself.
        parts: dict[str, list[float]] = {"token": [], "upstream": [], "outside_call": []}
        log(f"{args.world}: {args.calls} rounds of {', '.join(PATHS)}")
        records_before = CallRecord.objects.count()
        reference: list[float] = []
        for round_number in range(args.calls):
            shift = round_number % len(PATHS)
            for name in PATHS[shift:] + PATHS[:shift]:
                started = time.perf_counter()
                outcome = calls[name]()
                elapsed = time.perf_counter() - started
                times[name].append(elapsed)
                if name == "run_operation":
                    parts["token"].append(outcome.token_ms / 1000)
                    parts["upstream"].append(outcome.upstream_ms / 1000)
                    parts["outside_call"].append(elapsed - outcome.duration_ms / 1000)
            started = time.perf_counter()
            cpu_reference()
            reference.append(time.perf_counter() - started)
        recorded = CallRecord.objects.count() - records_before
        assert recorded == 2 * args.calls, recorded  # one record per console call
        result["times"] = {name: quantiles(values) for name, values in times.items()}
        result["paired"] = {
            name: quantiles([c - d for c, d in zip(times[name], times["direct"], strict=True)])
            for name in PATHS[1:]
        }
        result["parts"] = {name: quantiles(values) for name, values in parts.items()}
        result["records"] = recorded
        result["cpu_reference"] = quantiles(reference)
        if args.profile:
            result["profile"] = _profile(view_call, args.profile_calls)
    return result


def _profile(fn: Callable[[], Any], calls: int) -> str:
    """pyinstrument's text report over `calls` calls of `fn`."""
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(calls):
        fn()
    profiler.stop()
    return profiler.output_text(unicode=True, color=False, show_all=False, short_mode=False)


# ---------------------------------------------------------------- report


LABELS = {
    "direct": "direct `requests.get`",
    "run_operation": "console, `run_operation`",
    "send_view": "console, Send view (test Client)",
}


def report(worlds: list[dict[str, Any]], load_before: tuple[float, ...]) -> None:
    print(
        f"Machine: {platform.system()} {platform.machine()}, nproc {os.cpu_count()}, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"load average {' '.join(f'{x:.2f}' for x in load_before)} at the start, "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} at the end"
    )
    print()
    print(f"Upstream latency {LATENCY * 1000:.0f} ms; {worlds[0]['calls']} calls per path.")
    print()
    rows = []
    for w in worlds:
        direct = w["times"]["direct"]
        for name in PATHS:
            t = w["times"][name]
            if name == "direct":
                added = ["", "", ""]
            else:
                paired = w["paired"][name]
                added = [
                    ms(t["median"] - direct["median"]),
                    ms(paired["median"]),
                    ms(t["p95"] - direct["p95"]),
                ]
            rows.append([LABELS[name], w["database"], ms(t["median"]), ms(t["p95"]), *added])
    print(
        table(
            [
                "path",
                "database",
                "median",
                "p95",
                "added (median - median)",
                "added (median of pairs)",
                "added (p95 - p95)",
            ],
            rows,
        )
    )
    print()
    print(
        "CPU reference loop (`cpu_reference`, timed once per round; the added times scale "
        "with it): "
        + "; ".join(
            f"{w['database']} {ms(w['cpu_reference']['median'])} median, "
            f"p95 {ms(w['cpu_reference']['p95'])}"
            for w in worlds
        )
    )
    print()
    print("Where run_operation's time goes (its own measurements):")
    print()
    rows = []
    for w in worlds:
        p = w["parts"]
        rows.append(
            [
                w["database"],
                ms(p["token"]["median"]),
                ms(p["upstream"]["median"]),
                ms(p["outside_call"]["median"]),
            ]
        )
    print(
        table(
            [
                "database",
                "token step (cached)",
                "upstream send (incl. the 50 ms)",
                "before and after the call (build, check, render, record)",
            ],
            rows,
        )
    )
    for w in worlds:
        if "profile" in w:
            print()
            print(f"pyinstrument, Send view, {w['database']}:")
            print()
            print(w["profile"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", metavar="URL", help="also run on this PostgreSQL server")
    parser.add_argument("--calls", type=int, default=300, help="calls per path (at least 200)")
    parser.add_argument(
        "--latency", type=float, metavar="MS", help="the upstream's latency (default 50 ms)"
    )
    parser.add_argument("--profile", action="store_true", help="profile the Send view too")
    parser.add_argument("--profile-calls", type=int, default=100, help=argparse.SUPPRESS)
    parser.add_argument("--world", help=argparse.SUPPRESS)
    parser.add_argument("--db-url", help=argparse.SUPPRESS)
    parser.add_argument("--upstream", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.latency is not None:
        os.environ["BENCH_PROXY_LATENCY_MS"] = str(args.latency)
        global LATENCY
        LATENCY = args.latency / 1000
    if args.upstream:
        serve_upstream()
        return
    if args.world:
        world(
            args.world,
            args.db_url,
            "bench-proxy-",
            lambda: _world_run(args),
            ALLOWED_HOSTS="testserver,127.0.0.1",
        )
        return
    load_before = os.getloadavg()
    started = time.perf_counter()
    child = ["--calls", str(args.calls)]
    if args.profile:
        child += ["--profile", "--profile-calls", str(args.profile_calls)]
    worlds = [run_world(__file__, "sqlite", None, child)]
    if args.postgres:
        worlds.append(run_world(__file__, "postgresql", args.postgres, child))
    report(worlds, load_before)
    print()
    print(f"Total bench time: {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
