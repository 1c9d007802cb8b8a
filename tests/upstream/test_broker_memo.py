"""TokenBroker with a TokenMemo: a warm call reads no store; renewal and 401s still go through it.

Two brokers with their own memos over one store stand for two processes sharing the
database cache. The token endpoint and the API are the real local server of
tests/upstream/conftest.py.
"""

from __future__ import annotations

import threading
import time

import pytest

from console.upstream.errors import TokenServerError
from console.upstream.tokens import MemoryTokenStore, Token, TokenBroker, TokenMemo
from tests.upstream.broker_support import KEY, CountingStore, FakeClock, protected


@pytest.fixture
def store() -> CountingStore:
    return CountingStore()


def _broker(store, policy, **kwargs) -> TokenBroker:
    return TokenBroker(store, policy, memo=TokenMemo(), **kwargs)


def _revoke(upstream, access_token: str) -> None:
    """The API refuses this token from now on (it accepts only tokens still in `issued`)."""
    with upstream.lock:
        upstream.issued.remove(access_token)
        upstream.issued.append("revoked")  # keep later indexes of `issued` where they were


def test_memo_get_put_drop_clear():
    memo = TokenMemo()
    token = Token("one", "Bearer", "", time.time() + 3600, time.time())
    memo.save(KEY, token, "g1")
    assert memo.load(KEY, "g1") is token
    assert memo.load(KEY, "g2") is None  # another generation never sees it
    assert memo.load("8:other", "g1") is None
    memo.discard(KEY, "another token")
    assert memo.load(KEY, "g1") is token  # only the same token is dropped
    memo.discard(KEY, "one")
    assert memo.load(KEY, "g1") is None
    memo.save(KEY, token, "g1")
    memo.clear()
    assert memo.load(KEY, "g1") is None


def test_a_second_call_with_the_same_generation_reads_no_store(
    upstream, local_policy, creds, store
):
    broker = _broker(store, local_policy)
    first = broker.get(KEY, lambda: creds, generation="g1")
    store.loads = 0
    for _ in range(5):
        assert broker.get(KEY, lambda: creds, generation="g1") == first
    assert store.loads == 0
    assert len(upstream.token_requests) == 1


def test_another_generation_never_gets_the_stores_older_token(upstream, local_policy, creds, store):
    # Saved under g1 and still in the store (as when it was saved just after the change
    # to g2 emptied the store): it was fetched with credentials that are gone.
    broker = _broker(store, local_policy)
    first = broker.get(KEY, lambda: creds, generation="g1")
    second = broker.get(KEY, lambda: creds, generation="g2")
    assert second.access_token != first.access_token
    assert store.load(KEY, "g2") == second
    assert store.load(KEY, "g1") is None
    store.loads = 0
    assert broker.get(KEY, lambda: creds, generation="g2") == second
    assert store.loads == 0  # remembered under g2
    assert len(upstream.token_requests) == 2


def test_a_generation_change_sees_what_the_store_says(upstream, local_policy, creds, store):
    # The credentials changed and whoever changed them emptied the store.
    broker = _broker(store, local_policy)
    first = broker.get(KEY, lambda: creds, generation="g1")
    store.discard(KEY, first.access_token)
    second = broker.get(KEY, lambda: creds, generation="g2")
    assert second.access_token != first.access_token
    assert len(upstream.token_requests) == 2


def test_without_a_generation_the_memo_is_never_used(upstream, local_policy, creds, store):
    memo = TokenMemo()
    broker = TokenBroker(store, local_policy, memo=memo)
    first = broker.get(KEY, lambda: creds)
    assert memo.load(KEY) is None  # nothing remembered, under any generation
    store.loads = 0
    assert broker.get(KEY, lambda: creds) == first
    assert store.loads == 1  # read from the store, as without a memo
    # A token in the memo is ignored too: the store's answer wins.
    memo.save(KEY, Token("stale", "Bearer", "", time.time() + 3600, time.time()), "g1")
    assert broker.get(KEY, lambda: creds) == first
    assert store.loads == 2
    assert len(upstream.token_requests) == 1


def test_a_renewal_by_another_process_is_used_without_fetching_again(
    upstream, local_policy, creds, store
):
    clock = FakeClock()
    a = _broker(store, local_policy, margin=60, clock=clock)
    b = _broker(store, local_policy, margin=60, clock=clock)
    # A first token that lives 100 s (so it is renewed 50 s before expiry), then the
    # usual hour: moving the clock by a minute makes only the first one due.
    upstream.expires_in = 100
    old = a.get(KEY, lambda: creds, generation="g1")
    assert b.get(KEY, lambda: creds, generation="g1") == old  # both memos hold it now
    assert len(upstream.token_requests) == 1

    upstream.expires_in = 3600
    clock.now += 60  # inside the first token's refresh margin
    renewed = b.get(KEY, lambda: creds, generation="g1")
    assert renewed.access_token != old.access_token
    assert len(upstream.token_requests) == 2

    store.loads = 0
    # A's memo still holds the old token; it is due for renewal, so A asks the store
    # and finds B's instead of fetching a third one.
    assert a.get(KEY, lambda: creds, generation="g1") == renewed
    assert store.loads == 1
    assert len(upstream.token_requests) == 2
    assert a.get(KEY, lambda: creds, generation="g1") == renewed
    assert store.loads == 1  # and remembers it


