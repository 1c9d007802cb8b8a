"""The safe way out: a requests session that only reaches addresses the policy allows.

Three layers, each closing a hole the others cannot:

* `check_url` looks at the URL alone (scheme, host allow-list, literal IPs) and is
  cheap enough for form validation.
* `SafeAdapter` runs `check_url` again on every prepared request (so a session made
  here cannot be pointed elsewhere), refuses proxies, applies the time limits and
  caps how much of a body is ever read.
* `_PinnedConnectionMixin` resolves the host name once per connection, checks every
  address it resolves to, and connects to one of those checked addresses. The name
  is never resolved a second time, so a DNS answer that changes between the check
  and the connect (DNS rebinding) cannot reach a private address. The Host header
  and the TLS server name still use the name from the URL.
"""

from __future__ import annotations

import errno
import functools
import ipaddress
import json
import re
import socket
import ssl
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from http.cookiejar import DefaultCookiePolicy
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import (
    ConnectTimeoutError,
    DecodeError,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)
from urllib3.util import connection as urllib3_connection

from console.upstream.errors import (
    OutboundRefused,
    UpstreamError,
    UpstreamTimeout,
    UpstreamUnreachable,
)

MIB = 1024 * 1024
_CHUNK = 64 * 1024
_DEFAULT_PORTS = {"http": 80, "https": 443}
_METHOD = re.compile(r"[A-Za-z]{1,20}")
_DOT_SEGMENTS = {".": "%2E", "..": "%2E%2E"}
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# Accept no cookies at all: a session may be shared by several members, and one
# member's upstream cookies must never ride along on another member's call.
_NO_COOKIES = DefaultCookiePolicy(allowed_domains=[])


@dataclass(frozen=True)
class OutboundPolicy:
    """What outbound calls may reach, and how long and how much they may take."""

    allowed_hosts: frozenset[str] | None = None
    allow_private: bool = False
    allow_http: bool = False
    connect_timeout: float = 5
    read_timeout: float = 30
    max_response_bytes: int = 10 * MIB

    def __post_init__(self) -> None:
        # Normalise once so comparisons later are plain set lookups.
        if self.allowed_hosts is not None:
            hosts = frozenset(
                h.strip().lower().rstrip(".") for h in self.allowed_hosts if h.strip()
            )
            object.__setattr__(self, "allowed_hosts", hosts)


@dataclass(frozen=True)
class Target:
    """Where a URL points: scheme, host (lowercase, no brackets) and port."""

    scheme: str
    host: str
    port: int

    @property
    def netloc(self) -> str:
        """`host:port`, with brackets around an IPv6 address."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


@dataclass(frozen=True)
class UpstreamResponse:
    """An answer from upstream, read in full or cut at the policy's size limit."""

    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes
    truncated: bool
    elapsed_ms: float
    url: str

    def __repr__(self) -> str:
        # Bodies can be megabytes and URLs can carry query secrets: keep the repr short.
        return (
            f"UpstreamResponse(status={self.status}, reason={self.reason!r}, "
            f"body=<{len(self.body)} bytes>, truncated={self.truncated}, "
            f"elapsed_ms={self.elapsed_ms:.1f})"
        )

    def header(self, name: str) -> str | None:
        """The first value of header `name` (case-insensitive), or None."""
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)

    @property
    def content_type(self) -> str:
        """The media type without parameters, lowercase ("" when absent)."""
        value = self.header("Content-Type") or ""
        return value.split(";", 1)[0].strip().lower()

    def json(self) -> Any | None:
        """The body parsed as JSON, or None when it is empty, cut off or not JSON."""
        if not self.body or self.truncated:
            return None
        try:
            return json.loads(self.body)
        except ValueError:
            return None


# ---------------------------------------------------------------- checks


def _seconds(value: float) -> str:
    """30.0 -> "30", 0.25 -> "0.25": numbers as a person writes them."""
    return f"{value:g}"


