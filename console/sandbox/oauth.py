"""The token endpoint: OAuth 2.0 client-credentials grant, answered like Auth0 answers it.

Credentials must come in the body (client_secret_post), the audience must be the
sandbox's own, there is no refresh token, and requests are rate limited per client.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from console.sandbox.config import ALL_SCOPES, SandboxConfig
from console.sandbox.ratelimit import TokenBucketLimiter, retry_after_seconds
from console.sandbox.tokens import TokenService
from console.sandbox.web import Request, Response, json_response

TOKEN_PATH = "/authentication/v1/oauth/token"
JWKS_PATH = "/.well-known/jwks.json"
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
_REQUIRED = ("grant_type", "client_id", "client_secret", "audience")


@dataclass(frozen=True)
class TokenRequestRecord:
    """What a token request looked like, minus anything secret (tests assert on it)."""

    content_type: str
    fields: tuple[str, ...]  # parameter names only, sorted; never values
    has_authorization: bool
    authorization_scheme: str | None
    client_id: str | None
    status: int
    error: str | None


def oauth_error(
    status: int, error: str, description: str, headers: list[tuple[str, str]] | tuple = ()
) -> Response:
    """An RFC 6749 error response: {"error": ..., "error_description": ...}."""
    return json_response(status, {"error": error, "error_description": description}, headers)


class _BadBody(ValueError):
    """The token request body could not be read as parameters."""


def _parse_body(request: Request) -> dict[str, Any]:
    """Read the token request parameters from a form or JSON body."""
    if not request.body:
        return {}
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _BadBody("The request body is not UTF-8.") from exc
    if request.content_type == FORM:
        parsed = parse_qs(text, keep_blank_values=True)
        repeated = sorted(name for name, values in parsed.items() if len(values) > 1)
        if repeated:
            # RFC 6749 section 3.2: parameters must not be included more than once.
            raise _BadBody(f"Parameter(s) given more than once: {', '.join(repeated)}.")
        return {name: values[0] for name, values in parsed.items()}
    if request.content_type == JSON:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise _BadBody(f"The request body is not valid JSON: {exc.msg}.") from exc
        if not isinstance(data, dict):
            raise _BadBody("The request body must be a JSON object.")
        return data
    raise _BadBody(f"Send the parameters as {FORM} (or {JSON}).")


class TokenEndpoint:
    """Answers POST /authentication/v1/oauth/token."""

    def __init__(
        self, config: SandboxConfig, tokens: TokenService, limiter: TokenBucketLimiter
    ) -> None:
        """Use `config` for clients and ttl, `tokens` to sign, `limiter` per client id."""
        self.config = config
        self.tokens = tokens
        self.limiter = limiter

    def handle(self, request: Request, audience: str) -> tuple[Response, TokenRequestRecord]:
        """Answer one token request; also return a secret-free record of it."""
        authorization = request.headers.get("authorization", "")
        scheme = authorization.split(" ", 1)[0].lower() if authorization.strip() else None
        try:
            params = _parse_body(request)
            bad_body = None
        except _BadBody as exc:
            params, bad_body = {}, str(exc)
        client_id = params.get("client_id") if isinstance(params.get("client_id"), str) else None
        response = self._answer(request, audience, params, bad_body, scheme, authorization)
        error = None
        if response.status >= 400:
            error = json.loads(response.body).get("error")
        record = TokenRequestRecord(
            content_type=request.content_type,
            fields=tuple(sorted(str(k) for k in params)),
            has_authorization=bool(authorization.strip()),
            authorization_scheme=scheme,
            client_id=client_id,
            status=response.status,
            error=error,
        )
        return response, record

    def _rate_limit_key(self, request: Request, params: dict[str, Any], authorization: str) -> str:
        """Limit per client id (body first, then a Basic header), else per address."""
        client_id = params.get("client_id")
        if isinstance(client_id, str) and client_id:
            return f"client:{client_id}"
        if authorization.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
                return f"client:{decoded.split(':', 1)[0]}"
            except (binascii.Error, UnicodeDecodeError):
                pass
        return f"addr:{request.remote_addr}"

    def _answer(
        self,
        request: Request,
        audience: str,
        params: dict[str, Any],
        bad_body: str | None,
        scheme: str | None,
        authorization: str,
    ) -> Response:
        if request.method != "POST":
            return oauth_error(
                405, "method_not_allowed", "Use POST for the token endpoint.", [("Allow", "POST")]
            )
        if request.body_too_large:
            return oauth_error(413, "request_too_large", "The request body is too large.")

        # Rate limiting comes before any credential check, so guessing secrets is limited too.
        wait = self.limiter.try_acquire(self._rate_limit_key(request, params, authorization))
        if wait > 0:
            retry = retry_after_seconds(wait)
            return oauth_error(
                429,
                "too_many_requests",
                f"Too many token requests for this client: at most "
                f"{self.config.rate_per_second:g} per second, burst {self.config.burst}. "
                f"Retry after {retry} s, and reuse tokens until they expire.",
                [("Retry-After", str(retry))],
            )
        if bad_body is not None:
            return oauth_error(400, "invalid_request", bad_body)

        if scheme == "basic":
            # The real service authenticates clients by body parameters only.
            return oauth_error(
                401,
                "invalid_client",
                "HTTP Basic client authentication is not supported: send client_id and "
                "client_secret in the request body (client_secret_post).",
            )

        not_strings = sorted(
            k for k in (*_REQUIRED, "scope") if k in params and not isinstance(params[k], str)
        )
        if not_strings:
            return oauth_error(
                400, "invalid_request", f"Parameter(s) must be strings: {', '.join(not_strings)}."
            )
        grant_type = params.get("grant_type", "")
        if grant_type and grant_type != "client_credentials":
            return oauth_error(
                400, "unsupported_grant_type", f"Unsupported grant type: {grant_type}"
            )
        missing = [name for name in _REQUIRED if not params.get(name)]
        if missing:
            return oauth_error(
                400, "invalid_request", f"Missing required parameter(s): {', '.join(missing)}"
            )

        client = self.config.client(params["client_id"])
        # One answer for an unknown client and a wrong secret: no probing for valid ids.
        if client is None or not _same(client.client_secret, params["client_secret"]):
            return oauth_error(
                401,
                "invalid_client",
                "Client authentication failed: unknown client or wrong secret.",
            )
        if params["audience"] != audience:
            return oauth_error(
                403, "access_denied", f"Service not enabled within domain: {params['audience']}"
            )

        granted = client.scopes
        requested = params.get("scope", "").split()
        if requested:
            refused = [s for s in requested if s not in client.scopes]
            if refused:
                return oauth_error(
                    403, "access_denied", f"Client has not been granted scopes: {' '.join(refused)}"
                )
            granted = tuple(s for s in ALL_SCOPES if s in requested)

        issued = self.tokens.issue(client.client_id, audience, granted, self.config.token_ttl)
        # No refresh_token: the client-credentials grant never returns one.
        return json_response(
            200,
            {
                "access_token": issued.access_token,
                "scope": issued.scope,
                "expires_in": issued.expires_in,
                "token_type": "Bearer",
            },
        )


def _same(expected: str, given: str) -> bool:
    """Constant-time string comparison, so response timing does not leak the secret."""
    return hmac.compare_digest(expected.encode(), given.encode())
