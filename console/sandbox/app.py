"""The sandbox WSGI application: top-level routing, request logging and counters."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from console.sandbox.api import Api, error_response
from console.sandbox.config import SandboxConfig
from console.sandbox.oauth import JWKS_PATH, TOKEN_PATH, TokenEndpoint, TokenRequestRecord
from console.sandbox.openapi import build_openapi
from console.sandbox.ratelimit import TokenBucketLimiter
from console.sandbox.store import Store
from console.sandbox.tokens import TokenService
from console.sandbox.web import Request, Response, json_response, read_request

logger = logging.getLogger("console.sandbox")

OPENAPI_PATH = "/openapi.json"
INFO_PATHS = ("/", "/healthz")
# Percent-decoded paths may hold control characters; keep each log entry on one line.
_CONTROL = dict.fromkeys((*range(32), 127), "?")


def _loggable(path: str) -> str:
    """The path with control characters replaced, cut to a sane length."""
    return path.translate(_CONTROL)[:300]


class SandboxStats:
    """Counters tests read to check client behaviour (e.g. that tokens are reused)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._token_requests: list[TokenRequestRecord] = []
        self._api_requests = 0

    def record_token_request(self, record: TokenRequestRecord) -> None:
        """Remember one token request (names and flags only, never values)."""
        with self._lock:
            self._token_requests.append(record)

    def record_api_request(self) -> None:
        """Count one request to an API path."""
        with self._lock:
            self._api_requests += 1

    @property
    def token_requests(self) -> int:
        """How many requests reached the token endpoint, whatever their outcome."""
        with self._lock:
            return len(self._token_requests)

    @property
    def token_request_details(self) -> list[TokenRequestRecord]:
        """A copy of the recorded token requests, oldest first."""
        with self._lock:
            return list(self._token_requests)

    @property
    def api_requests(self) -> int:
        """How many requests reached API paths."""
        with self._lock:
            return self._api_requests

    def reset(self) -> None:
        """Forget everything counted so far."""
        with self._lock:
            self._token_requests.clear()
            self._api_requests = 0


class SandboxApp:
    """A WSGI callable that mimics the Usage Engine API for one in-memory account."""

    def __init__(self, config: SandboxConfig, base_url: str | None = None) -> None:
        """Build the app; `base_url` is the server's own URL when known (it fixes the audience)."""
        self.config = config
        self.base_url = base_url.rstrip("/") if base_url else None
        self.tokens = TokenService(config.issuer, config.account_id)
        self.limiter = TokenBucketLimiter(config.rate_per_second, config.burst)
        self.store = Store(config.account_id, config.run_seconds)
        self.api = Api(self.store, self.tokens)
        self.token_endpoint = TokenEndpoint(config, self.tokens, self.limiter)
        self.stats = SandboxStats()

    def audience_for(self, request_base_url: str | None = None) -> str:
        """The audience tokens must carry: configured, else the server's base URL plus "/".

        Without a known server URL (e.g. bound to 0.0.0.0) the URL the client used counts.
        """
        if self.config.audience:
            return self.config.audience
        base = self.base_url or request_base_url
        if not base:
            raise ValueError("The audience is not known until the server's base URL is.")
        return f"{base}/"

    def issue_token(
        self,
        client_id: str,
        *,
        audience: str | None = None,
        scopes: Iterable[str] | None = None,
        ttl: int | None = None,
    ) -> str:
        """Sign a token directly, bypassing the endpoint and its counters (tests only)."""
        client = self.config.client(client_id)
        granted = tuple(scopes) if scopes is not None else (client.scopes if client else ())
        issued = self.tokens.issue(
            client_id,
            audience or self.audience_for(),
            granted,
            self.config.token_ttl if ttl is None else ttl,
        )
        return issued.access_token

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        """Serve one WSGI request."""
        request = read_request(environ, self.config.max_body_bytes)
        try:
            response = self._dispatch(request)
        except Exception:
            logger.exception("sandbox error on %s %s", request.method, request.path)
            response = error_response(500, "internal_error", "The sandbox failed; see its log.")
        # One line per request; never the query string, headers or body (tokens, secrets).
        logger.info("%s %s %s", request.method, _loggable(request.path), response.status)
        headers = [*response.headers, ("Content-Length", str(len(response.body)))]
        start_response(response.status_line, headers)
        return [response.body]

    def _dispatch(self, request: Request) -> Response:
        path = request.path
        if path == TOKEN_PATH:
            response, record = self.token_endpoint.handle(
                request, self.audience_for(request.base_url)
            )
            self.stats.record_token_request(record)
            return response
        if self.api.owns(path):
            self.stats.record_api_request()
            return self.api.handle(request, self.audience_for(request.base_url))
        if path in (*INFO_PATHS, JWKS_PATH, OPENAPI_PATH) and request.method != "GET":
            return error_response(
                405,
                "method_not_allowed",
                f"{request.method} is not allowed on {path}; allowed: GET.",
                (("Allow", "GET"),),
            )
        if path in INFO_PATHS:
            return json_response(200, self._info(request))
        if path == JWKS_PATH:
            return json_response(200, self.tokens.jwks())
        if path == OPENAPI_PATH:
            # The servers entry follows the address the caller used to reach us.
            return json_response(200, build_openapi(request.base_url))
        return error_response(404, "not_found", f"No resource at {path}.")

    def _info(self, request: Request) -> dict[str, Any]:
        """A small self-description for `/` and `/healthz`."""
        base = request.base_url
        return {
            "service": "Usage Engine sandbox",
            "status": "ok",
            "description": "A local stand-in for the Usage Engine Cloud Edition API.",
            "audience": self.audience_for(base),
            "tokenUrl": base + TOKEN_PATH,
            "jwksUrl": base + JWKS_PATH,
            "openapiUrl": base + OPENAPI_PATH,
            "accountId": self.config.account_id,
            "tokenTtl": self.config.token_ttl,
            "rateLimit": {"perSecond": self.config.rate_per_second, "burst": self.config.burst},
        }
