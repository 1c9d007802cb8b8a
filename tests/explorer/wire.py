"""Local servers for the console-level outbound tests: what actually reaches the wire.

`WireServer` listens on 127.0.0.1 and a free port. It has a token endpoint and records
every ``/v1/…`` request exactly as it arrived: the raw request target (before any
decoding), the headers and the method. Its OpenAPI document (`wire_spec_document`)
has one operation per behaviour:

* ``GET /v1/items/{itemId}`` (``getItem``): answers with the raw target it received;
* ``GET /v1/notes`` (``getNote``, header parameter ``X-Note``): answers with the headers;
* ``GET /v1/redirect`` (``followRedirect``): answers `redirect_status` with a
  ``Location`` of `location` (set by the test: another server, usually);
* ``GET /v1/big`` (``getBig``): a JSON answer of `big_size` bytes, written in 64 KiB
  pieces with its full Content-Length; `big_sent` counts what left the server;
* ``GET /v1/reset`` (``getReset``): headers, 1,000 of the promised 100,000 bytes, then a
  TCP reset (SO_LINGER 0);
* ``GET /v1/stall`` (``getStall``): headers and 1,000 bytes, then silence for
  `stall_seconds`.

`CountingServer` is the "other host" a redirect points at: it answers 200 to anything
and records every request, so a test can prove that nothing (and no Authorization
header) reached it.

`socket_connects` lists every ``socket.connect`` address the test process tried
(from an audit hook), to prove a refusal happened before any connection.
"""

from __future__ import annotations

import contextlib
import html as html_lib
import json
import socket
import struct
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from console.history.models import CallRecord
from console.specs.models import Operation
from console.specs.services import spec_import
from console.vault import services as vault
from console.vault.models import ApplicationAccess, Environment
from tests.conftest import Person
from tests.explorer.support import TOKEN_PATH, assert_no_leak, find_operation, html

WIRE_CLIENT_ID = "wire-client-0313"
WIRE_SECRET = "wire-secret-Jx8rT2kQm5"
RESET_PROMISED = 100_000
RESET_SENT = 1_000


def wire_spec_document() -> dict[str, Any]:
    """The wire server's OpenAPI 3.0 document (no security: tokens are not the point)."""
    echoed = {"200": {"description": "What the server received."}}
    plain = {"responses": echoed, "tags": ["Wire"]}
    return {
        "openapi": "3.0.3",
        "info": {"title": "Wire API", "version": "1"},
        "paths": {
            "/v1/items/{itemId}": {
                "get": {
                    "operationId": "getItem",
                    "summary": "Get an item",
                    "parameters": [
                        {
                            "name": "itemId",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        }
                    ],
                    **plain,
                }
            },
            "/v1/notes": {
                "get": {
                    "operationId": "getNote",
                    "summary": "Get a note",
                    "parameters": [
                        {"name": "X-Note", "in": "header", "schema": {"type": "string"}}
                    ],
                    **plain,
                }
            },
            "/v1/redirect": {
                "get": {"operationId": "followRedirect", "summary": "Be redirected", **plain}
            },
            "/v1/big": {"get": {"operationId": "getBig", "summary": "A huge answer", **plain}},
            "/v1/reset": {"get": {"operationId": "getReset", "summary": "Reset mid-body", **plain}},
            "/v1/stall": {"get": {"operationId": "getStall", "summary": "Stall mid-body", **plain}},
        },
    }


@dataclass
class Arrived:
    """One request as a server read it off the socket."""

    method: str
    target: str  # the raw request target, e.g. "/v1/items/..%2Fadmin?x=1"
    headers: dict[str, str]  # names lowercased

    @property
    def path(self) -> str:
        """The target without its query (still percent-encoded as it arrived)."""
        return self.target.split("?", 1)[0]


class WireServer:
    """State and script of the wire server (see the module docstring)."""

    def __init__(self) -> None:
        self.url = ""
        self.port = 0
        self.lock = threading.Lock()
        self.received: list[Arrived] = []
        self.token_requests = 0
        self.redirect_status = 302
        self.location = ""
        self.big_size = 50 * 1024 * 1024
        self.big_sent = 0
        self.big_done = threading.Event()
        self.stall_seconds = 2.0

    def api(self) -> list[Arrived]:
        """The /v1 requests received so far."""
        with self.lock:
            return list(self.received)


