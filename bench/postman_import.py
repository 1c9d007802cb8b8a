"""Postman collection import: how long a large collection takes, parsing alone and the
whole import (matching every request against the sandbox's spec and saving it).

Generated collections of N items (requests and folders together, folders of 50
requests) cycle through the sandbox spec's operations as Postman writes them
(``{{baseUrl}}/…/:id`` with query, headers and a JSON body); one request in ten has a
path no operation has, so it becomes a free request. Each size is imported `--samples`
times into a fresh collection and the medians are printed (no assertions). The web page
refuses more than `console.postman.services.WEB_MAX_ITEMS` items; these runs pass a
higher limit to measure beyond it.

    .venv/bin/python bench/postman_import.py                    # sizes 500,1000,2000,5000
    .venv/bin/python bench/postman_import.py --sizes 2000 --samples 5 --postgres URL
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from typing import Any

from common import log, run_world, table, world  # bench/ is on sys.path as a script

SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"


def _operations() -> list[tuple[str, str]]:
    from console.sandbox.openapi import build_openapi

    document = build_openapi("http://127.0.0.1:9")
    return [
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    ]


def _request(index: int, method: str, path: str) -> dict[str, Any]:
    if index % 10 == 9:
        path = f"/not/in/the/spec/{index}"
    segments = [
        ":" + s[1:-1] if s.startswith("{") and s.endswith("}") else s
        for s in path.strip("/").split("/")
    ]
    variables = [{"key": s[1:], "value": f"value-{index}"} for s in segments if s[:1] == ":"]
    request: dict[str, Any] = {
        "method": method,
        "header": [
            {"key": "Accept", "value": "application/json"},
            {"key": "X-Request-Tag", "value": f"bench-{index}"},
        ],
        "url": {
            "raw": "{{baseUrl}}/" + "/".join(segments) + "?limit=10",
            "host": ["{{baseUrl}}"],
            "path": segments,
            "query": [{"key": "limit", "value": "10"}],
            "variable": variables,
        },
    }
    if method in ("POST", "PUT", "PATCH"):
        request["body"] = {
            "mode": "raw",
            "raw": json.dumps({"name": f"bench-{index}", "unit": "GB"}),
            "options": {"raw": {"language": "json"}},
        }
    return {"name": f"Request {index}", "request": request, "response": []}


def collection_text(size: int, operations: list[tuple[str, str]]) -> str:
    """A Postman v2.1 collection of `size` items: folders of 50 requests each."""
    items: list[dict[str, Any]] = []
    count = 0
    index = 0
    while count < size:
        folder: dict[str, Any] = {"name": f"Folder {len(items) + 1}", "item": []}
        items.append(folder)
        count += 1
        while count < size and len(folder["item"]) < 50:
            method, path = operations[index % len(operations)]
            folder["item"].append(_request(index, method, path))
            index += 1
            count += 1
    info = {"_postman_id": "bench", "name": f"Bench {size}", "schema": SCHEMA}
    return json.dumps({"info": info, "item": items})


def _world_run(args: argparse.Namespace) -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from console.collections.models import Collection
    from console.postman.collection import parse_collection
    from console.postman.services import WEB_MAX_ITEMS, postman_import
    from console.sandbox.openapi import build_openapi
    from console.specs.services import spec_import
    from console.teams.models import Membership, Role, Team
    from console.teams.scoping import TeamScope

    team = Team.objects.create(name="Bench", slug="bench")
    user = get_user_model().objects.create_user("bench", password="bench-password-1")
    scope = TeamScope(Membership.objects.create(team=team, user=user, role=Role.ADMIN))
    document = build_openapi("http://127.0.0.1:9")
    version = spec_import(
        scope=scope, name="Sandbox", data=json.dumps(document).encode(), filename="spec.json"
    ).version
    operations = _operations()
    rows = []
    for size in args.sizes:
        text = collection_text(size, operations)
        parse, whole = [], []
        for sample in range(args.samples):
            started = time.perf_counter()
            parse_collection(text, max_items=size)
            parse.append(time.perf_counter() - started)
            started = time.perf_counter()
            summary = postman_import(scope=scope, spec_version=version, text=text, max_items=size)
            whole.append(time.perf_counter() - started)
            log(
                f"{size} items, sample {sample + 1}: {whole[-1]:.2f} s "
                f"({len(summary.matched)} matched, {len(summary.free)} free)"
            )
            Collection.objects.filter(pk=summary.collection.pk).delete()
        rows.append(
            {
                "size": size,
                "bytes": len(text),
                "parse": statistics.median(parse),
                "import": statistics.median(whole),
                "matched": len(summary.matched),
                "free": len(summary.free),
            }
        )
    return {"rows": rows, "web_max_items": WEB_MAX_ITEMS, "samples": args.samples}


def report(worlds: list[dict[str, Any]]) -> None:
    """The medians, one table per database."""
    print(f"nproc {os.cpu_count()}, load average {os.getloadavg()[0]:.2f}")
    for result in worlds:
        print(f"\n{result['database']}, median of {result['samples']} imports per size")
        print(f"(the web page's limit: {result['web_max_items']:,} items)\n")
        rows = [
            [
                f"{r['size']:,}",
                f"{r['bytes'] / 1e6:.1f} MB",
                f"{r['matched']:,} / {r['free']:,}",
                f"{r['parse']:.2f} s",
                f"{r['import']:.2f} s",
                f"{r['import'] / r['size'] * 1000:.2f} s",
            ]
            for r in result["rows"]
        ]
        header = ["items", "document", "matched / free", "parse", "import", "per 1,000"]
        print(table(header, rows))


def main() -> None:
    """Run the sizes on SQLite (and PostgreSQL with --postgres), print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="500,1000,2000,5000", help="item counts")
    parser.add_argument("--samples", type=int, default=3)
    parser.add_argument("--postgres", metavar="URL", help="also run on this PostgreSQL server")
    parser.add_argument("--world", help=argparse.SUPPRESS)
    parser.add_argument("--db-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.sizes = [int(n) for n in str(args.sizes).split(",") if n.strip()]
    if args.world:
        world(args.world, args.db_url, "bench-postman-", lambda: _world_run(args))
        return
    extra = ["--sizes", ",".join(map(str, args.sizes)), "--samples", str(args.samples)]
    worlds = [run_world(__file__, "sqlite", None, extra)]
    if args.postgres:
        worlds.append(run_world(__file__, "postgresql", args.postgres, extra))
    report(worlds)


if __name__ == "__main__":
    main()
