"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Fixtures
    browser          one headless Chromium for the session (skipped when /usr/bin/chromium is
                     missing, a failure instead when CONSOLE_REQUIRE_BROWSER=1)
    page             a fresh context and page (1400x900, light theme) on the live server;
                     any JS error, CSP violation or failed resource load fails the test
    another_page     a second page in a context of its own (another person's browser)
    page_problems    what `page` reported so far (PageProblems)
    fresh_sandbox    a sandbox of its own for one test (pristine data), recording every
                     access token it issues in `.issued_tokens`
    sandbox_env      an Environment of the fixture team pointing at `fresh_sandbox`,
                     with the sandbox's spec imported
    sandbox_access   the team's Application Access "Sandbox demo" for `fresh_sandbox`

Every test here is marked `browser` and runs on `transactional_db` (the live server
reads the database from another thread).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from console.sandbox.config import SandboxClient, SandboxConfig
from console.sandbox.server import RunningSandbox, start_in_thread
from console.specs.services import spec_import
from console.vault.models import ApplicationAccess, Environment
from console.vault.services import access_create, environment_save
from tests.conftest import Person

try:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or fails) with the reason
    expect = None
    PlaywrightError = Exception

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1400, "height": 900}
DEFAULT_TIMEOUT_MS = 10_000
SPEC_NAME = "Usage Engine (sandbox)"

# Listens before any page script runs (init scripts are not subject to the page's CSP) and
# reports every Content-Security-Policy violation as a console error the watcher sees.
_CSP_REPORTER = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error("CSP violation: " + e.violatedDirective + " blocked " +
                (e.blockedURI || "inline") + " at " + e.sourceFile + ":" + e.lineNumber);
});
"""


def _required() -> bool:
    return os.environ.get("CONSOLE_REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes"}


def _unavailable(reason: str) -> None:
    """Skip, or fail when CONSOLE_REQUIRE_BROWSER=1 says the browser tests must run."""
    if _required():
        pytest.fail(
            f"{reason} (CONSOLE_REQUIRE_BROWSER=1 requires the browser tests)", pytrace=False
        )
    pytest.skip(reason)


class _AsyncUnsafe:
    """Playwright's sync API marks its event loop as the main thread's running loop, from
    its first call on. Under a running loop Django refuses ORM calls
    (SynchronousOnlyOperation, hence DJANGO_ALLOW_ASYNC_UNSAFE) and, worse, keeps the main
    thread's database connections in another store (asgiref's Local switches from
    thread-local to context-local storage): connections opened before would be orphaned,
    still open, and every later test of the session would run with a second connection
    to the same SQLite file. So the loop is marked running only during a browser test's
    turn, and what the turn connected is closed before the rest of the session goes on.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, previous: str | None) -> None:
        self.loop = loop
        self._previous = previous  # DJANGO_ALLOW_ASYNC_UNSAFE before the turn

    def enter(self) -> None:
        self._previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        asyncio._set_running_loop(self.loop)

    def leave(self) -> None:
        from django.db import connections

        connections.close_all()  # the connections of the turn's (context-local) store
        asyncio._set_running_loop(None)
        if self._previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = self._previous


_ASYNC_UNSAFE = pytest.StashKey[_AsyncUnsafe]()


@pytest.fixture(scope="session")
def browser(pytestconfig: pytest.Config) -> Iterator[Any]:
    """Headless Debian Chromium for the whole session (use it through `page`)."""
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"{CHROMIUM} is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[dev]')")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # restored by turns.leave() below
    playwright = sync_playwright().start()
    turns = _AsyncUnsafe(asyncio.get_running_loop(), previous)  # Playwright's loop
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
    except Exception:
        playwright.stop()
        turns.leave()
        raise
    turns.leave()
    pytestconfig.stash[_ASYNC_UNSAFE] = turns
    try:
        yield chromium
    finally:
        turns.enter()
        chromium.close()
        playwright.stop()  # clears the running loop
        turns.leave()


@pytest.fixture
def _browser_turn(browser: Any, pytestconfig: pytest.Config) -> Iterator[None]:
    """Mark Playwright's loop running for this test only (see _AsyncUnsafe)."""
    turns = pytestconfig.stash[_ASYNC_UNSAFE]
    turns.enter()
    try:
        yield
    finally:
        turns.leave()


@dataclass
class PageProblems:
    """What went wrong in the page: JS errors, CSP violations, console errors."""

    problems: list[str] = field(default_factory=list)

    def on_console(self, message: Any) -> None:
        text = message.text
        if message.type == "error" or "Content Security Policy" in text:
            where = message.location or {}
            self.problems.append(f"console.{message.type}: {text} ({where.get('url', '?')})")

    def on_page_error(self, error: Any) -> None:
        self.problems.append(f"page error: {error}")


