"""What a Send runs and with what: the operation (read once per process) and the
Application Access, both of the member's team, or a 404 that sends and records nothing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from console.explorer.selectors import _operation_row, send_targets
from console.specs.services import spec_delete
from tests.explorer.support import records, send, send_url


@pytest.fixture
def cached_op(member, sandbox_access, sandbox_op):
    """An operation this process has sent once (so its row is cached), and one record."""
    operation = sandbox_op("listMeterTypes")
    assert send(member.client(), operation, sandbox_access).status_code == 200
    assert _operation_row.cache_info().currsize == 1
    return operation


def test_the_operation_row_is_read_once_per_process(member, sandbox_access, cached_op):
    for _ in range(2):
        assert send(member.client(), cached_op, sandbox_access, htmx=True).status_code == 200
    info = _operation_row.cache_info()
    assert (info.misses, info.hits) == (1, 2)
    assert len(records()) == 3


def test_an_operation_whose_spec_was_deleted_is_a_404(
    admin, member, sandbox, sandbox_access, sandbox_spec, cached_op
):
    spec_delete(scope=admin.scope, spec=sandbox_spec.version.spec)
    sandbox.reset_counters()

    assert send(member.client(), cached_op, sandbox_access).status_code == 404
    assert send(member.client(), cached_op, None).status_code == 404  # no access chosen
    assert len(records()) == 1
    assert sandbox.api_requests == 0


def test_a_cached_operation_of_another_team_is_a_404(
    outsider, sandbox, sandbox_access, theirs_access, cached_op
):
    sandbox.reset_counters()
    client = outsider.client()
    # In their own team's URL, so that it is send_targets (not the membership) that
    # refuses: with their own access, with the team's access, and with none.
    theirs = reverse("explorer:send", args=[outsider.membership.team.slug, cached_op.pk])
    for access in (theirs_access, sandbox_access, None):
        data = {"access": str(access.pk)} if access else {}
        assert client.post(theirs, data).status_code == 404
    # And in the operation's own team's URL, where they are no member.
    assert send(client, cached_op, theirs_access).status_code == 404
    assert len(records()) == 1
    assert sandbox.api_requests == 0


def test_another_teams_access_is_a_404_with_a_cached_operation(
    member, sandbox, theirs_access, cached_op
):
    sandbox.reset_counters()

    assert send(member.client(), cached_op, theirs_access).status_code == 404
    assert len(records()) == 1
    assert sandbox.token_requests == 0


def test_a_missing_operation_is_not_remembered_as_missing(member, sandbox_access, sandbox_op):
    operation = sandbox_op("listMeterTypes")
    client = member.client()
    missing = reverse("explorer:send", args=[operation.team.slug, operation.pk + 10_000])
    response = client.post(missing, {"access": str(sandbox_access.pk)})
    assert response.status_code == 404
    assert _operation_row.cache_info().currsize == 0
    assert send(client, operation, sandbox_access).status_code == 200


@pytest.mark.parametrize("access_id", ["abc", "1.5", "-1", "0", "99999999999999999999", " "])
def test_an_access_id_no_row_can_have_is_a_404(member, sandbox, sandbox_op, access_id):
    operation = sandbox_op("listMeterTypes")
    sandbox.reset_counters()

    response = member.client().post(send_url(operation), {"access": access_id})
    assert response.status_code == 404
    assert records() == []
    assert sandbox.token_requests == 0


def test_the_access_comes_with_its_environment(member, sandbox_access, sandbox_op):
    operation = sandbox_op("listMeterTypes")
    with CaptureQueriesContext(connection) as queries:
        found, access = send_targets(member.scope, operation.pk, str(sandbox_access.pk))
        environment = access.environment
    assert len(queries) == 2  # the operation's row (first time in this process), the access
    assert found == operation
    assert access == sandbox_access
    assert environment == sandbox_access.environment
    assert environment.base_url == sandbox_access.environment.base_url
    assert access.tokens_reset_at == sandbox_access.tokens_reset_at
    assert access.client_secret_encrypted == sandbox_access.client_secret_encrypted
