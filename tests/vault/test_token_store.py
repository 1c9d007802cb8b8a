"""DatabaseTokenStore: tokens encrypted in CachedToken, one fetch across threads and processes."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import close_old_connections, connection
from django.test import override_settings

from console.teams.models import Team
from console.upstream.errors import TokenLockTimeout
from console.upstream.tokens import ClientCredentials, Token, TokenBroker
from console.vault.crypto import encrypt
from console.vault.models import ApplicationAccess, CachedToken, Environment
from console.vault.token_store import (
    DatabaseTokenStore,
    _advisory_id,
    default_broker,
    parse_token_key,
    policy_from_settings,
    token_key,
)

AUDIENCE = "https://api.example.test/"


def _token(value: str = "eyJ.access-token-value.sig", lifetime: float = 3600) -> Token:
    now = time.time()
    return Token(value, "Bearer", "read:meters", now + lifetime, now, fetch_ms=12.0)


def _access() -> ApplicationAccess:
    team = Team.objects.create(name="Tokens", slug=f"tokens-{time.monotonic_ns()}")
    env = Environment.objects.create(team=team, name="EU", base_url="https://api.example.test")
    return ApplicationAccess.objects.create(
        team=team,
        name="ci",
        environment=env,
        client_id_encrypted=encrypt("client"),
        client_id_hint="ient",
        client_secret_encrypted=encrypt("secret"),
    )


@pytest.fixture
def key(db: None) -> str:
    return token_key(_access().pk, AUDIENCE)


@pytest.fixture
def store(tmp_path: Path) -> DatabaseTokenStore:
    return DatabaseTokenStore(lock_dir=tmp_path)


def test_token_key_round_trip():
    assert token_key(7, AUDIENCE) == "7:https://api.example.test/"
    assert parse_token_key("7:https://api.example.test/") == (7, AUDIENCE)
    for bad in ("https://x/", "x:aud", ""):
        with pytest.raises(ValueError, match="Not a token key"):
            parse_token_key(bad)


def test_save_and_load_keep_the_token_encrypted(key, store):
    token = _token()
    store.save(key, token)
    row = CachedToken.objects.get()
    assert "access-token-value" not in row.token_encrypted
    loaded = store.load(key)
    assert loaded.access_token == token.access_token
    assert loaded.scope == "read:meters"
    assert loaded.expires_at == pytest.approx(token.expires_at, abs=1e-3)
    assert loaded.fetched_at == pytest.approx(token.fetched_at, abs=1e-3)


def test_save_replaces_and_keys_are_separate(key, store):
    store.save(key, _token("first"))
    store.save(key, _token("second"))
    other = key.replace(AUDIENCE, "https://api.us.example.test/")
    store.save(other, _token("third"))
    assert store.load(key).access_token == "second"
    assert store.load(other).access_token == "third"
    assert CachedToken.objects.count() == 2


def test_a_token_is_handed_out_only_under_the_generation_it_was_saved_with(key, store):
    store.save(key, _token("fetched-under-g1"), "2026-11-26T10:00:00+00:00")
    assert store.load(key, "2026-11-26T10:00:00+00:00").access_token == "fetched-under-g1"
    assert store.load(key, "2026-11-26T10:05:00+00:00") is None  # the credentials changed
    assert store.load(key).access_token == "fetched-under-g1"  # no generation: any
    store.save(key, _token("fetched-under-g2"), "2026-11-26T10:05:00+00:00")
    assert store.load(key, "2026-11-26T10:05:00+00:00").access_token == "fetched-under-g2"
    assert CachedToken.objects.count() == 1


def test_missing_and_undecryptable_tokens_load_as_none(key, store):
    assert store.load(key) is None
    store.save(key, _token())
    CachedToken.objects.update(token_encrypted="not-a-fernet-token")
    assert store.load(key) is None


def test_discard_only_drops_the_same_token(key, store):
    store.save(key, _token("current"))
    store.discard(key, "older")
    assert store.load(key).access_token == "current"
    store.discard(key, "current")
    assert store.load(key) is None
    store.discard(key, "current")  # nothing left: no error


def test_saving_for_a_deleted_access_is_ignored(db, store):
    access = _access()
    key = token_key(access.pk, AUDIENCE)
    access.delete()
    store.save(key, _token())
    assert CachedToken.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_advisory_lock_times_out_while_another_session_holds_it(store):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only; SQLite uses the file lock")
    key = token_key(_access().pk, AUDIENCE)
    held, release = threading.Event(), threading.Event()

    def other_session() -> None:  # a thread has its own connection: another PG session
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_lock(%s)", [_advisory_id(key)])
                held.set()
                release.wait(5)
                cursor.execute("SELECT pg_advisory_unlock(%s)", [_advisory_id(key)])
        finally:
            connection.close()

    thread = threading.Thread(target=other_session)
    thread.start()
    try:
        assert held.wait(5)
        with pytest.raises(TokenLockTimeout), store.lock(key, 0.3):
            pass
    finally:
        release.set()
        thread.join(5)
    with store.lock(key, 1):  # free again once the other session let go
        pass


def test_file_lock_times_out_while_another_process_holds_it(key, store):
    if connection.vendor == "postgresql":
        pytest.skip("the file lock is the SQLite path; PostgreSQL uses advisory locks")
    path = store._lock_path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, sys, time\n"
            f"f = open({str(path)!r}, 'a')\n"
            "fcntl.flock(f, fcntl.LOCK_EX)\n"
            "print('held', flush=True)\n"
            "time.sleep(5)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        with pytest.raises(TokenLockTimeout), store.lock(key, 0.3):
            pass
        assert 0.25 < time.monotonic() - started < 2
    finally:
        holder.kill()
        holder.wait()
    with store.lock(key, 1):  # free again once the holder is gone
        pass


def test_lock_is_exclusive_between_threads(key, store):
    inside = 0
    most = 0
    guard = threading.Lock()

    def worker() -> None:
        nonlocal inside, most
        try:
            with store.lock(key, 5):
                with guard:
                    inside += 1
                    most = max(most, inside)
                time.sleep(0.02)
                with guard:
                    inside -= 1
        finally:
            connection.close()  # each thread has its own connection (the advisory lock's)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert most == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_gets_fetch_once_through_the_database(store):
    key = token_key(_access().pk, AUDIENCE)
    fetches: list[float] = []

    def fetch(creds: ClientCredentials, policy: object) -> Token:
        fetches.append(time.time())
        time.sleep(0.2)
        return _token(f"fetched-{len(fetches)}")

    creds = ClientCredentials("client", "secret", "https://api.example.test/token", AUDIENCE)
    results: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def worker() -> None:
        try:
            broker = TokenBroker(DatabaseTokenStore(lock_dir=store.lock_dir), None, fetch=fetch)  # type: ignore[arg-type]
            barrier.wait()
            results.append(broker.get(key, lambda: creds).access_token)
        except BaseException as exc:
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert errors == []
    assert results == ["fetched-1"] * 8
    assert len(fetches) == 1


@override_settings(
    CONSOLE_ALLOW_PRIVATE_HOSTS=False,
    CONSOLE_ALLOW_HTTP=True,
    CONSOLE_CONNECT_TIMEOUT=3,
    CONSOLE_READ_TIMEOUT=7.5,
    CONSOLE_MAX_RESPONSE_BYTES=1234,
    CONSOLE_TOKEN_REFRESH_MARGIN=42,
)
def test_policy_and_broker_from_settings():
    policy = policy_from_settings()
    assert (policy.allow_private, policy.allow_http) == (False, True)
    assert (policy.connect_timeout, policy.read_timeout) == (3.0, 7.5)
    assert policy.max_response_bytes == 1234
    assert policy.allowed_hosts is None
    assert policy_from_settings(["API.example.com"]).allowed_hosts == frozenset({"api.example.com"})
    broker = default_broker()
    assert broker.margin == 42
    assert broker.policy == policy
    assert isinstance(broker.store, DatabaseTokenStore)
