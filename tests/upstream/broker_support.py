"""Pieces the broker tests share: a key, a hand-moved clock, a call to the protected path."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from console.upstream.http import OutboundPolicy, UpstreamResponse, send
from console.upstream.tokens import Token

KEY = "7:https://api.example.test/"


class FakeClock:
    """A clock the test moves by hand, starting at the real time."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


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