def test_the_lock_path_rereads_the_store_not_the_memo(upstream, local_policy, creds, store):
    clock = FakeClock()
    a = _broker(store, local_policy, margin=60, clock=clock, lock_timeout=5)
    old = a.get(KEY, lambda: creds, generation="g1")
    clock.now = old.expires_at - 30  # due for renewal, for the memo and the store alike
    fresh = Token("renewed-by-b", "Bearer", "", clock.now + 3600, clock.now)
    held, release = threading.Event(), threading.Event()

    def other_process() -> None:
        # B holds the key's lock while it renews, and saves before letting go.
        with store.lock(KEY, 1):
            held.set()
            release.wait(5)
            store.save(KEY, fresh, "g1")

    thread = threading.Thread(target=other_process)
    thread.start()
    held.wait(5)
    results: list[Token] = []
    waiter = threading.Thread(
        target=lambda: results.append(a.get(KEY, lambda: creds, generation="g1"))
    )
    taken = store.locks  # A's first fetch and B's renewal
    waiter.start()
    for _ in range(500):  # until A, having found the old token due, waits at the lock
        if store.locks > taken:
            break
        time.sleep(0.01)
    assert store.locks == taken + 1
    release.set()
    waiter.join(5)
    thread.join(5)
    assert results == [fresh]
    assert len(upstream.token_requests) == 1  # A did not fetch: B's renewal counts
    store.loads = 0
    assert a.get(KEY, lambda: creds, generation="g1") == fresh
    assert store.loads == 0


def test_a_401_drops_the_memo_entry_and_renews_once(upstream, local_policy, creds, store):
    broker = _broker(store, local_policy)
    first = broker.get(KEY, lambda: creds, generation="g1")
    _revoke(upstream, first.access_token)
    response, info = broker.call(
        KEY, lambda: creds, protected(upstream, local_policy), generation="g1"
    )
    assert response.status == 200
    assert (info.retried, info.cached) == (True, False)
    second = store.load(KEY)
    assert second.access_token != first.access_token
    store.loads = 0
    assert broker.get(KEY, lambda: creds, generation="g1") == second
    assert store.loads == 0  # the memo holds the new token, not the refused one
    assert len(upstream.token_requests) == 2


def test_invalidate_forgets_the_token_in_the_memo_too(upstream, local_policy, creds, store):
    broker = _broker(store, local_policy)
    first = broker.get(KEY, lambda: creds, generation="g1")
    broker.invalidate(KEY, first)
    assert broker.memo.load(KEY, "g1") is None
    assert store.load(KEY) is None
    assert broker.get(KEY, lambda: creds, generation="g1") != first
    assert len(upstream.token_requests) == 2


def test_after_a_401_another_process_picks_up_the_stores_token(
    upstream, local_policy, creds, store
):
    a = _broker(store, local_policy)
    b = _broker(store, local_policy)
    old = a.get(KEY, lambda: creds, generation="g1")
    assert b.get(KEY, lambda: creds, generation="g1") == old
    _revoke(upstream, old.access_token)

    response, info = a.call(KEY, lambda: creds, protected(upstream, local_policy), generation="g1")
    assert (response.status, info.retried, info.cached) == (200, True, False)
    renewed = store.load(KEY)
    assert len(upstream.token_requests) == 2

    # B's memo still holds the old token: one extra round trip, no extra fetch.
    upstream.api_requests.clear()
    response, info = b.call(KEY, lambda: creds, protected(upstream, local_policy), generation="g1")
    assert (response.status, info.retried, info.cached) == (200, True, True)
    bearers = [r.headers["authorization"] for r in upstream.api_requests]
    assert bearers == [old.authorization, renewed.authorization]
    assert len(upstream.token_requests) == 2
    assert store.load(KEY) == renewed  # B's discard left A's token alone
    store.loads = 0
    assert b.get(KEY, lambda: creds, generation="g1") == renewed
    assert store.loads == 0


def test_the_retry_after_a_401_skips_the_memo(upstream, local_policy, creds):
    memo = TokenMemo()

    class RacingStore(MemoryTokenStore):
        """While the refused token is discarded, another thread puts it back in the memo
        (it had read it from the store a moment earlier)."""

        def discard(self, key: str, access_token: str) -> None:
            refused = self.load(key)
            super().discard(key, access_token)
            if refused is not None:
                memo.save(key, refused, "g1")

    broker = TokenBroker(RacingStore(), local_policy, memo=memo)
    first = broker.get(KEY, lambda: creds, generation="g1")
    _revoke(upstream, first.access_token)
    response, info = broker.call(
        KEY, lambda: creds, protected(upstream, local_policy), generation="g1"
    )
    assert (response.status, info.retried) == (200, True)
    assert len(upstream.token_requests) == 2


def test_a_token_due_for_renewal_is_never_remembered(upstream, local_policy, creds, store):
    clock = FakeClock()
    a = _broker(store, local_policy, margin=60, clock=clock)
    old = a.get(KEY, lambda: creds, generation="g1")  # in the store (and a's memo only)
    clock.now = old.expires_at - 30  # inside the margin, still valid
    upstream.script_token(503, "down")
    b = _broker(store, local_policy, margin=60, clock=clock)
    assert b.get(KEY, lambda: creds, generation="g1") == old  # the refresh failed: kept
    assert b.memo.load(KEY, "g1") is None
    upstream.script_token(503, "down")
    store.loads = 0
    assert b.get(KEY, lambda: creds, generation="g1") == old
    assert store.loads == 2  # tried to renew again, through the store and its lock
    clock.now = old.expires_at - 1
    upstream.script_token(503, "down")
    with pytest.raises(TokenServerError):
        b.get(KEY, lambda: creds, generation="g1")
