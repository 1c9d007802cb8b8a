"""The shared token cache: CachedToken rows (encrypted) plus a lock every process respects.

`console.upstream` knows nothing of Django; this module is the bridge. It stores
the broker's tokens in the database so that every web and worker process uses
the same token per Application Access and audience, and builds the broker and
the outbound policy from settings.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction

from console.upstream.http import OutboundPolicy
from console.upstream.tokens import (
    DEFAULT_LIFETIME,
    Token,
    TokenBroker,
    TokenMemo,
    held_lock,
    lock_timeout_error,
)
from console.vault.crypto import UndecryptableValue, decrypt, encrypt
from console.vault.models import ApplicationAccess, CachedToken

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: the in-process lock is all we have
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

_POLL_MIN = 0.02
_POLL_MAX = 0.05  # waiters are many only once per token lifetime; keep them prompt
# One lock per key for the whole process, whichever store instance asks.
_thread_locks: dict[str, threading.Lock] = {}
_thread_locks_guard = threading.Lock()
# The tokens this process already holds, shared by every broker `default_broker`
# builds (it is rebuilt on every call, so the memo must outlive it). Entries are
# used only under the generation they were put with (see vault.services).
_memo = TokenMemo()


def token_key(access_id: int, audience: str) -> str:
    """The broker key of an Application Access and an audience: "<access id>:<audience>"."""
    return f"{int(access_id)}:{audience}"


def parse_token_key(key: str) -> tuple[int, str]:
    """Split a key made by `token_key` back into (access id, audience)."""
    access_id, sep, audience = key.partition(":")
    if not sep or not access_id.isdigit():
        raise ValueError(f"Not a token key: {key!r}")
    return int(access_id), audience


def _advisory_id(key: str) -> int:
    """A stable signed 64-bit number for `key` (PostgreSQL advisory lock ids are bigint)."""
    digest = hashlib.blake2b(f"ue-console:token:{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _wait(deadline: float, timeout: float, attempt: int) -> None:
    """Sleep a little before polling again, or raise TokenLockTimeout past the deadline."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise lock_timeout_error(timeout)
    time.sleep(min(left, _POLL_MAX, _POLL_MIN * (2**attempt)))


def _to_datetime(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, tz=UTC)


