"""Access tokens: fetched with the client-credentials grant, cached and shared.

`fetch_token` asks the token endpoint once (through the safe adapter of
`console.upstream.http`), turning every failure into a `TokenError` with a
sentence a person can act on. `TokenBroker` keeps one token per key (an
Application Access and an audience) in a `TokenStore` shared by every process,
and makes sure only one of them asks the endpoint when the token runs out: the
endpoint is rate limited per client. A `TokenMemo` in front of the store lets a
process reuse a token it already has without reading the store, for as long as
the caller's `generation` of the credentials stays the same.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from email.utils import parsedate_to_datetime
from typing import Any, Protocol, TypeIs

import jwt
import requests
from oauthlib.oauth2 import BackendApplicationClient
from oauthlib.oauth2.rfc6749.errors import OAuth2Error
from requests_oauthlib import OAuth2Session

from console.upstream.errors import (
    TokenAudienceRejected,
    TokenBadResponse,
    TokenError,
    TokenLockTimeout,
    TokenRateLimited,
    TokenRejected,
    TokenServerError,
    UpstreamError,
    UpstreamTimeout,
    UpstreamUnreachable,
)
from console.upstream.http import (
    NoRedirects,
    OutboundPolicy,
    SafeAdapter,
    Target,
    UpstreamResponse,
    check_url,
    safe_adapter_of,
    secure_session,
    translate_error,
)

# requests-oauthlib refuses http:// token URLs unless this variable is set. Whether
# plain HTTP is acceptable is our policy's decision (`allow_http`, checked by
# check_url before every request, and again by SafeAdapter), not the library's: the
# built-in sandbox is served over http on 127.0.0.1. The variable only relaxes
# oauthlib's own scheme check, nothing else.
os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"


class _DropDebug(logging.Filter):
    """requests-oauthlib logs the token request body (the secret) and the token at DEBUG."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


logging.getLogger("requests_oauthlib.oauth2_session").addFilter(_DropDebug())
log = logging.getLogger(__name__)

DEFAULT_LIFETIME = 3600.0  # the vendor's tokens last one hour
MAX_RATE_LIMIT_RETRIES = 2
_OAUTH_REJECTIONS = {"invalid_client", "access_denied", "unauthorized_client"}


@dataclass(frozen=True, repr=False)
class ClientCredentials:
    """What the token request needs: client ID and secret, token URL, audience."""

    client_id: str
    client_secret: str
    token_url: str
    audience: str

    def __repr__(self) -> str:
        return (
            f"ClientCredentials(client_id={self.client_id!r}, client_secret='•••', "
            f"token_url={self.token_url!r}, audience={self.audience!r})"
        )


@dataclass(frozen=True)
class Token:
    """An access token and what we know about it (times are epoch seconds)."""

    access_token: str = field(repr=False)
    token_type: str
    scope: str
    expires_at: float
    fetched_at: float
    fetch_ms: float = 0.0

    def expires_within(self, margin: float, now: float) -> bool:
        """True if the token is expired or will be within `margin` seconds of `now`."""
        return self.expires_at - margin <= now

    @property
    def lifetime(self) -> float:
        """Seconds between fetching and expiry, as granted."""
        return self.expires_at - self.fetched_at

    @property
    def authorization(self) -> str:
        """The Authorization header value for this token."""
        return f"Bearer {self.access_token}"


@dataclass(frozen=True)
class CallTokenInfo:
    """How the token for one call was obtained."""

    cached: bool  # the token of the last attempt came from the cache, not the endpoint
    token_ms: float  # time spent getting token(s), fetches included
    retried: bool  # the first attempt got 401 and was retried once with a new token
    expires_at: float

    @property
    def source(self) -> str:
        """ "cached" or "fetched"."""
        return "cached" if self.cached else "fetched"


# ---------------------------------------------------------------- fetching


class _TokenSession(NoRedirects, OAuth2Session):
    """An OAuth2Session that never follows redirects (the form carries the secret)."""


