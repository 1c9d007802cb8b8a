"""The process memo in front of the database token cache, through the vault's services.

A warm call reads no CachedToken row; anything that drops cached tokens (a new
secret, here or in another process; disabling and enabling) also makes the memo's
token unusable, so the next call fetches with the current credentials. Real sandbox,
real database.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from console.upstream.errors import TokenRejected
from console.upstream.http import send
from console.upstream.tokens import Token
from console.vault import crypto, services
from console.vault.models import ApplicationAccess, CachedToken
from console.vault.token_store import clear_token_memo
from tests.conftest import SANDBOX_SECRET

API_PATH = "/metering/v1/meter-types"
WRONG_SECRET = "not-the-secret-the-sandbox-knows-41"  # only ever sent to the test sandbox


def _fresh(access: ApplicationAccess) -> ApplicationAccess:
    """The row as the next request reads it."""
    return ApplicationAccess.objects.select_related("environment").get(pk=access.pk)


def _call(access: ApplicationAccess, sandbox, used: list[str] | None = None):
    """One Send's worth of `access_call` against the sandbox's API."""
    policy = services.outbound_policy()

    def do(token: Token):
        if used is not None:
            used.append(token.access_token)
        return send(
            policy,
            method="GET",
            url=sandbox.url + API_PATH,
            headers={"Authorization": token.authorization},
        )

    return services.access_call(access, do)


def _token_queries(captured: CaptureQueriesContext) -> list[str]:
    table = CachedToken._meta.db_table
    return [q["sql"] for q in captured.captured_queries if table in q["sql"]]


def test_a_warm_call_reads_no_cached_token_row(access, sandbox):
    with CaptureQueriesContext(connection) as cold:
        response, info = _call(_fresh(access), sandbox)
    assert (response.status, info.cached) == (200, False)
    assert _token_queries(cold)  # the first call reads and writes the database cache

    before = sandbox.token_requests
    with CaptureQueriesContext(connection) as warm:
        response, info = _call(_fresh(access), sandbox)
    assert (response.status, info.cached) == (200, True)
    assert _token_queries(warm) == []
    assert sandbox.token_requests == before


def test_a_warm_connection_test_reads_no_cached_token_row(member, access):
    services.access_test(scope=member.scope, access=_fresh(access))
    with CaptureQueriesContext(connection) as warm:
        check = services.access_test(scope=member.scope, access=_fresh(access))
    assert check.was_cached
    assert _token_queries(warm) == []


def _replace_secret(admin, access, secret: str) -> None:
    current = _fresh(access)
    services.access_update(
        scope=admin.scope,
        access=current,
        name=current.name,
        environment=current.environment,
        client_secret=secret,
    )


def test_a_secret_replaced_in_this_process_is_used_on_the_next_call(admin, access, sandbox):
    _call(_fresh(access), sandbox)
    _replace_secret(admin, access, WRONG_SECRET)
    before = sandbox.token_requests
    # The memo still holds a token the sandbox accepts; it must not be used.
    with pytest.raises(TokenRejected):
        _call(_fresh(access), sandbox)
    assert sandbox.token_requests == before + 1

    _replace_secret(admin, access, SANDBOX_SECRET)
    response, info = _call(_fresh(access), sandbox)
    assert (response.status, info.cached) == (200, False)
    assert sandbox.token_requests == before + 2


def test_a_secret_replaced_by_another_process_is_used_on_the_next_call(access, sandbox):
    first: list[str] = []
    _call(_fresh(access), sandbox, first)
    # What access_update does, from a process whose memo this is not: a new secret,
    # a new token generation, and the cached tokens gone.
    ApplicationAccess.objects.filter(pk=access.pk).update(
        client_secret_encrypted=crypto.encrypt(WRONG_SECRET), tokens_reset_at=timezone.now()
    )
    CachedToken.objects.filter(access_id=access.pk).delete()
    before = sandbox.token_requests
    with pytest.raises(TokenRejected):
        _call(_fresh(access), sandbox)
    assert sandbox.token_requests == before + 1

    ApplicationAccess.objects.filter(pk=access.pk).update(
        client_secret_encrypted=crypto.encrypt(SANDBOX_SECRET), tokens_reset_at=timezone.now()
    )
    second: list[str] = []
    response, info = _call(_fresh(access), sandbox, second)
    assert (response.status, info.cached) == (200, False)
    assert second != first
    assert sandbox.token_requests == before + 2


def test_disabling_still_refuses_and_enabling_fetches_a_new_token(admin, member, access, sandbox):
    first: list[str] = []
    _call(_fresh(access), sandbox, first)
    services.access_set_enabled(scope=admin.scope, access=_fresh(access), enabled=False)
    assert services.access_refusal(member.scope, _fresh(access)) == (
        "Sandbox app is disabled; an admin can enable it again."
    )
    assert not CachedToken.objects.filter(access_id=access.pk).exists()

    services.access_set_enabled(scope=admin.scope, access=_fresh(access), enabled=True)
    assert services.access_refusal(member.scope, _fresh(access)) is None
    before = sandbox.token_requests
    second: list[str] = []
    response, info = _call(_fresh(access), sandbox, second)
    assert (response.status, info.cached) == (200, False)
    assert second != first
    assert sandbox.token_requests == before + 1


def test_a_token_fetched_with_old_credentials_and_saved_after_the_change_is_never_used(
    admin, access, sandbox
):
    """The race: a request read the access, the secret was replaced (emptying the cache),
    then that request's fetch, made with the old secret, saved its token."""
    stale = _fresh(access)
    _replace_secret(admin, access, WRONG_SECRET)
    assert not CachedToken.objects.filter(access_id=access.pk).exists()
    services.access_token(stale)  # fetched with the old secret
    assert CachedToken.objects.filter(access_id=access.pk).exists()  # and saved
    before = sandbox.token_requests

    used: list[str] = []
    with pytest.raises(TokenRejected):  # the new secret is what the sandbox refuses
        _call(_fresh(access), sandbox, used)
    assert used == []  # the old credentials' token was not sent either
    assert sandbox.token_requests == before + 1


def test_a_rename_keeps_the_cached_token(admin, access, sandbox):
    first: list[str] = []
    _call(_fresh(access), sandbox, first)
    current = _fresh(access)
    services.access_update(
        scope=admin.scope, access=current, name="Renamed", environment=current.environment
    )
    clear_token_memo()  # as another process would: only the database cache to go by
    before = sandbox.token_requests

    again: list[str] = []
    response, info = _call(_fresh(access), sandbox, again)

    assert (response.status, info.cached) == (200, True)
    assert again == first
    assert sandbox.token_requests == before
