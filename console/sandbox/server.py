"""Serving the sandbox: a threaded wsgiref server, in the foreground or in a thread for tests.

wsgiref is enough here (and keeps the sandbox free of extra dependencies): the traffic is
one developer's console or one test suite, and each request is handled on its own
daemon thread so a slow client never blocks the others.
"""

from __future__ import annotations

import logging
import socket
import socketserver
import threading
from collections.abc import Callable, Iterable
from types import TracebackType
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

from console.sandbox.app import SandboxApp
from console.sandbox.config import SandboxConfig
from console.sandbox.oauth import TOKEN_PATH, TokenRequestRecord

logger = logging.getLogger("console.sandbox")

_WILDCARD_HOSTS = {"", "0.0.0.0", "::"}  # noqa: S104 - names to recognise, not to bind


class _QuietHandler(WSGIRequestHandler):
    """Request handler that leaves request logging to the app.

    wsgiref's own access log prints the full request line, query string included, to
    stderr; the app logs method, path and status instead.
    """

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Skip wsgiref's access log line."""

    def log_message(self, format: str, *args: object) -> None:
        """Send wsgiref's remaining messages (protocol errors) to debug logging."""
        logger.debug("wsgiref: " + format, *args)


class SandboxServer(socketserver.ThreadingMixIn, WSGIServer):
    """A WSGIServer that handles each request on a daemon thread."""

    daemon_threads = True
    block_on_close = False  # stop() must not wait for a stuck client
    allow_reuse_address = True
    # socketserver's default backlog is 5: a burst of new connections (a team's first
    # calls, a load test) beyond it has its SYNs dropped, and each of those clients waits
    # for the 1 s retransmission. The kernel caps it at net.core.somaxconn.
    request_queue_size = 128
    app: SandboxApp
    url: str

    def server_bind(self) -> None:
        """Bind without HTTPServer's reverse DNS lookup (slow or hanging without a resolver)."""
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = host
        self.server_port = port
        self.setup_environ()


class _SandboxServer6(SandboxServer):
    address_family = socket.AF_INET6


def make_app(config: SandboxConfig, base_url: str | None = None) -> SandboxApp:
    """Build the sandbox WSGI application.

    With `base_url` None and no configured audience, the audience follows the URL each
    caller used (plus "/"); servers started here pass their own URL so it is fixed.
    """
    return SandboxApp(config, base_url)


def make_server(config: SandboxConfig, host: str = "127.0.0.1", port: int = 8900) -> SandboxServer:
    """Bind a server for the sandbox (port 0 picks a free port) without starting it."""
    server_class = _SandboxServer6 if ":" in host else SandboxServer
    server = server_class((host, port), _QuietHandler)
    bound_port = server.server_address[1]
    url_host = f"[{host}]" if ":" in host else host
    server.url = f"http://{url_host}:{bound_port}"
    # On a wildcard address the server has no single URL of its own: let callers' URLs count.
    base_url = None if host in _WILDCARD_HOSTS else server.url
    server.app = make_app(config, base_url)
    server.set_app(server.app)
    return server


def serve_forever(
    config: SandboxConfig,
    host: str = "127.0.0.1",
    port: int = 8900,
    on_ready: Callable[[SandboxServer], None] | None = None,
) -> None:
    """Serve in the foreground until interrupted (KeyboardInterrupt propagates to the caller).

    `on_ready` is called once the socket is bound, e.g. to print the URL of port 0.
    """
    server = make_server(config, host, port)
    try:
        if on_ready is not None:
            on_ready(server)
        server.serve_forever()
    finally:
        server.server_close()


class RunningSandbox:
    """A sandbox serving on a background thread; stop it with `stop()` or a `with` block."""

    def __init__(self, server: SandboxServer, thread: threading.Thread) -> None:
        """Wrap a started server and its thread (use `start_in_thread`)."""
        self._server = server
        self._thread = thread
        self.url: str = server.url
        self.app: SandboxApp = server.app
        self.config: SandboxConfig = server.app.config

    @property
    def audience(self) -> str:
        """The audience this sandbox expects in token requests and tokens."""
        return self.app.audience_for()

    @property
    def token_url(self) -> str:
        """Absolute URL of the token endpoint."""
        return self.url + TOKEN_PATH

    @property
    def token_requests(self) -> int:
        """How many requests reached the token endpoint, whatever their outcome."""
        return self.app.stats.token_requests

    @property
    def token_request_details(self) -> list[TokenRequestRecord]:
        """The recorded token requests (content type, field names, Authorization presence)."""
        return self.app.stats.token_request_details

    @property
    def api_requests(self) -> int:
        """How many requests reached API paths."""
        return self.app.stats.api_requests

    def reset_counters(self) -> None:
        """Zero the request counters (e.g. between the steps of a test)."""
        self.app.stats.reset()

    def issue_token(
        self,
        client_id: str,
        *,
        audience: str | None = None,
        scopes: Iterable[str] | None = None,
        ttl: int | None = None,
    ) -> str:
        """Sign a token without going through the endpoint or its counters (tests only)."""
        return self.app.issue_token(client_id, audience=audience, scopes=scopes, ttl=ttl)

    def stop(self) -> None:
        """Stop serving and release the port; safe to call twice."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()

    def __enter__(self) -> RunningSandbox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def start_in_thread(
    config: SandboxConfig, host: str = "127.0.0.1", port: int = 0
) -> RunningSandbox:
    """Start a sandbox on a daemon thread (port 0: a free port) and return at once."""
    server = make_server(config, host, port)
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},  # quick stop() in tests
        name=f"sandbox-{server.server_address[1]}",
        daemon=True,
    )
    thread.start()
    return RunningSandbox(server, thread)