class _WireHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _WireHttpServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _dispatch(self) -> None:
        wire = self.server.wire
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        arrived = Arrived(
            method=self.command,
            target=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
        )
        if arrived.path == TOKEN_PATH:
            with wire.lock:
                wire.token_requests += 1
            token = f"wire-token-{uuid.uuid4().hex}"
            self._json(200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600})
            return
        if not arrived.path.startswith("/v1/"):
            self._json(404, {"error": "not_found"})
            return
        with wire.lock:
            wire.received.append(arrived)
        if arrived.path.startswith("/v1/items/"):
            self._json(200, {"target": arrived.target})
        elif arrived.path == "/v1/notes":
            self._json(200, {"note": self.headers.get("X-Note")})
        elif arrived.path == "/v1/redirect":
            self._json(
                wire.redirect_status, {"moved": True}, {"Location": wire.location or "/v1/items/x"}
            )
        elif arrived.path == "/v1/big":
            self._big(wire)
        elif arrived.path == "/v1/reset":
            self._reset()
        elif arrived.path == "/v1/stall":
            self._stall(wire)
        else:
            self._json(404, {"error": "not_found"})

    def _big(self, wire: WireServer) -> None:
        # A JSON array of small objects, cut to exactly big_size bytes.
        piece = b'{"meter":"m","value":12345},' * 2341  # 65,548 bytes
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(wire.big_size))
            self.end_headers()
            self.wfile.write(b"[")
            sent = 1
            while sent < wire.big_size:
                chunk = piece[: wire.big_size - sent]
                self.wfile.write(chunk)
                sent += len(chunk)
                wire.big_sent = sent
        except OSError:
            self.close_connection = True
        finally:
            wire.big_done.set()

    def _reset(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(RESET_PROMISED))
        self.end_headers()
        self.wfile.write(b"[" + b"1," * (RESET_SENT // 2 - 1) + b"1")
        self.wfile.flush()
        time.sleep(0.2)  # the client has the headers and waits for the rest
        # SO_LINGER with a zero timeout turns close() into a TCP reset.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def _stall(self, wire: WireServer) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(RESET_PROMISED))
        self.end_headers()
        self.wfile.write(b"z" * RESET_SENT)
        self.wfile.flush()
        time.sleep(wire.stall_seconds)
        self.close_connection = True

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except OSError:  # the console stopped reading (cap, timeout): expected here
            self.close_connection = True

    def finish(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            super().finish()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _dispatch


class _WireHttpServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    wire: WireServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


class CountingServer:
    """Any request is answered 200 and recorded (see the module docstring)."""

    def __init__(self) -> None:
        self.url = ""
        self.port = 0
        self.lock = threading.Lock()
        self.received: list[Arrived] = []

    def requests(self) -> list[Arrived]:
        """Every request received so far."""
        with self.lock:
            return list(self.received)


class _CountingHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _CountingHttpServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        counting = self.server.counting
        with counting.lock:
            counting.received.append(
                Arrived(self.command, self.path, {k.lower(): v for k, v in self.headers.items()})
            )
        body = b'{"caught": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def finish(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            super().finish()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _dispatch


class _CountingHttpServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    counting: CountingServer


@contextlib.contextmanager
def _serving(server: ThreadingHTTPServer) -> Iterator[None]:
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def wire() -> Iterator[WireServer]:
    """A fresh wire server on 127.0.0.1 and a free port."""
    state = WireServer()
    server = _WireHttpServer(("127.0.0.1", 0), _WireHandler)
    server.wire = state
    state.port = server.server_address[1]
    state.url = f"http://127.0.0.1:{state.port}"
    with _serving(server):
        yield state


@pytest.fixture
def elsewhere() -> Iterator[CountingServer]:
    """A second server (another port, reached as "localhost") that counts what reaches it."""
    state = CountingServer()
    server = _CountingHttpServer(("127.0.0.1", 0), _CountingHandler)
    server.counting = state
    state.port = server.server_address[1]
    state.url = f"http://localhost:{state.port}"
    with _serving(server):
        yield state


def environment_access(admin: Person, name: str, base_url: str) -> ApplicationAccess:
    """An environment at `base_url` and an Application Access in it, as an admin makes them."""
    env = vault.environment_save(
        scope=admin.scope, environment=Environment(name=name, base_url=base_url)
    )
    return vault.access_create(
        scope=admin.scope,
        name=f"{name} access",
        environment=env,
        client_id=WIRE_CLIENT_ID,
        client_secret=WIRE_SECRET,
    )


@pytest.fixture
def wire_access(admin: Person, wire: WireServer) -> ApplicationAccess:
    """Application Access in an environment that is the wire server."""
    return environment_access(admin, "Wire", wire.url)


@pytest.fixture
def wire_op(admin: Person) -> Callable[[str], Operation]:
    """Look an operation of the (uploaded) wire spec up by operationId."""
    result = spec_import(
        scope=admin.scope,
        name="Wire API",
        data=json.dumps(wire_spec_document()).encode(),
        filename="wire.json",
    )
    return lambda operation_id: find_operation(result.version, operation_id)


# ---------------------------------------------------------------- connection attempts

_connects: list[tuple[Any, ...]] | None = None
_hook_installed = False


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "socket.connect" and _connects is not None:
        address = args[1]
        if isinstance(address, tuple):
            _connects.append(address)


@pytest.fixture
def socket_connects() -> Iterator[list[tuple[Any, ...]]]:
    """Every (host, port, ...) the test process passed to socket.connect during the test."""
    global _connects, _hook_installed
    if not _hook_installed:
        sys.addaudithook(_audit)  # cannot be removed; inert outside this fixture
        _hook_installed = True
    _connects = []
    try:
        yield _connects
    finally:
        _connects = None


# ---------------------------------------------------------------- what the page and history say


def only_record() -> CallRecord:
    """The one history record the Send produced (fails when there are none or several)."""
    found = list(CallRecord.objects.all())
    assert len(found) == 1, f"expected exactly one history record, found {len(found)}"
    return found[0]


def assert_failed_call(response: Any, kind: str, *phrases: str) -> CallRecord:
    """A 200 page with the failure in words (no trace), and one record saying the same."""
    assert response.status_code == 200
    page = html(response)
    assert_no_leak(page)
    assert 'class="alert alert-error"' in page
    record = only_record()
    assert record.status is None
    assert record.error_kind == kind, record.error_message
    for phrase in phrases:
        assert phrase in record.error_message
    assert record.error_message in html_lib.unescape(page)
    return record
