"""Exceptions raised by the outbound client and the token broker.

Every exception carries a `message` written for a person (safe to show on a page
or store in history: never a secret, never a token) and a short machine `kind`
that callers can branch on or record.
"""

from __future__ import annotations


class UpstreamError(Exception):
    """Something went wrong talking to an outside service."""

    kind = "upstream"

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(kind={self.kind!r}, message={self.message!r})"


class OutboundRefused(UpstreamError):
    """The request was not sent: the policy forbids it (host, address, scheme, header)."""

    kind = "refused"


class UpstreamTimeout(UpstreamError):
    """The other side did not accept the connection or answer in time."""

    kind = "timeout"


class UpstreamUnreachable(UpstreamError):
    """DNS failed, the connection was refused or reset, or TLS could not be set up."""

    kind = "unreachable"


class TokenError(UpstreamError):
    """The token endpoint did not give us a token.

    `status` is the HTTP status of the token endpoint's answer when there was one;
    `error` and `error_description` are the OAuth error fields it sent, which are
    meant for clients to show.
    """

    kind = "token_error"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        error: str | None = None,
        error_description: str | None = None,
    ) -> None:
        super().__init__(message, status=status)
        self.error = error
        self.error_description = error_description


class TokenRejected(TokenError):
    """The client ID or secret was refused (invalid_client, access_denied, HTTP 401)."""

    kind = "token_rejected"


class TokenAudienceRejected(TokenError):
    """The Application Access is not allowed to get tokens for this audience."""

    kind = "token_audience"


class TokenRateLimited(TokenError):
    """The token endpoint said 429; `retry_after` is in seconds when it said when."""

    kind = "token_rate_limited"

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        status: int | None = 429,
        error: str | None = None,
        error_description: str | None = None,
    ) -> None:
        super().__init__(message, status=status, error=error, error_description=error_description)
        self.retry_after = retry_after


class TokenServerError(TokenError):
    """The token endpoint failed on its side (HTTP 5xx)."""

    kind = "token_server_error"


class TokenBadResponse(TokenError):
    """The token endpoint answered, but not with a usable token."""

    kind = "token_bad_response"


class TokenLockTimeout(TokenError):
    """We waited too long for another request (maybe another process) fetching the token."""

    kind = "token_wait"