_PROBLEMS = pytest.StashKey[PageProblems]()


def _new_page(browser: Any, live_server: Any, watcher: PageProblems) -> tuple[Any, Any]:
    """A page in a context of its own (its own cookies), reporting to `watcher`."""
    context = browser.new_context(
        base_url=live_server.url,
        viewport=VIEWPORT,
        color_scheme="light",
        reduced_motion="reduce",
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.add_init_script(_CSP_REPORTER)
    page = context.new_page()
    page.on("console", watcher.on_console)
    page.on("pageerror", watcher.on_page_error)
    return context, page


@pytest.fixture
def page(
    _browser_turn: None,
    browser: Any,
    live_server: Any,
    transactional_db: None,
    request: pytest.FixtureRequest,
) -> Iterator[Any]:
    """A new page in its own context, based at the live server; problems fail the test."""
    watcher = PageProblems()
    request.node.stash[_PROBLEMS] = watcher
    context, page = _new_page(browser, live_server, watcher)
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def another_page(
    page: Any, browser: Any, live_server: Any, request: pytest.FixtureRequest
) -> Iterator[Any]:
    """A second page in a fresh context (another person's browser, no cookies shared);
    its problems fail the test like `page`'s."""
    context, other = _new_page(browser, live_server, request.node.stash[_PROBLEMS])
    try:
        yield other
    finally:
        context.close()


@pytest.fixture
def page_problems(page: Any, request: pytest.FixtureRequest) -> PageProblems:
    """The problems `page` reported so far (tests of the watcher itself use it)."""
    return request.node.stash[_PROBLEMS]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """After a browser test body passes, fail it if its page logged JS errors or CSP violations."""
    result = yield
    watcher = item.stash.get(_PROBLEMS, None)
    if watcher is not None and watcher.problems:
        pytest.fail("the page reported problems:\n" + "\n".join(watcher.problems), pytrace=False)
    return result


def sign_in(page: Any, username: str, password: str) -> None:
    """Sign in through the login form, as a person would."""
    page.goto("/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


class RecordingSandbox:
    """A running sandbox with one client of its own, and the access tokens it issued.

    The credentials are fresh for every test, so a value found on disk or in a page can
    only come from that test. Tokens are recorded by wrapping the sandbox's signer here,
    in the test; the sandbox itself keeps no token.
    """

    def __init__(self, running: RunningSandbox, client_id: str, client_secret: str) -> None:
        self.running = running
        self.url = running.url
        self.client_id = client_id
        self.client_secret = client_secret
        self._lock = threading.Lock()
        self._issued: list[str] = []
        tokens = running.app.tokens
        issue = tokens.issue

        def recording_issue(*args: Any, **kwargs: Any) -> Any:
            issued = issue(*args, **kwargs)
            with self._lock:
                self._issued.append(issued.access_token)
            return issued

        # The token endpoint calls `self.tokens.issue`: an instance attribute shadows the method.
        tokens.issue = recording_issue

    @property
    def issued_tokens(self) -> list[str]:
        """Every access token signed so far, oldest first."""
        with self._lock:
            return list(self._issued)


@pytest.fixture
def fresh_sandbox() -> Iterator[RecordingSandbox]:
    """A sandbox of this test's own: seed data nobody else changed, tokens recorded."""
    client_id = f"browser-client-{secrets.token_hex(4)}"
    client_secret = f"canary-secret-{secrets.token_hex(16)}"
    config = SandboxConfig(
        clients=(SandboxClient(client_id, client_secret),), rate_per_second=1000, burst=1000
    )
    with start_in_thread(config) as running:
        yield RecordingSandbox(running, client_id, client_secret)


@pytest.fixture
def sandbox_env(admin: Person, fresh_sandbox: RecordingSandbox) -> Environment:
    """The team's "Sandbox" environment, with the sandbox's spec imported."""
    env = environment_save(
        scope=admin.scope,
        environment=Environment(name="Sandbox", base_url=fresh_sandbox.url + "/"),
    )
    spec_import(scope=admin.scope, name=SPEC_NAME, url=fresh_sandbox.url + "/openapi.json")
    return env


@pytest.fixture
def sandbox_access(
    admin: Person, sandbox_env: Environment, fresh_sandbox: RecordingSandbox
) -> ApplicationAccess:
    """The team's Application Access "Sandbox demo" for `fresh_sandbox`, stored by an admin."""
    return access_create(
        scope=admin.scope,
        name="Sandbox demo",
        environment=sandbox_env,
        client_id=fresh_sandbox.client_id,
        client_secret=fresh_sandbox.client_secret,
    )
