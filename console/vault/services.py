"""Use cases for environments and Application Access, and the one place secrets are opened."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from console.teams.models import Role
from console.teams.scoping import TeamScope
from console.upstream.errors import OutboundRefused
from console.upstream.http import UpstreamResponse, check_url
from console.upstream.tokens import CallTokenInfo, ClientCredentials, Token, describe_token
from console.vault import crypto
from console.vault.models import ApplicationAccess, Environment
from console.vault.token_store import default_broker, policy_from_settings, token_key


class VaultError(Exception):
    """A change the vault refuses, with a message for the person who asked."""


def _check_upstream_url(url: str, what: str) -> None:
    try:
        check_url(policy_from_settings(), url)
    except OutboundRefused as exc:
        raise VaultError(f"{what}: {exc.message}") from exc


def _validate_environment(env: Environment) -> None:
    _check_upstream_url(env.base_url, "Base URL")
    _check_upstream_url(env.effective_token_url, "Token URL")


def environment_save(*, scope: TeamScope, environment: Environment) -> Environment:
    """Create or update an environment after checking its URLs are allowed."""
    scope.require(Role.ADMIN)
    environment.team = scope.team
    _validate_environment(environment)
    try:
        with transaction.atomic():
            environment.save()
    except IntegrityError as exc:
        raise VaultError(f"There is already an environment named {environment.name!r}.") from exc
    return environment


def environment_delete(*, scope: TeamScope, environment: Environment) -> None:
    """Delete an environment that no Application Access uses any more."""
    scope.require(Role.ADMIN)
    try:
        environment.delete()
    except ProtectedError as exc:
        raise VaultError(
            "Application Access credentials still use this environment: delete them first."
        ) from exc


def access_create(
    *,
    scope: TeamScope,
    name: str,
    environment: Environment,
    client_id: str,
    client_secret: str,
) -> ApplicationAccess:
    """Store a new Application Access with its client ID and secret encrypted."""
    scope.require(Role.ADMIN)
    if environment.team_id != scope.team.pk:
        raise VaultError("No such environment.")
    access = ApplicationAccess(
        team=scope.team,
        name=name.strip(),
        environment=environment,
        created_by=scope.user,
        secret_updated_at=timezone.now(),
    )
    _set_client_id(access, client_id)
    access.client_secret_encrypted = crypto.encrypt(client_secret.strip())
    try:
        with transaction.atomic():
            access.save()
    except IntegrityError as exc:
        raise VaultError(f"There is already an Application Access named {name!r}.") from exc
    return access


def _set_client_id(access: ApplicationAccess, client_id: str) -> None:
    client_id = client_id.strip()
    access.client_id_encrypted = crypto.encrypt(client_id)
    access.client_id_hint = client_id[-4:]


def access_update(
    *,
    scope: TeamScope,
    access: ApplicationAccess,
    name: str,
    environment: Environment,
    client_id: str = "",
    client_secret: str = "",
) -> ApplicationAccess:
    """Rename, move or re-key an Application Access; blank credentials keep the stored ones.

    Any change of credentials or environment drops the cached tokens, since they
    were issued for the old ones.
    """
    scope.require(Role.ADMIN)
    if environment.team_id != scope.team.pk:
        raise VaultError("No such environment.")
    credentials_changed = bool(client_id.strip() or client_secret.strip())
    moved = environment.pk != access.environment_id
    access.name = name.strip()
    access.environment = environment
    if client_id.strip():
        _set_client_id(access, client_id)
    if client_secret.strip():
        access.client_secret_encrypted = crypto.encrypt(client_secret.strip())
        access.secret_updated_at = timezone.now()
    try:
        with transaction.atomic():
            access.save()
            if credentials_changed or moved:
                access.tokens.all().delete()
    except IntegrityError as exc:
        raise VaultError(f"There is already an Application Access named {name!r}.") from exc
    return access


def access_delete(*, scope: TeamScope, access: ApplicationAccess) -> None:
    """Delete an Application Access; history records keep its name."""
    scope.require(Role.ADMIN)
    access.delete()


def usable_accesses(scope: TeamScope) -> Any:
    """The Application Access credentials this member may send with."""
    if not scope.membership.can_send:
        return ApplicationAccess.objects.none()
    return scope.all(ApplicationAccess).filter(is_enabled=True).select_related("environment")


def _credentials(access: ApplicationAccess) -> ClientCredentials:
    """Decrypt the credentials: the only place the secret is opened, just before a token fetch."""
    env = access.environment
    try:
        return ClientCredentials(
            client_id=crypto.decrypt(access.client_id_encrypted),
            client_secret=crypto.decrypt(access.client_secret_encrypted),
            token_url=env.effective_token_url,
            audience=env.effective_audience,
        )
    except crypto.UndecryptableValue as exc:
        raise VaultError(
            f"The credentials of {access.name!r} cannot be decrypted: the key they were "
            "encrypted with is no longer configured. Replace the client ID and secret."
        ) from exc


def access_key(access: ApplicationAccess) -> str:
    """The token cache key of an Application Access (its id and audience)."""
    return token_key(access.pk, access.environment.effective_audience)


def access_token(access: ApplicationAccess) -> Token:
    """A valid token for `access`: the shared cached one, or a freshly fetched one."""
    return default_broker().get(access_key(access), lambda: _credentials(access))


def access_call(
    access: ApplicationAccess, do: Callable[[Token], UpstreamResponse]
) -> tuple[UpstreamResponse, CallTokenInfo]:
    """Run `do` with the shared token; on a 401 drop that token and retry once."""
    return default_broker().call(access_key(access), lambda: _credentials(access), do)


@dataclass(frozen=True)
class ConnectionCheck:
    """What a person needs to know about a token, and nothing secret."""

    audience: str
    expires_at: Any
    scopes: list[str]
    account_id: str
    subject: str
    fetch_ms: float
    was_cached: bool


def access_test(*, scope: TeamScope, access: ApplicationAccess) -> ConnectionCheck:
    """Get (or reuse) a token and describe it for display."""
    scope.require(Role.MEMBER)
    broker = default_broker()
    key = access_key(access)
    cached = broker.store.load(key)
    token = access_token(access)
    claims = describe_token(token.access_token)
    return ConnectionCheck(
        audience=str(claims.get("aud") or access.environment.effective_audience),
        expires_at=datetime.fromtimestamp(token.expires_at, tz=UTC),
        scopes=(token.scope or str(claims.get("scope", ""))).split(),
        account_id=str(claims.get("accountId", "")),
        subject=str(claims.get("sub", "")),
        fetch_ms=0.0 if cached is not None and cached == token else token.fetch_ms,
        was_cached=cached is not None and cached == token,
    )


def outbound_policy() -> Any:
    """The outbound policy for API calls of this console (see settings)."""
    return policy_from_settings()
