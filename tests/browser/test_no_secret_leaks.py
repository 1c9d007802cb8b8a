"""No client secret and no access token ever reaches a browser, a log or the disk in clear.

An admin stores an Application Access through the UI, a call is sent with it, the
connection is tested, and the history and the edit form are opened. Everything the
browser received (each page's HTML, every response body and header, htmx partials
included, cookies and storage), everything logged at DEBUG by the console's loggers, and
the database must not contain the secret or any access token the sandbox issued during
the test (the sandbox's signer is wrapped by the `fresh_sandbox` fixture to know them).

The secret is `canary-secret-<hex>` and tokens are base64url with dots: HTML, URL and
JSON escaping leave both unchanged, so a plain substring search finds any copy.
"""

from __future__ import annotations

import logging
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from console.core.models import Session
from console.vault.models import Environment
from tests.browser.conftest import PlaywrightError, RecordingSandbox, expect, sign_in
from tests.conftest import Person

pytestmark = pytest.mark.browser

ACCESS_NAME = "Leak check"


@dataclass
class Seen:
    """Everything the browser received during the flow, labelled by where it came from."""

    origin: str
    texts: list[tuple[str, str]] = field(default_factory=list)
    htmx_bodies: list[str] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)  # pages and htmx answers we could not read

    def on_response(self, response: Any) -> None:
        if not response.url.startswith(self.origin):
            return
        request = response.request
        label = f"{request.method} {response.url} -> {response.status}"
        headers = "\n".join(f"{k}: {v}" for k, v in response.headers_array())
        self.texts.append((label + " (headers)", headers))
        if 300 <= response.status < 400:
            return  # a redirect has no body to read
        try:
            body = response.body().decode("utf-8", "replace")
        except PlaywrightError as exc:
            # A static file cut off by the next navigation is harmless; a page is not.
            if request.resource_type in {"document", "xhr", "fetch"}:
                self.unread.append(f"{label}: {exc}")
            return
        self.texts.append((label + " (body)", body))
        if request.headers.get("hx-request") == "true":
            self.htmx_bodies.append(body)

    def snapshot(self, page: Any, what: str) -> None:
        """The page's DOM as it is now (after htmx swaps, unlike the response bodies)."""
        self.texts.append((f"DOM of {page.url} ({what})", page.content()))


def _needles(sandbox: RecordingSandbox) -> dict[str, str]:
    """The values that must appear nowhere: the secret, and each token whole and in parts."""
    tokens = sandbox.issued_tokens
    assert tokens, "the flow fetched no token: nothing was checked"
    needles = {"the client secret": sandbox.client_secret}
    for number, token in enumerate(tokens, 1):
        header, payload, signature = token.split(".")
        needles[f"access token {number}"] = token
        needles[f"access token {number} (header.payload)"] = f"{header}.{payload}"
        needles[f"access token {number} (signature)"] = signature
    return needles


def _leaks(needles: dict[str, str], texts: list[tuple[str, str]]) -> list[str]:
    return [
        f"{name} found in {where}"
        for where, text in texts
        for name, needle in needles.items()
        if needle in text
    ]


