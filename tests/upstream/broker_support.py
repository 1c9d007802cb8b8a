"""Pieces the broker tests share: a key, a hand-moved clock, a counting store, a call to
the protected path."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from console.upstream.http import OutboundPolicy, UpstreamResponse, send
from console.upstream.tokens import MemoryTokenStore, Token

KEY = "7:https://api.example.test/"


class FakeClock:
    """A clock the test moves by hand, starting at the real time."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


class CountingStore(MemoryTokenStore):
    """A MemoryTokenStore that counts its reads and how often its (cross-process) lock was
    taken, with the time each taking was allowed to wait."""

    def __init__(self) -> None:
        super().__init__()
        self.loads = 0
        self.locks = 0
        self.lock_timeouts: list[float] = []

    def load(self, key: str, generation: str | None = None) -> Token | None:
        """Count the read, then read."""
        self.loads += 1
        return super().load(key, generation)

    @contextmanager
    def lock(self, key: str, timeout: float) -> Iterator[None]:
        """Count, then hold the lock."""
        self.locks += 1
        self.lock_timeouts.append(timeout)
        with super().lock(key, timeout):
            yield


def protected(upstream: Any, policy: OutboundPolicy) -> Callable[[Token], UpstreamResponse]:
    """A `do` for `TokenBroker.call`: GET the local token server's protected path."""

    def do(token: Token) -> UpstreamResponse:
        return send(
            policy,
            method="GET",
            url=upstream.url("/api/protected"),
            headers={"Authorization": token.authorization},
        )

    return do
