"""Auth0-style RS256 access tokens: issuing, verifying and publishing the public key.

A fresh RSA key is generated for each sandbox instance, so a token from one sandbox is
never accepted by another (as a token from one Usage Engine environment is useless in
another).
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ALGORITHM = "RS256"
REQUIRED_CLAIMS = ("iss", "sub", "aud", "iat", "exp", "scope")


class TokenError(Exception):
    """An access token that must be refused; the message is safe to show to the caller."""


@dataclass(frozen=True)
class IssuedToken:
    """A signed access token with the claims it carries."""

    access_token: str
    claims: dict[str, Any]
    expires_in: int

    @property
    def scope(self) -> str:
        """The space-separated scope string, as the token response reports it."""
        return self.claims["scope"]


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class TokenService:
    """Signs tokens with a per-instance RSA key and checks tokens presented to the API."""

    def __init__(self, issuer: str, account_id: str, key_size: int = 2048) -> None:
        """Generate the signing key; `issuer` and `account_id` go into every token."""
        self.issuer = issuer
        self.account_id = account_id
        self._private_key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
        self._public_key = self._private_key.public_key()
        public_jwk = RSAAlgorithm.to_jwk(self._public_key, as_dict=True)
        # RFC 7638 thumbprint as the key id: stable for the key, nothing to configure.
        members = {k: public_jwk[k] for k in ("e", "kty", "n")}
        canonical = json.dumps(members, separators=(",", ":"), sort_keys=True).encode()
        self.kid = _b64url(hashlib.sha256(canonical).digest())
        self._jwk = {**members, "kid": self.kid, "use": "sig", "alg": ALGORITHM}

    def issue(
        self,
        client_id: str,
        audience: str,
        scopes: Iterable[str],
        ttl: int,
        now: float | None = None,
    ) -> IssuedToken:
        """Sign a client-credentials access token for `client_id`, valid for `ttl` seconds."""
        issued_at = int(time.time() if now is None else now)
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": f"{client_id}@clients",
            "aud": audience,
            "iat": issued_at,
            "exp": issued_at + ttl,
            "scope": " ".join(scopes),
            "accountId": self.account_id,
            "azp": client_id,
            "gty": "client-credentials",
            "jti": uuid.uuid4().hex,
        }
        token = jwt.encode(
            claims, self._private_key, algorithm=ALGORITHM, headers={"kid": self.kid}
        )
        return IssuedToken(access_token=token, claims=claims, expires_in=ttl)

    def verify(self, token: str, audience: str) -> dict[str, Any]:
        """Return the claims of a valid token for `audience`, or raise TokenError saying why."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.DecodeError as exc:
            raise TokenError("The access token is malformed.") from exc
        if header.get("alg") != ALGORITHM:
            raise TokenError(f"The access token must be signed with {ALGORITHM}.")
        if header.get("kid") not in (None, self.kid):
            raise TokenError("The access token was signed by an unknown key.")
        try:
            claims = jwt.decode(
                token,
                self._public_key,
                algorithms=[ALGORITHM],
                audience=audience,
                issuer=self.issuer,
                options={"require": list(REQUIRED_CLAIMS)},
            )
        except jwt.ExpiredSignatureError as exc:
            raise TokenError("The access token has expired.") from exc
        except jwt.InvalidSignatureError as exc:
            raise TokenError("The access token signature is not valid.") from exc
        except jwt.InvalidAudienceError as exc:
            raise TokenError(f"The access token is not valid for the audience {audience}.") from exc
        except jwt.InvalidIssuerError as exc:
            raise TokenError("The access token was issued by another issuer.") from exc
        except jwt.MissingRequiredClaimError as exc:
            raise TokenError(f"The access token lacks the {exc.claim!r} claim.") from exc
        except jwt.DecodeError as exc:
            raise TokenError("The access token is malformed.") from exc
        except jwt.InvalidTokenError as exc:
            raise TokenError("The access token is not valid.") from exc
        if not isinstance(claims.get("scope"), str):
            raise TokenError("The access token has no valid scope claim.")
        return claims

    def jwks(self) -> dict[str, Any]:
        """The JSON Web Key Set that publishes the public key."""
        return {"keys": [dict(self._jwk)]}
