"""The provider's OpenID Connect metadata (its discovery document), fetched and cached.

mozilla-django-oidc takes each endpoint as a setting; the console asks for an issuer or a
discovery URL only, reads the endpoints from the provider's
`/.well-known/openid-configuration`, and keeps them for an hour per process.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import requests
from django.conf import settings

CACHE_SECONDS = 3600
_lock = threading.Lock()
_cached: tuple[float, ProviderMetadata] | None = None


class SsoUnavailable(Exception):
    """The provider's metadata could not be read (down, unreachable, or not a provider)."""


@dataclass(frozen=True)
class ProviderMetadata:
    """The endpoints and issuer of the configured provider."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_uri: str
    end_session_endpoint: str = ""


def _fetch() -> ProviderMetadata:
    url = settings.OIDC_DISCOVERY_URL
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
        metadata = ProviderMetadata(
            issuer=str(document["issuer"]).rstrip("/"),
            authorization_endpoint=document["authorization_endpoint"],
            token_endpoint=document["token_endpoint"],
            userinfo_endpoint=document["userinfo_endpoint"],
            jwks_uri=document["jwks_uri"],
            end_session_endpoint=document.get("end_session_endpoint", ""),
        )
    except requests.RequestException as exc:
        raise SsoUnavailable(f"{url} did not answer ({type(exc).__name__})") from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise SsoUnavailable(f"{url} is not an OpenID Connect discovery document") from exc
    if settings.OIDC_ISSUER and metadata.issuer != settings.OIDC_ISSUER:
        # OpenID Connect Discovery 1.0, 4.3: the issuer must be the one configured.
        raise SsoUnavailable(
            f"{url} names the issuer {metadata.issuer!r}, not OIDC_ISSUER {settings.OIDC_ISSUER!r}"
        )
    return metadata


def provider_metadata(*, fresh: bool = False) -> ProviderMetadata:
    """The provider's metadata, from the cache unless it is older than an hour (or
    `fresh`). Raises SsoUnavailable, which the sign-in page shows in words."""
    global _cached
    with _lock:
        if not fresh and _cached is not None and time.monotonic() - _cached[0] < CACHE_SECONDS:
            return _cached[1]
        metadata = _fetch()
        _cached = (time.monotonic(), metadata)
        return metadata


def forget_metadata() -> None:
    """Drop the cached metadata (tests, or after the provider moved)."""
    global _cached
    with _lock:
        _cached = None
