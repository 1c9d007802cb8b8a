"""Command-line options of the sandbox, for `manage.py sandbox` and `python -m console.sandbox`.

Django-free: the management command only adds these options to its parser and calls `run`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TextIO

from console.sandbox.config import (
    DEFAULT_CLIENTS,
    ConfigError,
    SandboxClient,
    SandboxConfig,
    load_clients_file,
    parse_client_option,
)
from console.sandbox.oauth import TOKEN_PATH
from console.sandbox.server import SandboxServer, serve_forever


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the sandbox options to `parser`."""
    parser.add_argument("--host", default="127.0.0.1", help="Address to bind (default 127.0.0.1).")
    parser.add_argument(
        "--port",
        type=int,
        default=8900,
        help="Port to listen on; 0 picks a free one (default 8900).",
    )
    parser.add_argument(
        "--clients-file",
        metavar="PATH",
        help='JSON file: {"clients": [{"client_id": ..., "client_secret": ..., "scopes": [...]}]}.',
    )
    parser.add_argument(
        "--client",
        action="append",
        default=[],
        metavar="ID:SECRET[:SCOPES]",
        help="A client to accept; SCOPES is comma-separated (default: all). Repeatable.",
    )
    parser.add_argument(
        "--token-ttl", type=int, default=3600, help="Token lifetime in seconds (default 3600)."
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=10.0,
        help="Token requests per second per client (default 10).",
    )
    parser.add_argument(
        "--burst",
        type=int,
        default=5,
        help="Token requests allowed at once per client (default 5).",
    )
    parser.add_argument(
        "--audience",
        default=None,
        help="Audience tokens must name (default: this server's URL with a trailing slash).",
    )
    parser.add_argument(
        "--run-seconds",
        type=float,
        default=3.0,
        help="How long a stream run stays RUNNING (default 3).",
    )


def config_from_options(options: Mapping[str, Any]) -> SandboxConfig:
    """Build a SandboxConfig from parsed options (a dict, or `vars()` of a Namespace).

    Clients from --clients-file come first, then each --client; with neither, the demo
    clients in DEFAULT_CLIENTS are used.
    """
    clients: list[SandboxClient] = []
    if options.get("clients_file"):
        clients.extend(load_clients_file(options["clients_file"]))
    clients.extend(parse_client_option(value) for value in options.get("client") or [])
    if not clients and not options.get("clients_file"):
        clients = list(DEFAULT_CLIENTS)
    if not clients:
        raise ConfigError("no clients configured: the clients file lists none")
    return SandboxConfig(
        clients=tuple(clients),
        audience=options.get("audience") or None,
        token_ttl=options.get("token_ttl", 3600),
        rate_per_second=options.get("rate", 10.0),
        burst=options.get("burst", 5),
        run_seconds=options.get("run_seconds", 3.0),
    )


def describe(server: SandboxServer) -> list[str]:
    """Start-up lines: where the sandbox listens and which clients it accepts (no secrets)."""
    app = server.app
    config = app.config
    audience = config.audience or (
        f"{app.base_url}/" if app.base_url else "the URL each caller uses, plus /"
    )
    lines = [
        f"Usage Engine sandbox listening on {server.url}",
        f"  token endpoint: {server.url}{TOKEN_PATH}",
        f"  audience:       {audience}",
        f"  OpenAPI:        {server.url}/openapi.json",
        f"  tokens last {config.token_ttl} s; token endpoint limited to "
        f"{config.rate_per_second:g}/s, burst {config.burst}, per client",
    ]
    for client in config.clients:
        lines.append(f"  client {client.client_id}: {' '.join(client.scopes)}")
    if config.clients == DEFAULT_CLIENTS:
        lines.append("  (demo clients; their secrets are <client id>-secret)")
    lines.append("Press Ctrl-C to stop.")
    return lines


def run(config: SandboxConfig, host: str, port: int, write: Callable[[str], None]) -> None:
    """Serve until Ctrl-C, writing the start-up lines through `write` once bound."""

    def ready(server: SandboxServer) -> None:
        for line in describe(server):
            write(line)

    try:
        serve_forever(config, host, port, on_ready=ready)
    except KeyboardInterrupt:
        write("Sandbox stopped.")


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None) -> int:
    """Entry point for `python -m console.sandbox`."""
    import logging

    out = stdout or sys.stdout
    parser = argparse.ArgumentParser(
        prog="python -m console.sandbox", description="Run the Usage Engine sandbox."
    )
    add_arguments(parser)
    options = vars(parser.parse_args(argv))
    try:
        config = config_from_options(options)
    except ConfigError as exc:
        parser.error(str(exc))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")

    def write(line: str) -> None:
        print(line, file=out, flush=True)

    try:
        run(config, options["host"], options["port"], write)
    except OSError as exc:
        print(f"Cannot listen on {options['host']}:{options['port']}: {exc}", file=sys.stderr)
        return 1
    return 0