class DatabaseTokenStore:
    """A TokenStore over `CachedToken`, shared by all processes using the database.

    Locking, which keeps token fetches single-flight across threads and processes:

    * Always a `threading.Lock` per key first, so threads of one process queue
      cheaply instead of polling the database or the file system.
    * On PostgreSQL, a session-level advisory lock (`pg_try_advisory_lock`,
      polled until the timeout, released with `pg_advisory_unlock`) on the
      thread's own connection. It takes no row or table lock, so nothing else
      waits while the token request is in flight, and PostgreSQL drops it if
      the process dies. (It needs a real session: not behind a pooler in
      transaction mode.)
    * On SQLite and anything else, an OS file lock (`fcntl.flock`, polled with
      LOCK_NB) on a file under `LOCAL_DIR/locks`. SQLite has no advisory locks,
      and holding a write transaction for the length of an HTTP call would block
      every other writer of the whole database (history, sessions) until the
      token endpoint answered. The kernel releases a flock when its process
      dies, so a crash never leaves the key locked; SQLite deployments are one
      machine, which is what a file lock covers.
    """

    def __init__(self, *, lock_dir: Path | None = None) -> None:
        self.lock_dir = Path(lock_dir) if lock_dir is not None else None

    def load(self, key: str, generation: str | None = None) -> Token | None:
        """The stored token for `key` (saved under `generation`, when given), or None (also
        when it can no longer be decrypted)."""
        access_id, audience = parse_token_key(key)
        row = CachedToken.objects.filter(access_id=access_id, audience=audience).first()
        if row is None or not row.token_encrypted or row.expires_at is None:
            return None
        if generation is not None and row.generation != generation:
            return None  # fetched with credentials that have changed since; a fetch replaces it
        try:
            access_token = decrypt(row.token_encrypted)
        except UndecryptableValue:
            return None  # a fetch will replace it
        expires_at = row.expires_at.timestamp()
        fetched_at = row.fetched_at.timestamp() if row.fetched_at else expires_at - DEFAULT_LIFETIME
        return Token(
            access_token=access_token,
            token_type="Bearer",  # noqa: S106 - a token type, not a password
            scope=row.scope,
            expires_at=expires_at,
            fetched_at=fetched_at,
        )

    def save(self, key: str, token: Token, generation: str | None = None) -> None:
        """Store `token` for `key`, encrypted, replacing the previous one."""
        access_id, audience = parse_token_key(key)
        gone = "Not caching a token for %s: the Application Access is gone"
        try:
            with transaction.atomic():
                # Checked here because FK violations may only surface at an outer commit.
                if not ApplicationAccess.objects.filter(pk=access_id).exists():
                    log.info(gone, key)
                    return
                CachedToken.objects.update_or_create(
                    access_id=access_id,
                    audience=audience,
                    defaults={
                        "token_encrypted": encrypt(token.access_token),
                        "scope": token.scope,
                        "expires_at": _to_datetime(token.expires_at),
                        "fetched_at": _to_datetime(token.fetched_at),
                        "generation": generation or "",
                    },
                )
        except IntegrityError:
            # Deleted while its token was being fetched: nothing to cache it for.
            # The caller still gets the token.
            log.info(gone, key)

    def discard(self, key: str, access_token: str) -> None:
        """Delete the token for `key` if it is still `access_token`."""
        access_id, audience = parse_token_key(key)
        row = CachedToken.objects.filter(access_id=access_id, audience=audience).first()
        if row is None or not row.token_encrypted:
            return
        try:
            current = decrypt(row.token_encrypted)
        except UndecryptableValue:
            return
        if current == access_token:
            # Matching the ciphertext too makes this a compare-and-delete: a token
            # another process saved in the meantime is kept.
            CachedToken.objects.filter(pk=row.pk, token_encrypted=row.token_encrypted).delete()

    @contextmanager
    def lock(self, key: str, timeout: float) -> Iterator[None]:
        """Hold `key` across threads and processes; TokenLockTimeout after `timeout` s."""
        deadline = time.monotonic() + timeout
        with held_lock(_thread_locks, _thread_locks_guard, key, timeout):
            if connection.vendor == "postgresql":
                with self._advisory_lock(key, deadline, timeout):
                    yield
            elif fcntl is not None:
                with self._file_lock(key, deadline, timeout):
                    yield
            else:  # pragma: no cover - no fcntl (Windows)
                yield

    @contextmanager
    def _advisory_lock(self, key: str, deadline: float, timeout: float) -> Iterator[None]:
        lock_id = _advisory_id(key)
        attempt = 0
        while True:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [lock_id])
                if cursor.fetchone()[0]:
                    break
            _wait(deadline, timeout, attempt)
            attempt += 1
        try:
            yield
        finally:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [lock_id])
            except DatabaseError:
                # The session is gone, and its advisory locks went with it.
                log.warning("Could not release the token lock for %s", key)

    def _lock_path(self, key: str) -> Path:
        folder = self.lock_dir or Path(settings.LOCAL_DIR) / "locks"
        name = hashlib.sha256(key.encode()).hexdigest()[:32]
        return folder / f"token-{name}.lock"

    @contextmanager
    def _file_lock(self, key: str, deadline: float, timeout: float) -> Iterator[None]:
        path = self._lock_path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            attempt = 0
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    _wait(deadline, timeout, attempt)
                    attempt += 1
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


def policy_from_settings(allowed_hosts: Iterable[str] | None = None) -> OutboundPolicy:
    """The outbound policy the settings describe, optionally limited to `allowed_hosts`."""
    return OutboundPolicy(
        allowed_hosts=frozenset(allowed_hosts) if allowed_hosts is not None else None,
        allow_private=bool(getattr(settings, "CONSOLE_ALLOW_PRIVATE_HOSTS", False)),
        allow_http=bool(getattr(settings, "CONSOLE_ALLOW_HTTP", False)),
        connect_timeout=float(getattr(settings, "CONSOLE_CONNECT_TIMEOUT", 5)),
        read_timeout=float(getattr(settings, "CONSOLE_READ_TIMEOUT", 30)),
        max_response_bytes=int(getattr(settings, "CONSOLE_MAX_RESPONSE_BYTES", 10 * 1024 * 1024)),
    )


def clear_token_memo() -> None:
    """Forget the tokens this process holds in memory (the database cache is untouched)."""
    _memo.clear()


def default_broker() -> TokenBroker:
    """The broker the console uses: database store, process memo, settings' policy and margin.

    Cheap to build on every call (the per-key thread locks and the memo live at
    module level), so settings overridden in tests take effect.
    """
    return TokenBroker(
        DatabaseTokenStore(),
        policy_from_settings(),
        margin=float(getattr(settings, "CONSOLE_TOKEN_REFRESH_MARGIN", 60)),
        memo=_memo,
    )
