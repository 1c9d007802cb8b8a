"""A real HTTP server on 127.0.0.1 for the outbound client tests (no Django, no database).

`FakeUpstream` plays both sides the console talks to: a token endpoint that records
every request and can be scripted to fail, and an API with endpoints for 401s,
slow answers, huge bodies, resets mid-body and redirects.
"""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import jwt
import pytest

from console.upstream.http import OutboundPolicy
from console.upstream.tokens import ClientCredentials

SECRET = "s3cr3t-VALUE-never-to-be-shown-4711"
CLIENT_ID = "client-abc"
AUDIENCE = "https://api.example.test/"
_SIGNING_KEY = "fake-upstream-signing-key-at-least-32-bytes"


@dataclass
class Recorded:
    """One request as the server saw it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # names lowercased
    body: bytes

    @property
    def form(self) -> dict[str, str]:
        """The body decoded as an HTML form."""
        return dict(parse_qsl(self.body.decode()))


@dataclass
class Reply:
    """A scripted answer."""

    status: int
    body: Any = b""
    headers: dict[str, str] = field(default_factory=dict)

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


class FakeUpstream:
    """State and script of the fake token endpoint and API."""

    def __init__(self) -> None:
        self.port = 0
        self.lock = threading.Lock()
        self.token_requests: list[Recorded] = []
        self.api_requests: list[Recorded] = []
        self.token_replies: deque[Reply] = deque()
        self.token_delay = 0.0
        self.expires_in: Any = 3600
        self.issued: list[str] = []
        self.unauthorized_remaining = 0  # /api/protected answers 401 this many times
        self.big_bytes_sent = 0
        self.big_done = threading.Event()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        """A URL on this server."""
        return f"http://{host}:{self.port}{path}"

    def script_token(self, status: int, body: Any = b"", headers: dict[str, str] | None = None):
        """Answer the next token request with this (queued; default is a fresh token)."""
        self.token_replies.append(Reply(status, body, headers or {}))

    def make_jwt(self, audience: str, client_id: str, lifetime: float = 3600) -> str:
        """A signed JWT shaped like the vendor's (the signature is never verified)."""
        now = time.time()
        claims = {
            "iss": "https://auth.example.test/",
            "sub": f"{client_id}@clients",
            "aud": audience,
            "iat": int(now),
            "exp": int(now + lifetime),
            "scope": "read:meter_types create:meters",
            "accountId": "0b6a1f7e-3c55-4a58-9d8e-8c1f0c0a1b2c",
            "jti": f"t{len(self.issued)}",
        }
        return jwt.encode(claims, _SIGNING_KEY, algorithm="HS256")

    def token_reply(self, form: dict[str, str]) -> Reply:
        with self.lock:
            if self.token_replies:
                return self.token_replies.popleft()
            token = self.make_jwt(form.get("audience", ""), form.get("client_id", ""))
            self.issued.append(token)
        body: dict[str, Any] = {
            "access_token": token,
            "scope": "read:meter_types create:meters",
            "token_type": "Bearer",
        }
        if self.expires_in is not None:
            body["expires_in"] = self.expires_in
        return Reply(200, body, {"Cache-Control": "no-store"})


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so connection reuse is real
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _record(self) -> Recorded:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        return Recorded(
            method=self.command,
            path=parts.path,
            query=dict(parse_qsl(parts.query)),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )

    def _reply(self, reply: Reply) -> None:
        body, headers = reply.encoded()
        self.send_response(reply.status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _dispatch(self) -> None:
        up = self.server.upstream
        request = self._record()
        path = request.path
        if path == "/oauth/token":
            with up.lock:
                up.token_requests.append(request)
            if up.token_delay:
                time.sleep(up.token_delay)
            self._reply(up.token_reply(request.form))
            return
        with up.lock:
            up.api_requests.append(request)
        if path == "/api/protected":
            auth = request.headers.get("authorization", "")
            with up.lock:
                if up.unauthorized_remaining > 0:
                    up.unauthorized_remaining -= 1
                    ok = False
                else:
                    ok = auth.removeprefix("Bearer ") in up.issued
            if ok:
                self._reply(Reply(200, {"ok": True}))
            else:
                self._reply(Reply(401, {"error": "unauthorized"}))
        elif path == "/api/echo":
            echo = {
                "method": request.method,
                "path": request.path,
                "query": request.query,
                "headers": request.headers,
                "body": request.body.decode("latin-1"),
            }
            self._reply(Reply(200, echo))
        elif path == "/slow":
            time.sleep(float(request.query.get("delay", "1")))
            self._reply(Reply(200, "late"))
        elif path == "/big":
            self._big(int(request.query["size"]))
        elif path == "/reset":
            self._reset()
        elif path == "/redirect":
            self._reply(Reply(302, "", {"Location": up.url("/api/echo")}))
        elif path == "/cookie":
            self.send_response(200)
            self.send_header("Set-Cookie", "a=1; Path=/")
            self.send_header("Set-Cookie", "b=2; Path=/")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path.startswith("/status/"):
            self._reply(Reply(int(path.rsplit("/", 1)[1]), "status"))
        else:
            self._reply(Reply(404, "no such path"))

    def _big(self, size: int) -> None:
        up = self.server.upstream
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(size))
            self.end_headers()
            chunk = b"x" * 65536
            sent = 0
            while sent < size:
                piece = chunk[: size - sent]
                self.wfile.write(piece)
                sent += len(piece)
                up.big_bytes_sent = sent
        except OSError:
            self.close_connection = True
        finally:
            up.big_done.set()

    def _reset(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "100000")
        self.end_headers()
        self.wfile.write(b"y" * 1000)
        self.wfile.flush()
        time.sleep(0.2)  # let the client read the headers and wait for the rest
        # SO_LINGER with a zero timeout turns close() into a TCP reset.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except OSError:  # the client went away (timeouts, truncation): expected here
            self.close_connection = True

    def finish(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            super().finish()

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _dispatch


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # slow handlers must not hold up teardown
    upstream: FakeUpstream

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


@pytest.fixture
def upstream() -> Iterator[FakeUpstream]:
    """A fresh fake upstream listening on 127.0.0.1 on a free port."""
    up = FakeUpstream()
    server = _Server(("127.0.0.1", 0), _Handler)
    server.upstream = up
    up.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield up
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def local_policy() -> OutboundPolicy:
    """A policy that lets tests reach their own server on 127.0.0.1 over http."""
    return OutboundPolicy(allow_private=True, allow_http=True, connect_timeout=2, read_timeout=2)


@pytest.fixture
def creds(upstream: FakeUpstream) -> ClientCredentials:
    """Client credentials for the fake token endpoint."""
    return ClientCredentials(
        client_id=CLIENT_ID,
        client_secret=SECRET,
        token_url=upstream.url("/oauth/token"),
        audience=AUDIENCE,
    )


@pytest.fixture
def secret() -> str:
    """The client secret the `creds` fixture carries."""
    return SECRET


_connect_log: list[tuple[Any, ...]] | None = None


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "socket.connect" and _connect_log is not None:
        _connect_log.append(args[1])


_audit_installed = False


@pytest.fixture
def connect_attempts() -> Iterator[list[tuple[Any, ...]]]:
    """Every socket.connect() address made during the test (from the audit hook)."""
    global _connect_log, _audit_installed
    if not _audit_installed:
        sys.addaudithook(_audit)  # hooks cannot be removed; it is inert outside this fixture
        _audit_installed = True
    _connect_log = []
    try:
        yield _connect_log
    finally:
        _connect_log = None
