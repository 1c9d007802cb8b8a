"""mozilla-django-oidc's authentication backend, configured from the provider's discovery
document, with the checks the console needs on top of the library's (which verifies the
ID token's signature, its expiry and the nonce):

- the ID token's issuer is the provider's and its audience names this client;
- userinfo speaks of the same subject as the ID token;
- an email address outside OIDC_ALLOWED_EMAIL_DOMAINS, or not confirmed by the provider
  where a domain rule applies, is refused;
- a person is found by their provider account (issuer and subject) first, then by a
  *verified* email address of exactly one existing account, never by an unverified one;
- a disabled account stays out.

A refusal sets `request.console_sso_failure`, which the callback shows on the sign-in page.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from console.core.sessions import end_sessions
from console.history.audit import team_events_for_user
from console.history.models import TeamEventAction
from console.sso.discovery import provider_metadata
from console.sso.models import SsoIdentity
from console.sso.roles import apply_team_roles

log = logging.getLogger(__name__)


class SsoRefused(Exception):
    """A sign-in the console's rules refuse; its message is for the person. Not a
    SuspiciousOperation, which the library catches and turns into a bare None."""


def _email_verified(claims: dict[str, Any]) -> bool:
    verified = claims.get("email_verified")
    if isinstance(verified, str):
        verified = verified.lower() == "true"  # some providers send the JSON as text
    return verified is True or settings.CONSOLE_SSO_TRUST_EMAIL


def _label() -> str:
    return settings.CONSOLE_SSO_LABEL


class OidcBackend(OIDCAuthenticationBackend):
    """Signs in with the provider's answer to the authorization code flow."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Django builds every backend for every sign-in, passwords too: read nothing here
        # (the library's constructor insists on endpoint settings); see `authenticate`.
        self.UserModel = get_user_model()
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None

    def authenticate(self, request: Any, **kwargs: Any) -> Any:
        """Only the callback's call (it passes the nonce) exchanges a code."""
        if request is None or "nonce" not in kwargs:
            return None
        metadata = provider_metadata()
        self.issuer = metadata.issuer
        self.OIDC_OP_TOKEN_ENDPOINT = metadata.token_endpoint
        self.OIDC_OP_USER_ENDPOINT = metadata.userinfo_endpoint
        self.OIDC_OP_JWKS_ENDPOINT = metadata.jwks_uri
        try:
            return super().authenticate(request, **kwargs)
        except SsoRefused as exc:
            request.console_sso_failure = str(exc)
            return None

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        """The library's checks (signature, expiry, nonce), then issuer and audience."""
        payload = super().verify_token(token, **kwargs)
        if str(payload.get("iss", "")).rstrip("/") != self.issuer:
            raise SuspiciousOperation("The ID token was issued by another issuer.")
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("The ID token is not meant for this client.")
        self.id_token_subject = str(payload.get("sub", ""))
        return payload

    def get_userinfo(self, access_token: str, id_token: str, payload: dict) -> dict[str, Any]:
        """The provider's userinfo, which must be about the ID token's subject."""
        claims = super().get_userinfo(access_token, id_token, payload)
        if str(claims.get("sub", "")) != str(payload.get("sub", "")):
            raise SuspiciousOperation("Userinfo speaks of another subject than the ID token.")
        return claims

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        """An email address, and one of the allowed domains when a rule is set."""
        email = str(claims.get("email") or "").strip()
        if not email or "@" not in email:
            raise SsoRefused(
                f"{_label()} did not tell the console your email address; ask your "
                "administrator to release the email claim to the console."
            )
        allowed = settings.CONSOLE_SSO_ALLOWED_DOMAINS
        if allowed:
            domain = email.rsplit("@", 1)[1].lower()
            if domain not in allowed:
                raise SsoRefused(
                    f"The address {email} is not one this console accepts: sign in with an "
                    f"account at {', '.join(allowed)}."
                )
            if not _email_verified(claims):
                raise SsoRefused(
                    f"{_label()} has not confirmed that {email} is yours, so the console "
                    "cannot accept it."
                )
        return True

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        """The user linked to this provider account, else the one account with this
        verified email address; an unverified address matches nobody."""
        linked = SsoIdentity.objects.filter(issuer=self.issuer, subject=str(claims["sub"]))
        users = self.UserModel.objects.filter(pk__in=linked.values("user_id"))
        if users.exists():
            return users
        email = claims["email"].strip()
        same_email = self.UserModel.objects.filter(email__iexact=email)
        if not _email_verified(claims):
            if same_email.exists():
                raise SsoRefused(
                    f"An account with {email} exists, but {_label()} has not confirmed the "
                    "address is yours, so the console cannot sign you in to it."
                )
            return self.UserModel.objects.none()
        if same_email.count() > 1:
            raise SsoRefused(
                f"Several accounts use {email}; ask an operator of the console to merge them."
            )
        return same_email

    def create_user(self, claims: dict[str, Any]) -> Any:
        """A new account named after the provider's user name or email address."""
        user = self.UserModel.objects.create_user(
            _free_username(claims),
            email=claims["email"].strip(),
            first_name=str(claims.get("given_name") or claims.get("name") or "")[:150],
            last_name=str(claims.get("family_name") or "")[:150],
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
        return self.update_user(user, claims)

    def update_user(self, user: Any, claims: dict[str, Any]) -> Any:
        """Link the provider account (taking over an account found by email) and bring
        team roles in line with the groups; a disabled account is refused."""
        if not user.is_active:
            team_events_for_user(
                user=user,
                actor="",
                action=TeamEventAction.SIGN_IN_FAILED,
                request=getattr(self, "request", None),
                reason="account disabled (single sign-on)",
            )
            raise SsoRefused(
                f"The console account {user.get_username()} is disabled, so signing in with "
                f"{_label()} cannot open it. Ask an owner of your team or an operator."
            )
        return self._link(user, claims)

    @transaction.atomic
    def _link(self, user: Any, claims: dict[str, Any]) -> Any:
        identity, created = SsoIdentity.objects.get_or_create(
            issuer=self.issuer,
            subject=str(claims["sub"]),
            defaults={"user": user, "email": claims["email"].strip()},
        )
        if created and user.has_usable_password() and not user.is_superuser:
            # An account found by email could have been made by someone else (an accepted
            # invitation, an admin): from now on only the provider opens it. (Operators
            # keep their password: it is their way in when the provider is down.)
            user.set_unusable_password()
            user.save(update_fields=["password"])
            end_sessions(user)
            log.info("Single sign-on took over the account %s.", user.pk)
        identity.email = claims["email"].strip()
        identity.last_used_at = timezone.now()
        identity.save(update_fields=["email", "last_used_at"])
        apply_team_roles(user, claims, getattr(self, "request", None))
        return user


def _free_username(claims: dict[str, Any]) -> str:
    """A user name not taken yet, from preferred_username or the email's local part."""
    base = str(claims.get("preferred_username") or claims["email"].split("@")[0])
    base = re.sub(r"[^\w.@+-]", "", base)[:140] or "user"
    users = get_user_model().objects
    name, n = base, 2
    while users.filter(username=name).exists():
        name, n = f"{base}-{n}", n + 1
    return name
