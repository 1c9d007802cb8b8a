"""Rate limiting of the token endpoint: a token bucket per client, 429 with Retry-After."""

from __future__ import annotations

import time

import pytest
import requests

from console.sandbox.config import SandboxConfig
from console.sandbox.ratelimit import TokenBucketLimiter, retry_after_seconds
from console.sandbox.server import start_in_thread

TIMEOUT = 10


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_bucket_allows_a_burst_then_refills_at_the_rate():
    clock = FakeClock()
    limiter = TokenBucketLimiter(rate=10, burst=5, clock=clock)

    assert [limiter.try_acquire("a") for _ in range(5)] == [0.0] * 5
    assert limiter.try_acquire("a") == pytest.approx(0.1)
    clock.now += 0.1
    assert limiter.try_acquire("a") == 0.0
    assert limiter.try_acquire("a") > 0
    clock.now += 10
    assert [limiter.try_acquire("a") for _ in range(5)] == [0.0] * 5  # never more than burst
    assert limiter.try_acquire("a") > 0


def test_buckets_are_per_key():
    limiter = TokenBucketLimiter(rate=1, burst=1, clock=FakeClock())

    assert limiter.try_acquire("a") == 0.0
    assert limiter.try_acquire("a") > 0
    assert limiter.try_acquire("b") == 0.0


@pytest.mark.parametrize(("wait", "header"), [(0.001, 1), (0.1, 1), (1.0, 1), (1.2, 2), (7.5, 8)])
def test_retry_after_is_whole_seconds_at_least_one(wait, header):
    assert retry_after_seconds(wait) == header


def test_a_burst_beyond_the_limit_gets_429_with_retry_after(sandbox, token_request):
    statuses = [token_request().status_code for _ in range(8)]

    # Default limit: burst 5 then 10 per second; eight quick calls cannot all pass.
    assert statuses[:5] == [200] * 5
    assert 429 in statuses[5:]
    limited = next(r for r in (token_request() for _ in range(5)) if r.status_code == 429)
    assert limited.headers["Retry-After"].isdigit()
    assert int(limited.headers["Retry-After"]) >= 1
    body = limited.json()
    assert body["error"] == "too_many_requests"
    assert body["error_description"]
    assert limited.headers["Cache-Control"] == "no-store"


def test_the_limit_is_per_client(sandbox, token_request, admin_client, reader_client):
    for _ in range(6):
        token_request(admin_client)

    assert token_request(reader_client).status_code == 200


def test_failed_attempts_use_up_the_budget_too(sandbox, token_request):
    for _ in range(5):
        assert token_request(client_secret="guess").status_code == 401

    assert token_request(client_secret="guess").status_code == 429


def test_the_bucket_refills_after_waiting(sandbox, token_request):
    while token_request().status_code != 429:
        pass
    time.sleep(0.25)

    assert token_request().status_code == 200


def test_a_configured_limit_is_applied(sandbox_config, form):
    config = SandboxConfig(clients=sandbox_config.clients, rate_per_second=1, burst=2)
    with start_in_thread(config) as strict:
        body = form(audience=strict.audience)
        responses = [requests.post(strict.token_url, data=body, timeout=TIMEOUT) for _ in range(3)]

    assert [r.status_code for r in responses] == [200, 200, 429]
    assert responses[2].headers["Retry-After"] == "1"
