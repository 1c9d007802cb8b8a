"""Shared set-up for the explorer and history tests (imported by both conftest modules).

* Fixtures that point an Environment and an Application Access at the session
  sandbox and import the sandbox's own OpenAPI document, as an admin would.
* `FakeUsageEngine`: a tiny real HTTP server on 127.0.0.1 with a token endpoint
  and one API path, both scriptable, for answers the sandbox never gives (a
  token the API suddenly rejects, slow or malformed answers, 429 and 500).
* `send`: POST to explorer:send as a person, the way the operation page does.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from console.history.models import CallRecord
from console.sandbox.server import RunningSandbox
from console.specs.models import Operation, SpecVersion
from console.specs.services import ImportResult, spec_import
from console.teams.models import Membership, Role, Team
from console.vault import services as vault
from console.vault.crypto import decrypt
from console.vault.models import ApplicationAccess, CachedToken, Environment
from tests.conftest import SANDBOX_CLIENT_ID, SANDBOX_SECRET, Person

TOKEN_PATH = "/authentication/v1/oauth/token"
FAKE_CLIENT_ID = "fake-client-0042"
FAKE_SECRET = "fake-secret-Kp3vW8qZr1"
# Words that only appear when Django or Python leak an error page into the HTML.
LEAK_MARKERS = ("Traceback", 'File "', "Exception Value", "site-packages")


# ---------------------------------------------------------------- the sandbox, set up


@pytest.fixture
def sandbox_env(admin: Person, sandbox: RunningSandbox) -> Environment:
    """An environment whose base URL is the session sandbox (audience and token URL derived)."""
    return vault.environment_save(
        scope=admin.scope, environment=Environment(name="Sandbox", base_url=sandbox.url)
    )


def sandbox_access_named(admin: Person, env: Environment, name: str) -> ApplicationAccess:
    """An Application Access called `name` with the credentials the session sandbox knows."""
    return vault.access_create(
        scope=admin.scope,
        name=name,
        environment=env,
        client_id=SANDBOX_CLIENT_ID,
        client_secret=SANDBOX_SECRET,
    )


@pytest.fixture
def sandbox_access(admin: Person, sandbox_env: Environment) -> ApplicationAccess:
    """Application Access with the credentials the session sandbox knows."""
    return sandbox_access_named(admin, sandbox_env, "Sandbox access")


@pytest.fixture
def theirs_access(outsider: Person, sandbox: RunningSandbox) -> ApplicationAccess:
    """Another team's Application Access to the same sandbox (the outsider's)."""
    env = vault.environment_save(
        scope=outsider.scope, environment=Environment(name="Theirs", base_url=sandbox.url)
    )
    return vault.access_create(
        scope=outsider.scope,
        name="Theirs",
        environment=env,
        client_id=SANDBOX_CLIENT_ID,
        client_secret=SANDBOX_SECRET,
    )


@pytest.fixture
def sandbox_spec(admin: Person, sandbox: RunningSandbox) -> ImportResult:
    """The sandbox's OpenAPI document, imported by URL (fetched by the server)."""
    return spec_import(scope=admin.scope, name="Sandbox API", url=sandbox.url + "/openapi.json")


def find_operation(version: SpecVersion, operation_id: str) -> Operation:
    """The operation of `version` with this operationId."""
    return Operation.objects.get(version=version, operation_id=operation_id)


@pytest.fixture
def sandbox_op(sandbox_spec: ImportResult) -> Callable[[str], Operation]:
    """Look an operation of the imported sandbox spec up by operationId."""
    return lambda operation_id: find_operation(sandbox_spec.version, operation_id)


@pytest.fixture
def member2(team: Team) -> Person:
    """A second member of the team (the `member` fixture is the first)."""
    user = get_user_model().objects.create_user(username="max", password="pw-max")
    return Person(user, Membership.objects.create(team=team, user=user, role=Role.MEMBER))


# ---------------------------------------------------------------- sending


def send_url(operation: Operation) -> str:
    """explorer:send for `operation`."""
    return reverse("explorer:send", args=[operation.team.slug, operation.pk])


def send(
    client: Client,
    operation: Operation,
    access: ApplicationAccess | None,
    values: dict[str, Any] | None = None,
    *,
    body: str | None = None,
    htmx: bool = False,
) -> Any:
    """Press Send on the operation page (as a plain form post, or as htmx would)."""
    data: dict[str, Any] = dict(values or {})
    if access is not None:
        data["access"] = str(access.pk)
    if body is not None:
        data["body"] = body
    headers = {"HX-Request": "true", "HX-Target": "response-slot"} if htmx else {}
    return client.post(send_url(operation), data, headers=headers)


def html(response: Any) -> str:
    """The response body as text."""
    return response.content.decode()


def assert_no_leak(page: str) -> None:
    """No stack trace or debug page text in `page`."""
    for marker in LEAK_MARKERS:
        assert marker not in page, f"{marker!r} leaked into the page"


def records() -> list[CallRecord]:
    """Every call record, oldest first."""
    return list(CallRecord.objects.order_by("id"))


