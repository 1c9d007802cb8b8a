"""A token-bucket rate limiter, keyed by client id, for the token endpoint.

Usage Engine publishes "10 requests every 1 s, burst 5" for its token endpoint; the
bucket holds `burst` tokens and refills at `rate` tokens per second.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

# Buckets are dropped once this many exist; a full bucket carries no state worth keeping.
_PRUNE_ABOVE = 10_000


class TokenBucketLimiter:
    """Thread-safe token buckets, one per key."""

    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        """Allow `burst` requests at once per key, refilled at `rate` per second."""
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.rate = float(rate)
        self.burst = int(burst)
        self._clock = clock
        self._lock = threading.Lock()
        # key -> (tokens left, time of last update)
        self._buckets: dict[str, tuple[float, float]] = {}

    def try_acquire(self, key: str) -> float:
        """Take one token for `key`: 0.0 when allowed, else the seconds until one is free."""
        with self._lock:
            now = self._clock()
            tokens, updated = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - updated) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                allowed = 0.0
            else:
                self._buckets[key] = (tokens, now)
                allowed = (1.0 - tokens) / self.rate
            if len(self._buckets) > _PRUNE_ABOVE:
                self._prune(now)
            return allowed

    def _prune(self, now: float) -> None:
        """Forget buckets that have refilled completely (they behave like new ones)."""
        full_after = self.burst / self.rate
        for key, (_, updated) in list(self._buckets.items()):
            if now - updated >= full_after:
                del self._buckets[key]


def retry_after_seconds(wait: float) -> int:
    """The Retry-After header value for a wait: whole seconds, rounded up, at least 1."""
    return max(1, math.ceil(wait))