def _classify(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why `ip` is not a public address ("a loopback address", ...), or None if it is."""
    if isinstance(ip, ipaddress.IPv6Address):
        # IPv6 forms that carry an IPv4 address reach that IPv4 address.
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None and (reason := _classify(embedded)):
            return reason
    checks = (
        ("is_unspecified", "an unspecified address"),
        ("is_loopback", "a loopback address"),
        ("is_link_local", "a link-local address"),
        ("is_multicast", "a multicast address"),
        ("is_reserved", "a reserved address"),
        ("is_private", "a private address"),
    )
    for attribute, reason in checks:
        if getattr(ip, attribute):
            return reason
    if not ip.is_global:  # shared address space (100.64/10) and the like
        return "a non-public address"
    return None


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def check_address(policy: OutboundPolicy, address: str, *, host: str | None = None) -> None:
    """Raise OutboundRefused if `address` (an IP) is not public and the policy wants public."""
    if policy.allow_private:
        return
    try:
        ip = ipaddress.ip_address(address)
    except ValueError as exc:
        raise OutboundRefused(f"{address} is not an IP address.") from exc
    reason = _classify(ip)
    if reason is None:
        return
    where = (
        f"{host} resolves to {address}, {reason}"
        if host and host != address
        else (f"{address} is {reason}")
    )
    raise OutboundRefused(f"{where}; calls to private or local networks are not allowed.")


def check_url(policy: OutboundPolicy, url: str) -> Target:
    """Check scheme, host and allow-list of `url` without resolving it; return where it points.

    Raises OutboundRefused with a sentence saying what is wrong. Host names are
    resolved (and their addresses checked) only when a connection is made.
    """
    if not isinstance(url, str) or any(ord(c) <= 0x20 or ord(c) == 0x7F for c in url):
        raise OutboundRefused("The URL contains spaces or control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise OutboundRefused("The URL is not valid (check the host and port).") from exc
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise OutboundRefused("Only https:// URLs can be called.")
    if scheme == "http" and not policy.allow_http:
        raise OutboundRefused("Plain http:// is not allowed here; use an https:// URL.")
    if parts.username is not None or parts.password is not None:
        raise OutboundRefused(
            "The URL contains a user name or password; send credentials in headers."
        )
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise OutboundRefused("The URL has no host.")
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise OutboundRefused("The host name in the URL is not valid.") from exc
    target = Target(scheme=scheme, host=host, port=port or _DEFAULT_PORTS[scheme])
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        check_address(policy, str(literal))
    if policy.allowed_hosts is not None:
        names = {host, target.netloc, f"{host}:{target.port}"}
        if ":" in host:
            names.add(f"[{host}]")
        if not names & policy.allowed_hosts:
            raise OutboundRefused(f"{target.netloc} is not in the list of allowed hosts.")
    return target


def check_headers(headers: Mapping[str, str]) -> None:
    """Refuse header names that are not tokens and values containing CR, LF or NUL."""
    for name, value in headers.items():
        if not isinstance(name, str) or not _HEADER_NAME.fullmatch(name):
            raise OutboundRefused(f"{name!r} is not a valid header name.")
        if not isinstance(value, str) or any(c in value for c in "\r\n\0"):
            raise OutboundRefused(
                f"The value of header {name} contains a line break or NUL; it was not sent."
            )
        if name.lower() == "host":
            # The connection is checked against the URL's host; another Host would
            # ask the server for a site the allow-list never saw.
            raise OutboundRefused("The Host header comes from the URL and cannot be set.")


# ---------------------------------------------------------------- connections


class _PinnedConnectionMixin:
    """Resolve once, check every address, connect only to a checked address."""

    policy: OutboundPolicy  # set on the subclasses made by `_pool_classes`

    def _new_conn(self) -> socket.socket:
        conn: HTTPConnection = self  # type: ignore[assignment]
        name = conn._dns_host  # as written in the URL, maybe with a trailing dot
        try:
            infos = socket.getaddrinfo(
                name, conn.port, urllib3_connection.allowed_gai_family(), socket.SOCK_STREAM
            )
        except socket.gaierror as exc:
            raise NameResolutionError(conn.host, conn, exc) from exc
        addresses: list[str] = []
        for *_, sockaddr in infos:
            address = str(sockaddr[0])
            # One bad address is enough to refuse: the name is not trustworthy.
            check_address(self.policy, address, host=conn.host)
            if address not in addresses:
                addresses.append(address)
        failure: Exception | None = None
        for address in addresses:
            try:
                # `address` is numeric, so create_connection does no DNS lookup.
                sock = urllib3_connection.create_connection(
                    (address, conn.port),
                    conn.timeout,
                    source_address=conn.source_address,
                    socket_options=conn.socket_options,
                )
            except TimeoutError as exc:
                failure = ConnectTimeoutError(
                    conn, f"Connection to {conn.host} timed out. (connect timeout={conn.timeout})"
                )
                failure.__cause__ = exc
            except OSError as exc:
                failure = NewConnectionError(conn, f"Failed to establish a new connection: {exc}")
                failure.__cause__ = exc
            else:
                sys.audit("http.client.connect", conn, conn.host, conn.port)
                return sock
        assert failure is not None  # getaddrinfo never returns an empty list
        raise failure


@functools.lru_cache(maxsize=32)
def _pool_classes(policy: OutboundPolicy) -> dict[str, type[HTTPConnectionPool]]:
    """Pool classes whose connections are pinned under `policy`.

    The policy is bound as a class attribute because urllib3's PoolKey refuses
    unknown keyword arguments; the cache keeps one set of classes per policy.
    """
    http_conn = type(
        "PinnedHTTPConnection", (_PinnedConnectionMixin, HTTPConnection), {"policy": policy}
    )
    https_conn = type(
        "PinnedHTTPSConnection", (_PinnedConnectionMixin, HTTPSConnection), {"policy": policy}
    )
    return {
        "http": type(
            "PinnedHTTPConnectionPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn}
        ),
        "https": type(
            "PinnedHTTPSConnectionPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn}
        ),
    }


class CappedBody:
    """Wraps a urllib3 response so that at most `limit` body bytes are ever read.

    requests reads bodies through `raw.stream()`; this replacement asks for no
    more than one byte past the limit, so memory stays bounded, and closes the
    connection instead of draining what is left.
    """

    def __init__(self, raw: Any, limit: int) -> None:
        self._raw = raw
        self.limit = limit
        self.truncated = False
        self.bytes_read = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)

    def stream(
        self, amt: int | None = _CHUNK, decode_content: bool | None = None
    ) -> Iterator[bytes]:
        """Yield body chunks until the end or the limit."""
        amt = amt or _CHUNK
        while not self.truncated:
            remaining = self.limit - self.bytes_read
            data = self._raw.read(amt=min(amt, remaining + 1), decode_content=decode_content)
            if not data:
                return
            if len(data) > remaining:
                data = data[:remaining]
                self.truncated = True
                self._raw.close()
            self.bytes_read += len(data)
            if data:
                yield data


def keep_dot_segments_encoded(url: str) -> str:
    """Re-encode the "." and ".." path segments that requests decoded from %2E.

    requests' `requote_uri` turns %2E back into "." (an unreserved character), so a path
    parameter whose value is ".." (sent as %2E%2E) would reach the server as a ".."
    segment, which it resolves: the call would go to another path. urllib3 has removed
    every literal dot segment while the request was prepared, so any left now came from
    %2E and is written that way again.
    """
    parts = urlsplit(url)
    segments = parts.path.split("/")
    if not any(segment in _DOT_SEGMENTS for segment in segments):
        return url
    path = "/".join(_DOT_SEGMENTS.get(segment, segment) for segment in segments)
    return urlunsplit(parts._replace(path=path))


class SafeAdapter(HTTPAdapter):
    """An HTTPAdapter that checks every request and pins every connection."""

    def __init__(self, policy: OutboundPolicy, **kwargs: Any) -> None:
        self.policy = policy
        # No retries: a retry would be invisible to the person pressing Send and
        # could repeat a non-idempotent call.
        super().__init__(max_retries=0, **kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        """Create the pool manager with pinned connection pools."""
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(_pool_classes(self.policy))

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        """Proxies are never used: the pinned connection would be to the proxy."""
        raise OutboundRefused("Outbound calls do not go through proxies.")

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: bool | str = True,
        cert: Any = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """Check the prepared request against the policy, then send it."""
        request.url = keep_dot_segments_encoded(request.url or "")
        check_url(self.policy, request.url)
        check_headers(
            {
                k: v if isinstance(v, str) else v.decode("latin-1")
                for k, v in request.headers.items()
            }
        )
        if proxies and any(proxies.values()):
            raise OutboundRefused("Outbound calls do not go through proxies.")
        if timeout is None:
            timeout = (self.policy.connect_timeout, self.policy.read_timeout)
        return super().send(
            request, stream=stream, timeout=timeout, verify=verify, cert=cert, proxies=proxies
        )

    def build_response(self, req: requests.PreparedRequest, resp: Any) -> requests.Response:
        """Build the response with a body reader capped at the policy's limit."""
        response = super().build_response(req, resp)
        response.raw = CappedBody(response.raw, self.policy.max_response_bytes)
        return response


class NoRedirects:
    """Session mix-in: never follow redirects, hand the 3xx back as it came."""

    def resolve_redirects(self, *args: Any, **kwargs: Any) -> Iterator[requests.Response]:
        """Follow nothing (a redirect could lead past the checks to another host)."""
        return iter(())


class SafeSession(NoRedirects, requests.Session):
    """A requests session that never follows redirects."""


def secure_session(session: requests.Session, adapter: SafeAdapter) -> requests.Session:
    """Make `session` go out only through `adapter`: no proxies, no env, no cookies kept."""
    session.trust_env = False  # no proxies or netrc credentials from the environment
    session.proxies.clear()
    session.cookies.set_policy(_NO_COOKIES)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def make_session(policy: OutboundPolicy) -> requests.Session:
    """A new session whose every request goes through a SafeAdapter for `policy`."""
    session = SafeSession()
    session.headers["User-Agent"] = "ue-console"
    return secure_session(session, SafeAdapter(policy))


def safe_adapter_of(session: requests.Session, url: str) -> SafeAdapter:
    """The SafeAdapter `session` uses for `url`; TypeError if it has none."""
    adapter = session.get_adapter(url)
    if not isinstance(adapter, SafeAdapter):
        raise TypeError("The session was not made by console.upstream.http.make_session.")
    return adapter


# ---------------------------------------------------------------- errors


def _causes(exc: BaseException) -> list[BaseException]:
    """`exc` and everything it wraps (args, reason, cause, context), breadth first."""
    seen: list[BaseException] = []
    queue: list[BaseException] = [exc]
    while queue:
        current = queue.pop(0)
        if any(current is s for s in seen):
            continue
        seen.append(current)
        linked = [getattr(current, "reason", None), current.__cause__, current.__context__]
        linked += list(current.args)
        queue += [e for e in linked if isinstance(e, BaseException)]
    return seen


def _first(causes: list[BaseException], kind: type[BaseException]) -> Any:
    return next((c for c in causes if isinstance(c, kind)), None)


def _connect_failure(causes: list[BaseException], target: Target) -> UpstreamError:
    errors = {
        errno.ECONNREFUSED: "connection refused",
        errno.ECONNRESET: "connection reset",
        errno.EHOSTUNREACH: "no route to host",
        errno.ENETUNREACH: "network unreachable",
    }
    os_error = next((c for c in causes if isinstance(c, OSError) and c.errno), None)
    if os_error is not None:
        what = errors.get(os_error.errno) or (os_error.strerror or "connection failed").lower()
    else:
        what = "connection failed"
    return UpstreamUnreachable(f"Could not connect to {target.netloc}: {what}.")


def translate_error(
    exc: BaseException, target: Target, policy: OutboundPolicy, *, during_body: bool = False
) -> UpstreamError:
    """Turn a requests/urllib3 exception into one of ours, with a sentence a person reads."""
    if isinstance(exc, UpstreamError):
        return exc
    causes = _causes(exc)
    if (refused := _first(causes, OutboundRefused)) is not None:
        return refused
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return UpstreamTimeout(
            f"Could not connect to {target.netloc} within {_seconds(policy.connect_timeout)} s."
        )
    if isinstance(exc, requests.exceptions.ReadTimeout) or (
        _first(causes, ReadTimeoutError) is not None
    ):
        if during_body:
            return UpstreamTimeout(
                f"{target.host} stopped sending for more than {_seconds(policy.read_timeout)} s; "
                "the answer was cut off."
            )
        return UpstreamTimeout(
            f"{target.host} did not answer within {_seconds(policy.read_timeout)} s."
        )
    if isinstance(exc, requests.exceptions.SSLError) or _first(causes, ssl.SSLError):
        verify = _first(causes, ssl.SSLCertVerificationError)
        detail = verify.verify_message if verify is not None else "the TLS handshake failed"
        return UpstreamUnreachable(
            f"Could not set up a secure connection to {target.netloc}: {detail}."
        )
    if _first(causes, NameResolutionError) is not None or _first(causes, socket.gaierror):
        return UpstreamUnreachable(f"Could not find {target.host}: the name does not resolve.")
    if _first(causes, DecodeError) is not None:
        return UpstreamError(f"The answer from {target.host} could not be decompressed.")
    if during_body or isinstance(exc, requests.exceptions.ChunkedEncodingError):
        reset = _first(causes, ConnectionResetError) is not None
        how = "the connection was reset" if reset else "the connection closed early"
        return UpstreamUnreachable(f"The answer from {target.host} was cut off: {how}.")
    if _first(causes, NewConnectionError) is not None:
        return _connect_failure(causes, target)
    if _first(causes, ProtocolError) is not None:
        return UpstreamUnreachable(f"{target.netloc} closed the connection without answering.")
    if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.InvalidSchema):
        return OutboundRefused("The URL is not valid.")
    if isinstance(exc, requests.exceptions.InvalidHeader):
        return OutboundRefused("A header name or value is not valid.")
    return UpstreamUnreachable(f"The call to {target.netloc} failed ({type(exc).__name__}).")