def cached_tokens() -> list[str]:
    """Every access token in the database cache, decrypted."""
    return [decrypt(row.token_encrypted) for row in CachedToken.objects.all()]


# ---------------------------------------------------------------- a scriptable upstream


@dataclass
class Seen:
    """One request as the fake server received it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # names lowercased
    body: bytes

    @property
    def form(self) -> dict[str, str]:
        """The body read as an HTML form."""
        return dict(parse_qsl(self.body.decode()))

    @property
    def bearer(self) -> str:
        """The token of an `Authorization: Bearer` header ("" without one)."""
        return self.headers.get("authorization", "").removeprefix("Bearer ")


@dataclass
class Reply:
    """A scripted answer: JSON for dicts and lists, bytes or text as given."""

    status: int
    body: Any = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0

    def encoded(self) -> tuple[bytes, dict[str, str]]:
        headers = dict(self.headers)
        body = self.body
        if isinstance(body, dict | list):
            body = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        elif isinstance(body, str):
            body = body.encode()
            headers.setdefault("Content-Type", "text/plain")
        return body, headers


FAKE_OPERATION_ID = "listThings"


def fake_spec_document() -> dict[str, Any]:
    """A one-operation OpenAPI document for the fake server."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "Fake Usage Engine", "version": "1"},
        "paths": {
            "/v1/things": {
                "get": {
                    "operationId": FAKE_OPERATION_ID,
                    "summary": "List things",
                    "tags": ["Things"],
                    "responses": {"200": {"description": "The things."}},
                }
            }
        },
    }


class FakeUsageEngine:
    """State and script of a fake token endpoint and API (see `_FakeHandler`)."""

    def __init__(self) -> None:
        self.url = ""
        self.lock = threading.Lock()
        self.token_requests: list[Seen] = []
        self.api_requests: list[Seen] = []
        self.token_script: deque[Reply] = deque()
        self.api_script: deque[Reply] = deque()
        self.issued: list[str] = []
        self.rejected: set[str] = set()  # the API answers 401 to these tokens
        self.reject_all = False

    def issue(self) -> Reply:
        """The next token answer: scripted, or a fresh opaque token valid for an hour."""
        with self.lock:
            if self.token_script:
                return self.token_script.popleft()
            token = f"fake-token-{len(self.issued) + 1:04d}-{uuid.uuid4().hex}"
            self.issued.append(token)
        return Reply(
            200,
            {"access_token": token, "token_type": "Bearer", "expires_in": 3600, "scope": "x"},
        )

    def answer(self, request: Seen) -> Reply:
        """The API's answer: 401 for rejected tokens, else scripted, else 200 with things."""
        with self.lock:
            if request.bearer not in self.issued or self.reject_all:
                return Reply(401, {"error": "unauthorized", "message": "Invalid token."})
            if request.bearer in self.rejected:
                return Reply(401, {"error": "unauthorized", "message": "Token revoked."})
            if self.api_script:
                return self.api_script.popleft()
        return Reply(200, {"things": [{"name": "first thing"}]})


class _FakeHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _FakeServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _dispatch(self) -> None:
        fake = self.server.fake
        length = int(self.headers.get("Content-Length") or 0)
        parts = urlsplit(self.path)
        request = Seen(
            method=self.command,
            path=parts.path,
            query=dict(parse_qsl(parts.query)),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=self.rfile.read(length) if length else b"",
        )
        if request.path == TOKEN_PATH:
            with fake.lock:
                fake.token_requests.append(request)
            reply = fake.issue()
        elif request.path.startswith("/v1/"):
            with fake.lock:
                fake.api_requests.append(request)
            reply = fake.answer(request)
        else:
            reply = Reply(404, {"error": "not_found"})
        if reply.delay:
            time.sleep(reply.delay)
        body, headers = reply.encoded()
        self.send_response(reply.status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except OSError:  # the console gave up waiting: expected in the timeout test
            self.close_connection = True

    def finish(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            super().finish()

    do_GET = do_POST = do_PUT = do_DELETE = _dispatch


class _FakeServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    fake: FakeUsageEngine

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


@pytest.fixture
def fake_ue() -> Iterator[FakeUsageEngine]:
    """A fresh fake Usage Engine on 127.0.0.1 and a free port."""
    fake = FakeUsageEngine()
    server = _FakeServer(("127.0.0.1", 0), _FakeHandler)
    server.fake = fake
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def fake_access(admin: Person, fake_ue: FakeUsageEngine) -> ApplicationAccess:
    """Application Access in an environment that is the fake server."""
    env = vault.environment_save(
        scope=admin.scope, environment=Environment(name="Fake", base_url=fake_ue.url)
    )
    return vault.access_create(
        scope=admin.scope,
        name="Fake access",
        environment=env,
        client_id=FAKE_CLIENT_ID,
        client_secret=FAKE_SECRET,
    )


@pytest.fixture
def fake_op(admin: Person) -> Operation:
    """The fake server's one operation, from an uploaded spec."""
    result = spec_import(
        scope=admin.scope,
        name="Fake API",
        data=json.dumps(fake_spec_document()).encode(),
        filename="fake.json",
    )
    return find_operation(result.version, FAKE_OPERATION_ID)