def _run_flow(page: Any, sandbox: RecordingSandbox, seen: Seen) -> None:
    """Add the Application Access in the UI, send a call, test the connection, look around."""
    page.on("response", seen.on_response)
    sign_in(page, "adam", "pw-adam")
    main_nav = page.get_by_role("navigation", name="Main")

    # Settings → Add Application Access.
    main_nav.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Team settings")
    seen.snapshot(page, "settings")
    page.get_by_role("link", name="Add Application Access").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add Application Access")
    seen.snapshot(page, "empty access form")
    page.get_by_label("Name").fill(ACCESS_NAME)
    page.get_by_label("Environment").select_option(label="Sandbox")
    page.get_by_label("Client ID").fill(sandbox.client_id)
    page.get_by_label("Client secret").fill(sandbox.client_secret)
    with page.expect_request(lambda r: r.method == "POST" and "/accesses/new/" in r.url) as post:
        page.get_by_role("button", name="Save").click()
    # The secret does travel once, from the browser to the console: the capture sees requests.
    assert sandbox.client_secret in (post.value.post_data or "")
    expect(page.get_by_role("heading", level=1)).to_have_text(ACCESS_NAME)
    expect(page.locator(".messages")).to_contain_text(f"Application Access {ACCESS_NAME} saved.")
    access_url = page.url
    seen.snapshot(page, "access after save")

    # Explorer → List meter types → Send.
    main_nav.get_by_role("link", name="Explorer").click()
    page.get_by_role("navigation", name="Operations").get_by_role(
        "link", name=re.compile("List meter types")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("List meter types")
    # The only Application Access is preselected (picking one is the demo flow's part).
    expect(page.locator("#access option:checked")).to_have_text(f"{ACCESS_NAME} — Sandbox")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator("#response-slot .response-status .status")).to_have_text("200")
    expect(page.locator("#response-body")).to_contain_text("meterTypes")
    # Open the response headers (the JSON tree and "Copy as" are <details> too).
    page.locator("#response-slot details.response-section > summary", has_text="Headers").click()
    seen.snapshot(page, "operation with response")

    # The Application Access page → Test connection.
    page.goto(access_url)
    page.get_by_role("button", name="Test connection").click()
    connection_panel = page.locator("#connection")
    expect(connection_panel).to_contain_text("Valid")
    expect(connection_panel).to_contain_text("read:meter_types")
    seen.snapshot(page, "access after Test connection")

    # The history, the call's detail, and the edit form.
    main_nav.get_by_role("link", name="History").click()
    expect(page.locator("#history-rows tr")).to_have_count(1)
    seen.snapshot(page, "history")
    page.locator("#history-rows a.row-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("List meter types")
    request_headers = page.get_by_role("region", name="Request")
    expect(request_headers).to_contain_text("Bearer [redacted]")
    seen.snapshot(page, "history detail")
    page.goto(access_url)
    page.get_by_role("link", name="Edit or replace secret").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit Application Access")
    seen.snapshot(page, "edit form")

    # The capture really saw every page and the htmx partials (response panel, connection).
    assert seen.unread == []
    assert any("meterTypes" in body for body in seen.htmx_bodies)
    assert any("Valid" in body for body in seen.htmx_bodies)


def _read_elsewhere(path: Path) -> bytes:
    """The bytes of a file, read by a child process.

    Closing any descriptor of a database file releases every POSIX lock this process
    holds on it, those of SQLite's open connections included (sqlite.org/howtocorrupt.html,
    2.2); a later writer in another process could then corrupt the file. A child's
    descriptors carry no locks of ours.
    """
    script = "import sys; sys.stdout.buffer.write(open(sys.argv[1], 'rb').read())"
    return subprocess.run(
        [sys.executable, "-c", script, str(path)], capture_output=True, check=True
    ).stdout


def _database_rows() -> list[tuple[str, str]]:
    """Every cell of every table as text, one entry per row, plus the decoded sessions."""
    texts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                cells = [
                    bytes(v).decode("latin-1") if isinstance(v, bytes | memoryview) else str(v)
                    for v in row
                ]
                texts.append((f"a row of {table}", "\x00".join(cells)))
    texts += [(f"session {s.pk[:6]}…", repr(s.get_decoded())) for s in Session.objects.all()]
    return texts


@pytest.fixture
def console_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Capture every log record at DEBUG, the console's loggers included."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="console")
    return caplog


def test_no_secret_or_token_in_pages_logs_or_database_rows(
    page: Any,
    live_server: Any,
    admin: Person,
    sandbox_env: Environment,
    fresh_sandbox: RecordingSandbox,
    console_logs: pytest.LogCaptureFixture,
) -> None:
    seen = Seen(origin=live_server.url)
    _run_flow(page, fresh_sandbox, seen)
    needles = _needles(fresh_sandbox)

    # What the browser received and holds.
    storage = page.evaluate(
        "() => JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])"
    )
    browser_texts = [
        *seen.texts,
        ("cookies", repr(page.context.cookies())),
        ("web storage", storage),
    ]
    assert _leaks(needles, browser_texts) == []

    # What was logged, by the console and the sandbox, in every thread.
    assert "POST /authentication/v1/oauth/token 200" in console_logs.text  # capture works
    log_texts = [("the captured log", console_logs.text)] + [
        (f"log record of {r.name}", f"{r.getMessage()} {r.args!r} {r.__dict__!r}")
        for r in console_logs.records
    ]
    assert _leaks(needles, log_texts) == []

    # Every row of every table (and the decoded sessions); the client ID is encrypted too.
    needles["the client ID"] = fresh_sandbox.client_id
    rows = _database_rows()
    assert any(ACCESS_NAME in text for _, text in rows)  # the scan sees the new rows
    assert _leaks(needles, rows) == []


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="reads the bytes of SQLite's database file; on PostgreSQL the rows are scanned "
    "by test_no_secret_or_token_in_pages_logs_or_database_rows",
)
def test_no_secret_or_token_in_the_sqlite_file(
    page: Any,
    live_server: Any,
    admin: Person,
    sandbox_env: Environment,
    fresh_sandbox: RecordingSandbox,
) -> None:
    seen = Seen(origin=live_server.url)
    _run_flow(page, fresh_sandbox, seen)
    needles = {**_needles(fresh_sandbox), "the client ID": fresh_sandbox.client_id}

    path = Path(settings.DATABASES["default"]["NAME"])
    # WAL mode: recent pages sit in the -wal file until a checkpoint copies them over.
    files = [p for p in (path, Path(f"{path}-wal")) if p.exists()]
    raw = [(str(p), _read_elsewhere(p).decode("latin-1")) for p in files]
    assert any(ACCESS_NAME in text for _, text in raw)  # the new rows are in what was read
    assert _leaks(needles, raw) == []
