"""Threads of one process that find no token queue in the process before the store's lock.

The store's lock is cross-process (an advisory or file lock, polled), so each thread that
takes it in turn only to find the token saved costs the last of them a long wait. With a
memo, the threads after the first find the token it fetched in the memo instead.
"""

from __future__ import annotations

import threading

from console.upstream.tokens import TokenBroker, TokenMemo
from tests.upstream.broker_support import KEY, CountingStore

THREADS = 16


def _all_at_once(broker: TokenBroker, creds, generation: str | None) -> set[str]:
    """THREADS threads ask for the token at the same instant; the tokens they got."""
    barrier = threading.Barrier(THREADS)
    results: list[str] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            token = broker.get(KEY, lambda: creds, generation=generation)
            results.append(token.access_token)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert errors == []
    assert len(results) == THREADS
    return set(results)


def test_with_a_memo_the_store_lock_is_taken_once(upstream, local_policy, creds):
    upstream.token_delay = 0.2  # everyone arrives while the first fetch is in flight
    store = CountingStore()
    broker = TokenBroker(store, local_policy, memo=TokenMemo())

    tokens = _all_at_once(broker, creds, generation="g1")

    assert tokens == {upstream.issued[0]}
    assert len(upstream.token_requests) == 1
    assert store.locks == 1  # the others found the first one's token in the memo


def test_without_a_generation_every_waiter_still_gets_the_one_token(upstream, local_policy, creds):
    """No memo to share it through: each waiter takes the store's lock, but none fetches."""
    upstream.token_delay = 0.2
    store = CountingStore()
    broker = TokenBroker(store, local_policy, memo=TokenMemo())

    tokens = _all_at_once(broker, creds, generation=None)

    assert tokens == {upstream.issued[0]}
    assert len(upstream.token_requests) == 1
    assert store.locks > 1


def test_the_queue_and_the_store_lock_share_one_wait(upstream, local_policy, creds):
    """A thread that waited in the process's queue gets only what is left of the lock
    timeout at the store's lock, so it never waits longer than the timeout in all."""
    store = CountingStore()
    memo = TokenMemo()
    broker = TokenBroker(store, local_policy, memo=memo, lock_timeout=5)
    queued = threading.Event()

    def first_in_the_queue() -> None:
        with memo.lock(KEY, 1):
            queued.set()
            threading.Event().wait(0.5)  # holds the queue while the second thread waits

    thread = threading.Thread(target=first_in_the_queue)
    thread.start()
    queued.wait(5)
    broker.get(KEY, lambda: creds, generation="g1")
    thread.join(5)

    assert store.locks == 1
    # Half a second went in the queue (give or take the threads' wake-ups): the store's
    # lock gets what is left of the one deadline, not a whole timeout of its own.
    assert store.lock_timeouts[0] < 5 - 0.3
