"""A real OpenID Provider for the single sign-on tests: panva's oidc-provider on 127.0.0.1.

`start_provider()` writes a config, runs `node tests/oidc/provider.mjs CONFIG.json` and waits for
its `READY <issuer>` line; `RunningProvider.stop()` (or leaving its `with` block) ends it.
The provider's stderr goes to a log file next to the config (its content is in the error when
the provider does not start).

`provider_available()` says why the provider cannot run here (no node, or `npm ci --prefix
tests/oidc` not done); `require_provider()` turns that into a skip, or into a failure when
CONSOLE_REQUIRE_OIDC=1 or CONSOLE_REQUIRE_BROWSER=1 says these tests must run.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
OIDC_DIR = REPO_ROOT / "tests" / "oidc"
PROVIDER_SCRIPT = OIDC_DIR / "provider.mjs"
PROVIDER_PACKAGE = OIDC_DIR / "node_modules" / "oidc-provider" / "package.json"
READY_TIMEOUT_S = 20.0
STOP_TIMEOUT_S = 5.0
REQUIRE_ENV = ("CONSOLE_REQUIRE_OIDC", "CONSOLE_REQUIRE_BROWSER")


class ProviderError(RuntimeError):
    """The provider did not start (the message carries its stderr)."""


@dataclass
class RunningProvider:
    """One oidc-provider process; `issuer` is `http://127.0.0.1:<port>`."""

    issuer: str
    process: subprocess.Popen
    config_path: Path
    _reader: threading.Thread | None = field(default=None, repr=False)

    @property
    def log_path(self) -> Path:
        return _log_path(self.config_path)

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def stop(self) -> None:
        """Terminate the provider (SIGTERM, then SIGKILL if it lingers) and wait for it."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=STOP_TIMEOUT_S)
        if self._reader is not None:
            self._reader.join(timeout=STOP_TIMEOUT_S)  # it closes stdout at EOF

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _log_path(config_path: Path) -> Path:
    return config_path.with_suffix(".log")


def _node() -> str | None:
    return shutil.which("node")


def provider_available() -> str | None:
    """Why the provider cannot run here, or None when it can."""
    if _node() is None:
        return "node is not installed (the SSO tests run oidc-provider on Node.js 20 or later)"
    if not PROVIDER_PACKAGE.is_file():
        return (
            f"{PROVIDER_PACKAGE.parent.relative_to(REPO_ROOT)} is missing "
            "(run `npm ci --prefix tests/oidc`)"
        )
    return None


def _required() -> bool:
    return any(
        os.environ.get(name, "").strip().lower() in {"1", "true", "yes"} for name in REQUIRE_ENV
    )


def require_provider() -> None:
    """Skip the test when the provider cannot run, or fail when the environment requires it."""
    reason = provider_available()
    if reason is None:
        return
    if _required():
        pytest.fail(
            f"{reason} ({' or '.join(REQUIRE_ENV)}=1 requires the SSO tests)", pytrace=False
        )
    pytest.skip(reason)


def start_provider(
    *,
    clients: list[dict],
    accounts: list[dict],
    tmp_dir: Path,
    port: int = 0,
    host: str = "127.0.0.1",
) -> RunningProvider:
    """Start oidc-provider with these clients and accounts; returns once it serves."""
    reason = provider_available()
    if reason is not None:
        raise ProviderError(reason)
    fd, name = tempfile.mkstemp(prefix="oidc-provider-", suffix=".json", dir=tmp_dir)
    config_path = Path(name)
    config = {"port": port, "host": host, "clients": clients, "accounts": accounts}
    with os.fdopen(fd, "w", encoding="utf-8") as config_file:
        json.dump(config, config_file, indent=2)

    with _log_path(config_path).open("wb") as log:
        process = subprocess.Popen(
            [_node(), str(PROVIDER_SCRIPT), str(config_path)],
            cwd=REPO_ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
    lines: queue.Queue[str | None] = queue.Queue()
    reader = threading.Thread(
        target=_read_stdout, args=(process, lines), name="oidc-provider-stdout", daemon=True
    )
    reader.start()
    provider = RunningProvider("", process, config_path, _reader=reader)
    try:
        provider.issuer = _wait_ready(process, lines)
    except ProviderError as error:
        provider.stop()
        log_text = provider.log_path.read_text(encoding="utf-8", errors="replace").strip()
        raise ProviderError(f"{error}; its stderr:\n{log_text or '(empty)'}") from None
    return provider


def _read_stdout(process: subprocess.Popen, lines: queue.Queue[str | None]) -> None:
    """Pass stdout's lines on until EOF (draining it, so the pipe never fills), then close it."""
    with process.stdout:
        for line in process.stdout:
            lines.put(line)
    lines.put(None)


def _wait_ready(process: subprocess.Popen, lines: queue.Queue[str | None]) -> str:
    """The issuer from the provider's `READY <issuer>` line."""
    deadline = time.monotonic() + READY_TIMEOUT_S
    try:
        while True:
            line = lines.get(timeout=max(deadline - time.monotonic(), 0))
            if line is None:
                raise ProviderError(f"oidc-provider exited early (status {process.wait()})")
            if line.startswith("READY "):
                return line.removeprefix("READY ").strip()
    except queue.Empty:
        raise ProviderError(
            f"oidc-provider printed no READY line within {READY_TIMEOUT_S:.0f} s"
        ) from None