def _human_wait(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    return f"about {round(seconds / 60)} minutes"


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _clean(text: Any, secret: str) -> str | None:
    """A server-sent OAuth field, made safe to show: bounded, one line, no secret."""
    if text is None:
        return None
    text = " ".join(str(text).split())[:300]
    if secret:
        text = text.replace(secret, "•••")
    return text or None


def _json_object(body: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(body)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _details(status: int, error: str | None, description: str | None) -> str:
    parts = f"HTTP {status}"
    if error:
        parts += f" {error}"
    if description:
        parts += f": {description}"
    return f" [{parts}]"


def _mentions_audience(text: str, audience: str) -> bool:
    lowered = text.lower()
    wanted = audience.strip().rstrip("/").lower()
    return "audience" in lowered or bool(wanted and wanted in lowered)


def _check_response(response: requests.Response, creds: ClientCredentials) -> requests.Response:
    """Turn every answer that is not a usable token into the right TokenError.

    Runs as requests-oauthlib's `access_token_response` hook, before oauthlib
    parses the body (oauthlib would fall back to form decoding on non-JSON and
    raise generic errors).
    """
    status = response.status_code
    if getattr(response.raw, "truncated", False):
        raise TokenBadResponse(
            "The token endpoint's answer is far too large to be a token.", status=status
        )
    body = response.content or b""
    payload = _json_object(body)
    error = _clean(payload.get("error"), creds.client_secret) if payload else None
    description = _clean(payload.get("error_description"), creds.client_secret) if payload else None
    oauth = {"status": status, "error": error, "error_description": description}
    details = _details(status, error, description)

    if status == 429:
        wait = parse_retry_after(response.headers.get("Retry-After"))
        when = f"try again in {_human_wait(wait)}" if wait is not None else "try again shortly"
        raise TokenRateLimited(
            f"The token endpoint is rate limiting this client; {when}.", retry_after=wait, **oauth
        )
    if status >= 500:
        raise TokenServerError(f"The token endpoint failed on its side.{details}", **oauth)
    if status == 403:
        text = (
            " ".join(filter(None, [error, description]))
            if payload
            else body[:2000].decode("utf-8", "replace")
        )
        if _mentions_audience(text, creds.audience):
            raise TokenAudienceRejected(
                "This Application Access is not enabled for that environment "
                f"(audience {creds.audience}).{details}",
                **oauth,
            )
    if status in (401, 403) or (status >= 400 and error in _OAUTH_REJECTIONS):
        raise TokenRejected(
            f"The token endpoint rejected the client ID or secret.{details}", **oauth
        )
    if 300 <= status < 400:
        raise TokenBadResponse(
            f"The token endpoint answered with a redirect (HTTP {status}); check the token URL.",
            **oauth,
        )
    if status == 404:
        raise TokenBadResponse(
            "No token endpoint at that URL (HTTP 404); check the token URL.", **oauth
        )
    if status >= 400 or error:
        if error:
            raise TokenError(f"The token endpoint refused the request.{details}", **oauth)
        raise TokenBadResponse(f"The token endpoint answered HTTP {status}.", **oauth)
    if payload is None:
        raise TokenBadResponse(
            f"The token endpoint answered HTTP {status} with something that is not a JSON object.",
            **oauth,
        )
    access_token = payload.get("access_token")
    if not isinstance(access_token, str) or not access_token.strip():
        raise TokenBadResponse("The token endpoint's answer has no access_token.", **oauth)
    return response


def _expires_at(payload: dict[str, Any], access_token: str, sent_at: float) -> float:
    """Expiry from expires_in, else from the JWT's exp claim, else one hour.

    Counting from when the request was sent errs on the early side.
    """
    value = payload.get("expires_in")
    if value is not None and not isinstance(value, bool):
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            seconds = 0.0
        if seconds > 0:
            return sent_at + seconds
    exp = describe_token(access_token).get("exp")
    if isinstance(exp, int | float) and not isinstance(exp, bool):
        return float(exp)
    return sent_at + DEFAULT_LIFETIME


def _fetch_once(
    creds: ClientCredentials,
    policy: OutboundPolicy,
    target: Target,
    session: requests.Session | None,
) -> Token:
    adapter = safe_adapter_of(session, creds.token_url) if session else SafeAdapter(policy)
    oauth = _TokenSession(client=BackendApplicationClient(client_id=creds.client_id))
    secure_session(oauth, adapter)
    oauth.headers["User-Agent"] = "ue-console"
    oauth.register_compliance_hook("access_token_response", lambda r: _check_response(r, creds))
    sent_at = time.time()
    started = time.perf_counter()
    try:
        data = oauth.fetch_token(
            creds.token_url,
            client_id=creds.client_id,
            client_secret=creds.client_secret,
            include_client_id=True,  # credentials in the form body, no Basic header
            audience=creds.audience,
            timeout=(policy.connect_timeout, policy.read_timeout),
        )
    except UpstreamError:
        raise
    except requests.RequestException as exc:
        raise translate_error(exc, target, policy) from exc
    except OAuth2Error as exc:
        error = _clean(exc.error, creds.client_secret)
        if error in _OAUTH_REJECTIONS:
            raise TokenRejected(
                f"The token endpoint rejected the client ID or secret. [{error}]", error=error
            ) from None
        raise TokenBadResponse(
            f"The token endpoint's answer could not be used ({error}).", error=error
        ) from None
    except (Warning, ValueError, TypeError, KeyError) as exc:
        raise TokenBadResponse(
            f"The token endpoint's answer could not be read ({type(exc).__name__})."
        ) from None
    finally:
        if session is None:  # the adapter is ours only when no session was lent to us
            oauth.close()
    fetch_ms = (time.perf_counter() - started) * 1000
    access_token = str(data["access_token"])
    scope = data.get("scope") or ""
    if isinstance(scope, list | tuple):
        scope = " ".join(str(s) for s in scope)
    return Token(
        access_token=access_token,
        token_type=str(data.get("token_type") or "Bearer"),
        scope=str(scope),
        expires_at=_expires_at(dict(data), access_token, sent_at),
        fetched_at=time.time(),
        fetch_ms=fetch_ms,
    )


def fetch_token(
    creds: ClientCredentials,
    policy: OutboundPolicy,
    *,
    session: requests.Session | None = None,
    max_retry_after: float = 5.0,
    sleep: Callable[[float], None] = time.sleep,
) -> Token:
    """Request a token with the client-credentials grant; raise a TokenError if none comes.

    The form body carries grant_type, client_id, client_secret and audience (no
    Basic header). A 429 whose Retry-After is at most `max_retry_after` seconds
    is waited out and retried, at most twice; nothing else is retried.
    `session`, if given, must come from `make_session(policy)`; its connection
    pool is reused.
    """
    target = check_url(policy, creds.token_url)
    if session is not None and safe_adapter_of(session, creds.token_url).policy != policy:
        raise ValueError("The session was made for a different outbound policy.")
    started = time.perf_counter()
    for attempt in range(MAX_RATE_LIMIT_RETRIES + 1):
        try:
            token = _fetch_once(creds, policy, target, session)
        except TokenRateLimited as exc:
            wait = exc.retry_after
            if attempt == MAX_RATE_LIMIT_RETRIES or wait is None or wait > max_retry_after:
                raise
            log.info("Token endpoint %s said 429; retrying in %.1f s", target.host, wait)
            sleep(wait)
            continue
        return replace(token, fetch_ms=(time.perf_counter() - started) * 1000)
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


def describe_token(access_token: str) -> dict[str, Any]:
    """The display claims of a JWT (aud, exp, scope, accountId, sub, iss), NOT verified.

    For showing people what a token says; never for deciding anything. Returns
    {} for a token that is not a JWT.
    """
    try:
        claims = jwt.decode(access_token, options={"verify_signature": False})
    except (jwt.PyJWTError, ValueError, TypeError):
        return {}
    if not isinstance(claims, dict):
        return {}
    wanted = ("aud", "exp", "scope", "accountId", "sub", "iss")
    return {name: claims[name] for name in wanted if name in claims}


# ---------------------------------------------------------------- stores


class TokenStore(Protocol):
    """Where the broker keeps tokens, shared by everyone who should share them."""

    def load(self, key: str, generation: str | None = None) -> Token | None:
        """The stored token for `key`, or None; with `generation`, only a token saved
        under that generation of the credentials (a token fetched with credentials that
        changed since is never handed out, whenever it was saved)."""
        ...

    def save(self, key: str, token: Token, generation: str | None = None) -> None:
        """Store `token` for `key` (fetched under `generation`), replacing any other."""
        ...

    def discard(self, key: str, access_token: str) -> None:
        """Drop the token for `key`, but only if it is still `access_token`."""
        ...

    def lock(self, key: str, timeout: float) -> AbstractContextManager[None]:
        """Hold `key` exclusively (threads and processes); TokenLockTimeout after `timeout`."""
        ...


def lock_timeout_error(timeout: float) -> TokenLockTimeout:
    """The error a store raises when it could not take a key's lock in time."""
    return TokenLockTimeout(
        "Another request was already fetching a token for this Application Access; "
        f"gave up waiting after {timeout:g} s."
    )


@contextmanager
def held_lock(
    locks: dict[str, threading.Lock], guard: threading.Lock, key: str, timeout: float
) -> Iterator[None]:
    """Hold the lock of `key` in `locks` (made on first use, under `guard`), or time out."""
    with guard:
        lock = locks.setdefault(key, threading.Lock())
    if not lock.acquire(timeout=max(0.0, timeout)):
        raise lock_timeout_error(timeout)
    try:
        yield
    finally:
        lock.release()


class MemoryTokenStore:
    """Tokens in a dict, locks per key: for tests and single-process use."""

    def __init__(self) -> None:
        self._tokens: dict[str, tuple[Token, str | None]] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def load(self, key: str, generation: str | None = None) -> Token | None:
        """The stored token for `key` (saved under `generation`, when given), or None."""
        with self._guard:
            token, saved_under = self._tokens.get(key, (None, None))
        return token if generation is None or saved_under == generation else None

    def save(self, key: str, token: Token, generation: str | None = None) -> None:
        """Store `token` for `key`."""
        with self._guard:
            self._tokens[key] = (token, generation)

    def discard(self, key: str, access_token: str) -> None:
        """Drop the token for `key` if it is still `access_token`."""
        with self._guard:
            current, _ = self._tokens.get(key, (None, None))
            if current is not None and current.access_token == access_token:
                del self._tokens[key]

    def lock(self, key: str, timeout: float) -> AbstractContextManager[None]:
        """Hold `key` exclusively within this process."""
        return held_lock(self._locks, self._guard, key, timeout)


# ---------------------------------------------------------------- memo


class TokenMemo(MemoryTokenStore):
    """The tokens one process already holds, by key and generation, thread-safe.

    A per-process shortcut in front of a shared `TokenStore`, never a replacement
    for it: the broker answers from the memo only when the caller's generation (a
    value that changes whenever the credentials behind the key change) is the one
    the token was remembered with, and the token is not due for renewal. Renewal,
    401s and everything that needs the shared view still go through the store.

    Its per-key `lock` is the queue the broker lets this process's threads through
    one at a time, before the store's cross-process lock: once the first has the
    token the others find it here instead of each taking that lock in turn (it is
    polled, so every turn can cost a poll interval).
    """

    def clear(self) -> None:
        """Forget every token."""
        with self._guard:
            self._tokens.clear()


# ---------------------------------------------------------------- broker

# When a refresh fails for these reasons and the cached token has not actually
# expired yet (it was only inside the refresh margin), the old token still works.
_TRANSIENT = (TokenRateLimited, TokenServerError, UpstreamTimeout, UpstreamUnreachable)
_MIN_LEFT = 5.0


class TokenBroker:
    """Hands out one shared token per key, fetching only when it is missing or nearly expired."""

    def __init__(
        self,
        store: TokenStore,
        policy: OutboundPolicy,
        *,
        margin: float = 60,
        lock_timeout: float = 15,
        clock: Callable[[], float] = time.time,
        fetch: Callable[[ClientCredentials, OutboundPolicy], Token] = fetch_token,
        memo: TokenMemo | None = None,
    ) -> None:
        self.store = store
        self.policy = policy
        self.margin = margin
        self.lock_timeout = lock_timeout
        self.clock = clock
        self._fetch = fetch
        self.memo = memo

    def _usable(self, token: Token | None) -> TypeIs[Token]:
        if token is None:
            return False
        # A token granted for less than twice the margin would be refetched on every
        # call; use half its lifetime as the margin then.
        margin = min(self.margin, max(token.lifetime, 0.0) / 2)
        return not token.expires_within(margin, self.clock())

    def get(
        self,
        key: str,
        credentials: Callable[[], ClientCredentials],
        *,
        generation: str | None = None,
    ) -> Token:
        """A token for `key`; `credentials` is called (and the secret decrypted) only to fetch.

        `generation` names the credentials behind `key` as the caller sees them now;
        with it (and a memo) a token this process already holds is reused without
        reading the store. None never uses the memo.
        """
        return self._get(key, credentials, generation=generation)[0]

    def obtain(
        self,
        key: str,
        credentials: Callable[[], ClientCredentials],
        *,
        generation: str | None = None,
    ) -> tuple[Token, bool]:
        """Like `get`, and also say whether this caller fetched the token (True) or reused it."""
        return self._get(key, credentials, generation=generation)

    @staticmethod
    def _remember(memo: TokenMemo | None, key: str, token: Token, generation: str | None) -> Token:
        """Put a usable token in `memo` (None when this call uses no memo) and return it."""
        if memo is not None:
            memo.save(key, token, generation)
        return token

    def _get(
        self,
        key: str,
        credentials: Callable[[], ClientCredentials],
        *,
        generation: str | None = None,
        read_memo: bool = True,
    ) -> tuple[Token, bool]:
        """The token and whether it was fetched (True) or came from the memo or store (False).

        `read_memo=False` starts at the store (the memo is still updated).
        """
        memo = self.memo if generation is not None else None
        if memo is not None and read_memo:
            held = memo.load(key, generation)
            if self._usable(held):
                return held, False
        token = self.store.load(key, generation)
        if self._usable(token):
            return self._remember(memo, key, token, generation), False
        # One deadline for the wait in the process's queue and at the store's lock.
        deadline = time.monotonic() + self.lock_timeout
        try:
            with memo.lock(key, self.lock_timeout) if memo is not None else nullcontext():
                # The thread before us in the queue may have just fetched it.
                held = memo.load(key, generation) if memo is not None and read_memo else None
                if self._usable(held):
                    return held, False
                return self._get_locked(key, credentials, generation, memo, deadline)
        except TokenLockTimeout:
            token = self.store.load(key, generation)
            if self._usable(token):
                return self._remember(memo, key, token, generation), False
            # Said with the whole wait, not the part of it left for the store's lock.
            raise lock_timeout_error(self.lock_timeout) from None

    def _get_locked(
        self,
        key: str,
        credentials: Callable[[], ClientCredentials],
        generation: str | None,
        memo: TokenMemo | None,
        deadline: float,
    ) -> tuple[Token, bool]:
        """Under the store's lock: the store's token if another fetched it, else a fetch
        (remembered in `memo`, the call's memo or None)."""
        with self.store.lock(key, deadline - time.monotonic()):
            # Another thread or process may have fetched it while we waited. Always
            # the store here, never the memo: only the store knows whether another
            # process renewed already, which keeps renewal single-flight.
            token = self.store.load(key, generation)
            if self._usable(token):
                return self._remember(memo, key, token, generation), False
            try:
                fresh = self._fetch(credentials(), self.policy)
            except _TRANSIENT:
                if token is not None and token.expires_at - self.clock() > _MIN_LEFT:
                    # Not remembered: it is due for renewal, so the next call tries again.
                    log.warning("Token refresh for %s failed; using the current token", key)
                    return token, False
                raise
            self.store.save(key, fresh, generation)
            log.info("Fetched a token for %s in %.0f ms", key, fresh.fetch_ms)
            return self._remember(memo, key, fresh, generation), True

    def invalidate(self, key: str, token: Token) -> None:
        """Forget `token` for `key` (after a 401), unless another one replaced it already."""
        if self.memo is not None:
            self.memo.discard(key, token.access_token)
        self.store.discard(key, token.access_token)

    def call(
        self,
        key: str,
        credentials: Callable[[], ClientCredentials],
        do: Callable[[Token], UpstreamResponse],
        *,
        generation: str | None = None,
    ) -> tuple[UpstreamResponse, CallTokenInfo]:
        """Run `do(token)`; on 401 drop that token, get another and retry exactly once.

        `generation` as for `get`. After a 401 the token is dropped from the memo
        too, and the retry reads the store: another process may have renewed it.
        """
        started = time.perf_counter()
        token, fetched = self._get(key, credentials, generation=generation)
        token_ms = (time.perf_counter() - started) * 1000
        response = do(token)
        retried = False
        if response.status == 401:
            retried = True
            self.invalidate(key, token)
            started = time.perf_counter()
            # Straight to the store: a thread that read the failed token from the
            # store just before it was discarded may have put it back in the memo.
            token, fetched = self._get(key, credentials, generation=generation, read_memo=False)
            token_ms += (time.perf_counter() - started) * 1000
            response = do(token)
        info = CallTokenInfo(
            cached=not fetched, token_ms=token_ms, retried=retried, expires_at=token.expires_at
        )
        return response, info
