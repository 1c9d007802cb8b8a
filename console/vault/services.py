"""Use cases for environments and Application Access, and the one place secrets are opened."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from console.history.audit import audit_record
from console.history.models import AuditAction
from console.teams.models import Role
from console.teams.scoping import TeamScope
from console.upstream.errors import OutboundRefused, UpstreamError
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
    admins_only: bool = False,
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
        admins_only=admins_only,
    )
    _set_client_id(access, client_id)
    access.client_secret_encrypted = crypto.encrypt(client_secret.strip())
    try:
        with transaction.atomic():
            access.save()
            _audit(scope, AuditAction.CREATED, access, restricted=admins_only)
    except IntegrityError as exc:
        raise VaultError(f"There is already an Application Access named {name!r}.") from exc
    return access


def _audit(scope: TeamScope, action: AuditAction, access: ApplicationAccess, **detail: Any) -> None:
    audit_record(team=scope.team, user=scope.user, action=action, access=access, **detail)


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
    admins_only: bool | None = None,
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
    changed = [
        label
        for label, differs in [
            ("name", access.name != name.strip()),
            ("environment", moved),
            ("client ID", bool(client_id.strip())),
            ("admins only", admins_only is not None and admins_only != access.admins_only),
        ]
        if differs
    ]
    if admins_only is not None:
        access.admins_only = admins_only
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
                forget_tokens(access)
            if changed:
                _audit(scope, AuditAction.CHANGED, access, fields=changed)
            if client_secret.strip():
                _audit(scope, AuditAction.SECRET_REPLACED, access)
    except IntegrityError as exc:
        raise VaultError(f"There is already an Application Access named {name!r}.") from exc
    return access


@transaction.atomic
def access_delete(*, scope: TeamScope, access: ApplicationAccess) -> None:
    """Delete an Application Access; history records and events keep its name."""
    scope.require(Role.ADMIN)
    _audit(scope, AuditAction.DELETED, access)
    access.delete()


@transaction.atomic
def access_set_enabled(*, scope: TeamScope, access: ApplicationAccess, enabled: bool) -> None:
    """Disable (no one can send with it; its cached token is dropped) or enable again."""
    scope.require(Role.ADMIN)
    if access.is_enabled == enabled:
        return
    access.is_enabled = enabled
    access.save(update_fields=["is_enabled", "updated_at"])
    if not enabled:
        forget_tokens(access)
    _audit(scope, AuditAction.ENABLED if enabled else AuditAction.DISABLED, access)


def access_refusal(scope: TeamScope, access: ApplicationAccess) -> str | None:
    """Why this member may not send with `access`, in words; None when they may."""
    if not scope.membership.can_send:
        return "Viewers cannot send calls."
    if not access.is_enabled:
        return f"{access.name} is disabled; an admin can enable it again."
    if access.admins_only and not scope.membership.has_role(Role.ADMIN):
        return f"{access.name} is restricted to admins and owners."
    return None


def usable_accesses(scope: TeamScope) -> Any:
    """The Application Access credentials this member may send with."""
    if not scope.membership.can_send:
        return ApplicationAccess.objects.none()
    accesses = scope.all(ApplicationAccess).filter(is_enabled=True)
    if not scope.membership.has_role(Role.ADMIN):
        accesses = accesses.filter(admins_only=False)
    return accesses.select_related("environment")


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


def forget_tokens(access: ApplicationAccess) -> None:
    """Drop the cached tokens of `access` and start a new token generation.

    For every change the tokens were not issued for (new credentials, another
    environment, disabling). No process then uses a token it holds in memory, nor one
    fetched with the old credentials and saved after this.
    """
    access.tokens_reset_at = timezone.now()
    access.save(update_fields=["tokens_reset_at", "updated_at"])
    access.tokens.all().delete()


def token_generation(access: ApplicationAccess) -> str:
    """The generation of the tokens of `access`: when its cached tokens were last dropped.

    The broker's per-process memo and the database cache hand a token out only to
    callers of the generation it was fetched under. The row is read afresh for every
    request, so a change made by another process is seen on this process's next call.
    A change that keeps the credentials (a rename, admins only) keeps the tokens.
    """
    return access.tokens_reset_at.isoformat()


def access_token(access: ApplicationAccess) -> Token:
    """A valid token for `access`: the shared cached one, or a freshly fetched one."""
    return default_broker().get(
        access_key(access), lambda: _credentials(access), generation=token_generation(access)
    )


def access_call(
    access: ApplicationAccess,
    do: Callable[[Token], UpstreamResponse],
    *,
    scope: TeamScope | None = None,
) -> tuple[UpstreamResponse, CallTokenInfo]:
    """Run `do` with the shared token; on a 401 drop that token and retry once.

    When this call had to fetch the token, the fetch is recorded as an audit event; so is
    a token request that failed (refused credentials, an unreachable token endpoint).
    """
    # An error `do` raised is the API call's; any other came from getting the token.
    call_errors: list[BaseException] = []

    def calling(token: Token) -> UpstreamResponse:
        try:
            return do(token)
        except BaseException as exc:
            call_errors.append(exc)
            raise

    started = time.perf_counter()
    try:
        response, info = default_broker().call(
            access_key(access),
            lambda: _credentials(access),
            calling,
            generation=token_generation(access),
        )
    except (UpstreamError, VaultError) as exc:
        if scope is not None and exc not in call_errors:
            _audit_failure(scope, AuditAction.TOKEN_FAILED, access, exc, started)
        raise
    if not info.cached and scope is not None:
        _audit_fetch(scope, access, info.expires_at, info.token_ms, retried=info.retried)
    return response, info


def _audit_failure(
    scope: TeamScope,
    action: AuditAction,
    access: ApplicationAccess,
    exc: UpstreamError | VaultError,
    started: float,
) -> None:
    """Record a failed token request or connection test with its reason (never a secret:
    the errors' messages are written to be shown and stored)."""
    detail: dict[str, Any] = {
        "reason": getattr(exc, "message", str(exc)),
        "kind": getattr(exc, "kind", "vault"),
        "ms": round((time.perf_counter() - started) * 1000),
    }
    if getattr(exc, "status", None):
        detail["status"] = exc.status  # type: ignore[union-attr]
    _audit(scope, action, access, **detail)


def _audit_fetch(
    scope: TeamScope, access: ApplicationAccess, expires_at: float, ms: float, **extra: Any
) -> None:
    expires = datetime.fromtimestamp(expires_at, tz=UTC).isoformat(timespec="seconds")
    _audit(scope, AuditAction.TOKEN_FETCHED, access, expires=expires, ms=round(ms), **extra)


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


def _masked_subject(subject: str, access: ApplicationAccess) -> str:
    """The token's subject (`<client id>@clients`) with the client ID masked like elsewhere."""
    client_id, at, rest = subject.partition("@")
    if client_id and client_id[-4:] == access.client_id_hint:
        return access.masked_client_id + at + rest
    return subject


def access_test(*, scope: TeamScope, access: ApplicationAccess) -> ConnectionCheck:
    """Get (or reuse) a token and describe it for display; the test itself is audited,
    a failed one too (with the reason)."""
    scope.require(Role.MEMBER)
    started = time.perf_counter()
    try:
        token, fetched = default_broker().obtain(
            access_key(access), lambda: _credentials(access), generation=token_generation(access)
        )
    except (UpstreamError, VaultError) as exc:
        _audit_failure(scope, AuditAction.TEST_FAILED, access, exc, started)
        raise
    elapsed_ms = (time.perf_counter() - started) * 1000
    if fetched:
        _audit_fetch(scope, access, token.expires_at, elapsed_ms)
    claims = describe_token(token.access_token)
    check = ConnectionCheck(
        audience=str(claims.get("aud") or access.environment.effective_audience),
        expires_at=datetime.fromtimestamp(token.expires_at, tz=UTC),
        scopes=(token.scope or str(claims.get("scope", ""))).split(),
        account_id=str(claims.get("accountId", "")),
        subject=_masked_subject(str(claims.get("sub", "")), access),
        fetch_ms=elapsed_ms,
        was_cached=not fetched,
    )
    _audit(scope, AuditAction.TESTED, access, reused=not fetched, ms=round(elapsed_ms))
    return check


def outbound_policy() -> Any:
    """The outbound policy for API calls of this console (see settings)."""
    return policy_from_settings()
