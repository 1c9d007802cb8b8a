"""TokenBroker: one shared token per key, fetched only when needed, 401 retried once."""

from __future__ import annotations

import threading
import time

import pytest

from console.upstream.errors import TokenLockTimeout, TokenRejected, TokenServerError
from console.upstream.tokens import MemoryTokenStore, Token, TokenBroker
from tests.upstream.broker_support import KEY, FakeClock, protected


@pytest.fixture
def counted(creds):
    """A credentials callable that counts how often the secret was needed."""

    class Counted:
        calls = 0

        def __call__(self):
            Counted.calls += 1
            return creds

    return Counted()


def test_twenty_sequential_gets_fetch_once(upstream, local_policy, counted):
    broker = TokenBroker(MemoryTokenStore(), local_policy)
    tokens = {broker.get(KEY, counted).access_token for _ in range(20)}
    assert tokens == {upstream.issued[0]}
    assert len(upstream.token_requests) == 1
    assert counted.calls == 1  # the secret was needed once


def test_keys_do_not_share_tokens(upstream, local_policy, counted):
    broker = TokenBroker(MemoryTokenStore(), local_policy)
    first = broker.get("1:aud", counted)
    second = broker.get("2:aud", counted)
    assert first.access_token != second.access_token
    assert len(upstream.token_requests) == 2


def test_sixteen_threads_without_a_token_fetch_once(upstream, local_policy, counted):
    upstream.token_delay = 0.3  # everyone arrives while the first fetch is in flight
    broker = TokenBroker(MemoryTokenStore(), local_policy)
    barrier = threading.Barrier(16)
    results: list[str] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(broker.get(KEY, counted).access_token)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert errors == []
    assert len(results) == 16
    assert set(results) == {upstream.issued[0]}
    assert len(upstream.token_requests) == 1


def test_token_near_expiry_is_fetched_again(upstream, local_policy, counted):
    clock = FakeClock()
    broker = TokenBroker(MemoryTokenStore(), local_policy, margin=60, clock=clock)
    first = broker.get(KEY, counted)
    clock.now = first.expires_at - 61
    assert broker.get(KEY, counted) == first
    clock.now = first.expires_at - 59
    second = broker.get(KEY, counted)
    assert second.access_token != first.access_token
    assert len(upstream.token_requests) == 2


def test_short_lived_tokens_are_not_refetched_on_every_call(upstream, local_policy, counted):
    upstream.expires_in = 90  # shorter than twice the margin
    clock = FakeClock()
    broker = TokenBroker(MemoryTokenStore(), local_policy, margin=60, clock=clock)
    first = broker.get(KEY, counted)
    clock.now += 10
    assert broker.get(KEY, counted) == first
    assert len(upstream.token_requests) == 1


def test_call_uses_the_cached_token(upstream, local_policy, counted):
    broker = TokenBroker(MemoryTokenStore(), local_policy)
    response, info = broker.call(KEY, counted, protected(upstream, local_policy))
    assert response.status == 200
    assert (info.cached, info.retried, info.source) == (False, False, "fetched")
    assert info.token_ms > 0
    response, info = broker.call(KEY, counted, protected(upstream, local_policy))
    assert (info.cached, info.retried, info.source) == (True, False, "cached")
    assert len(upstream.token_requests) == 1


def test_401_invalidates_and_retries_exactly_once(upstream, local_policy, counted):
    store = MemoryTokenStore()
    broker = TokenBroker(store, local_policy)
    broker.get(KEY, counted)
    upstream.unauthorized_remaining = 1
    response, info = broker.call(KEY, counted, protected(upstream, local_policy))
    assert response.status == 200
    assert info.retried is True
    assert info.cached is False
    assert len(upstream.token_requests) == 2
    assert len(upstream.api_requests) == 2
    first, second = (r.headers["authorization"] for r in upstream.api_requests)
    assert first != second
    assert store.load(KEY).access_token == upstream.issued[1]


def test_401_twice_returns_the_401_without_looping(upstream, local_policy, counted):
    broker = TokenBroker(MemoryTokenStore(), local_policy)
    upstream.unauthorized_remaining = 5
    response, info = broker.call(KEY, counted, protected(upstream, local_policy))
    assert response.status == 401
    assert info.retried is True
    assert len(upstream.api_requests) == 2
    assert len(upstream.token_requests) == 2


def test_invalidate_keeps_a_token_that_replaced_it():
    store = MemoryTokenStore()
    old = Token("old", "Bearer", "", time.time() + 3600, time.time())
    new = Token("new", "Bearer", "", time.time() + 3600, time.time())
    store.save(KEY, new)
    broker = TokenBroker(store, policy=None)  # type: ignore[arg-type] - no fetch happens
    broker.invalidate(KEY, old)
    assert store.load(KEY) == new
    broker.invalidate(KEY, new)
    assert store.load(KEY) is None


def test_fetch_errors_reach_the_caller_and_nothing_is_cached(upstream, local_policy, counted):
    store = MemoryTokenStore()
    broker = TokenBroker(store, local_policy)
    upstream.script_token(401, {"error": "invalid_client"})
    with pytest.raises(TokenRejected):
        broker.get(KEY, counted)
    assert store.load(KEY) is None
    assert broker.get(KEY, counted).access_token == upstream.issued[0]


def test_failed_refresh_keeps_using_a_token_that_has_not_expired(upstream, local_policy, counted):
    clock = FakeClock()
    broker = TokenBroker(MemoryTokenStore(), local_policy, margin=60, clock=clock)
    first = broker.get(KEY, counted)
    clock.now = first.expires_at - 30  # inside the margin, still valid
    upstream.script_token(503, "down")
    assert broker.get(KEY, counted) == first
    clock.now = first.expires_at - 1  # nearly gone: the failure is reported
    upstream.script_token(503, "down")
    with pytest.raises(TokenServerError):
        broker.get(KEY, counted)


def test_waiting_for_the_lock_gives_up_after_the_timeout(local_policy, counted):
    store = MemoryTokenStore()
    broker = TokenBroker(store, local_policy, lock_timeout=0.2)
    held = threading.Event()
    release = threading.Event()

    def holder() -> None:
        with store.lock(KEY, 1):
            held.set()
            release.wait(5)

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait(5)
    try:
        with pytest.raises(TokenLockTimeout) as info:
            broker.get(KEY, counted)
        assert info.value.kind == "token_wait"
        assert "0.2 s" in info.value.message
    finally:
        release.set()
        thread.join(5)
    assert counted.calls == 0


def test_waiter_uses_the_token_saved_while_it_waited(upstream, local_policy, counted):
    store = MemoryTokenStore()
    broker = TokenBroker(store, local_policy, lock_timeout=0.2)
    token = Token("from-another-process", "Bearer", "", time.time() + 3600, time.time())
    held = threading.Event()
    release = threading.Event()

    def holder() -> None:
        with store.lock(KEY, 1):
            store.save(KEY, token)
            held.set()
            release.wait(5)

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait(5)
    store.discard(KEY, token.access_token)  # the fast path misses...
    try:
        results: list[Token] = []
        waiter = threading.Thread(target=lambda: results.append(broker.get(KEY, counted)))
        waiter.start()
        time.sleep(0.05)
        store.save(KEY, token)  # ...and the holder's token lands before the wait ends
        waiter.join(5)
        assert results == [token]
    finally:
        release.set()
        thread.join(5)
    assert upstream.token_requests == []
