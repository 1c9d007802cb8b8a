"""Bulk runs: rows a second through 1, 2 and 4 task-queue workers, beside a plain
`requests` loop making the same calls at the same concurrency.

    .venv/bin/python bench/bulk.py [--rows 200] [--workers 1,2,4] [--postgres URL]

Prints figures, asserts nothing. The upstream is bench/proxy.py's (its own process, a token
endpoint and `GET /v1/meter-types`, 50 ms before each answer). Each row of the run is one
such call, through `run_operation` like a Send: the spec check, the shared token, the safe
client, the history record with its chain hash. The workers are real `manage.py
bulk_worker` processes (django-tasks-db), started and idle before the run starts, so the
time is the run's alone: from `bulk_start` until the run is finished. The baseline makes
the same number of GETs with `requests` from as many threads as the run has workers (a
new connection per call, as the console makes one per call). Target: the run's rate at
least 80% of the loop's at the same concurrency.

Each database runs in its own child process on a fresh database (bench/common.py):
SQLite in a temporary directory, and with --postgres a temporary database there.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from common import log, run_world, table, world  # bench/ is on sys.path as a script
from proxy import API_PATH, CLIENT_ID, CLIENT_SECRET, LATENCY, spec_document, upstream

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _workers(count: int) -> list[subprocess.Popen[bytes]]:
    env = {**os.environ, "LOG_LEVEL": "WARNING"}
    return [
        subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "bulk_worker",
                "--interval",
                "0.05",
                "--worker-id",
                f"bench-{n}",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for n in range(count)
    ]


def _world_run(args: argparse.Namespace) -> dict[str, Any]:
    import requests
    from django.contrib.auth import get_user_model

    from console.bulk import services as bulk
    from console.bulk.models import BulkRun, RunState
    from console.specs.models import Operation
    from console.specs.services import spec_import
    from console.teams.models import Membership, Role, Team
    from console.teams.scoping import TeamScope
    from console.vault import services
    from console.vault.models import Environment

    team = Team.objects.create(name="Bench", slug="bench")
    user = get_user_model().objects.create_user(username="bench")
    scope = TeamScope(Membership.objects.create(team=team, user=user, role=Role.ADMIN))
    results: list[dict[str, Any]] = []
    with upstream() as base_url:
        env = services.environment_save(
            scope=scope, environment=Environment(name="Bench", base_url=base_url)
        )
        access = services.access_create(
            scope=scope, name="Bench", environment=env, client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
        )  # fmt: skip
        imported = spec_import(
            scope=scope, name="Bench API", data=json.dumps(spec_document()).encode(),
            filename="bench.json",
        )  # fmt: skip
        operation = Operation.objects.get(version=imported.version, operation_id="listMeterTypes")
        token = services.access_token(access).access_token
        url = f"{base_url}{API_PATH}?limit=10"
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        text = "limit\n" + "10\n" * args.rows
        for count in args.workers:
            processes = _workers(count)
            try:
                time.sleep(4)  # every worker up and polling before the clock starts
                run = bulk.bulk_upload(scope=scope, operation=operation, text=text)
                bulk.bulk_configure(
                    scope=scope, run=run, access=access, mapping=run.mapping, concurrency=count
                )
                started = time.perf_counter()
                bulk.bulk_start(scope=scope, run=run)
                while BulkRun.objects.filter(pk=run.pk, state=RunState.RUNNING).exists():
                    time.sleep(0.02)
                elapsed = time.perf_counter() - started
                done = bulk.bulk_progress(BulkRun.objects.get(pk=run.pk)).done
            finally:
                for process in processes:
                    process.terminate()
                for process in processes:
                    process.wait(timeout=20)

            def call(_: int) -> None:
                response = requests.get(url, headers=headers, timeout=10)
                assert response.status_code == 200

            with ThreadPoolExecutor(max_workers=count) as pool:
                looped = time.perf_counter()
                list(pool.map(call, range(args.rows)))
                loop_elapsed = time.perf_counter() - looped
            log(f"{count} worker(s): {done} rows in {elapsed:.2f} s; loop {loop_elapsed:.2f} s")
            results.append(
                {"workers": count, "done": done, "run_s": elapsed, "loop_s": loop_elapsed}
            )
    return {"rows": args.rows, "results": results}


def report(worlds: list[dict[str, Any]]) -> None:
    """The figures, a table per database."""
    print(f"Upstream latency {LATENCY * 1000:.0f} ms per call.\n")
    for w in worlds:
        rows = []
        for r in w["results"]:
            run_rate, loop_rate = w["rows"] / r["run_s"], w["rows"] / r["loop_s"]
            rows.append([
                str(r["workers"]), f"{r['done']}/{w['rows']}", f"{run_rate:.1f}",
                f"{loop_rate:.1f}", f"{100 * run_rate / loop_rate:.0f}%",
            ])  # fmt: skip
        print(f"**{w['database']}**, {w['rows']} rows a run\n")
        header = ["workers", "rows sent", "bulk run rows/s", "requests loop rows/s", "ratio"]
        print(table(header, rows))
        print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--workers", default="1,2,4", help="worker counts, e.g. 1,2,4")
    parser.add_argument("--postgres", metavar="URL", help="also run on this PostgreSQL server")
    parser.add_argument("--world", help=argparse.SUPPRESS)
    parser.add_argument("--db-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.workers = [int(n) for n in str(args.workers).split(",") if n.strip()]
    if args.world:
        world(args.world, args.db_url, "bench-bulk-", lambda: _world_run(args))
        return
    extra = ["--rows", str(args.rows), "--workers", ",".join(map(str, args.workers))]
    worlds = [run_world(__file__, "sqlite", None, extra)]
    if args.postgres:
        worlds.append(run_world(__file__, "postgresql", args.postgres, extra))
    report(worlds)


if __name__ == "__main__":
    main()