# ---------------------------------------------------------------- send


def send(
    policy: OutboundPolicy,
    *,
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes | None = None,
    session: requests.Session | None = None,
) -> UpstreamResponse:
    """Send one request under `policy` and return the answer, body capped, never redirected.

    `session`, if given, must come from `make_session(policy)` (it is reused for
    keep-alive); otherwise a session is made and closed for this call.
    """
    target = check_url(policy, url)
    check_headers(headers)
    if not _METHOD.fullmatch(method):
        raise OutboundRefused(f"{method!r} is not an HTTP method.")
    own_session = session is None
    session = session if session is not None else make_session(policy)
    try:
        adapter = safe_adapter_of(session, url)
        if adapter.policy != policy:
            raise ValueError("The session was made for a different outbound policy.")
        return _send(session, policy, target, method.upper(), url, headers, body)
    finally:
        if own_session:
            session.close()


def _send(
    session: requests.Session,
    policy: OutboundPolicy,
    target: Target,
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes | None,
) -> UpstreamResponse:
    started = time.perf_counter()
    try:
        response = session.request(
            method,
            url,
            headers=headers,
            data=body,
            stream=True,  # read below, at most max_response_bytes
            allow_redirects=False,
            timeout=(policy.connect_timeout, policy.read_timeout),
        )
    except requests.RequestException as exc:
        raise translate_error(exc, target, policy) from exc
    try:
        chunks = list(response.iter_content(_CHUNK))
    except (requests.RequestException, ProtocolError, ReadTimeoutError, OSError) as exc:
        raise translate_error(exc, target, policy, during_body=True) from exc
    finally:
        response.close()
    raw = response.raw
    return UpstreamResponse(
        status=response.status_code,
        reason=response.reason or "",
        headers=[(str(k), str(v)) for k, v in raw.headers.items()],
        body=b"".join(chunks),
        truncated=bool(getattr(raw, "truncated", False)),
        elapsed_ms=(time.perf_counter() - started) * 1000,
        url=response.url,
    )
