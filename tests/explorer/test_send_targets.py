"""What a Send runs and with what: the operation (read once per process) and the
Application Access, both of the member's team, or a 404 that sends and records nothing."""

from __future__ import annotations

from console.explorer.selectors import _operation_row
from console.specs.services import spec_delete
from console.vault import services as vault
from console.vault.models import Environment
from tests.conftest import SANDBOX_CLIENT_ID, SANDBOX_SECRET
from tests.explorer.support import records, send


def _theirs(outsider, sandbox):
    env = vault.environment_save(
        scope=outsider.scope, environment=Environment(name="Theirs", base_url=sandbox.url)
    )
    return vault.access_create(
        scope=outsider.scope,
        name="Theirs",
        environment=env,
        client_id=SANDBOX_CLIENT_ID,
        client_secret=SANDBOX_SECRET,
    )


def test_the_operation_row_is_read_once_per_process(member, sandbox_access, sandbox_op):
    operation = sandbox_op("listMeterTypes")
    for _ in range(3):
        assert send(member.client(), operation, sandbox_access, htmx=True).status_code == 200
    info = _operation_row.cache_info()
    assert (info.misses, info.hits) == (1, 2)
    assert len(records()) == 3


def test_an_operation_whose_spec_was_deleted_is_a_404(
    admin, member, sandbox, sandbox_access, sandbox_op, sandbox_spec
):
    operation = sandbox_op("listMeterTypes")
    assert send(member.client(), operation, sandbox_access).status_code == 200  # now cached
    spec_delete(scope=admin.scope, spec=sandbox_spec.version.spec)
    sandbox.reset_counters()

    assert send(member.client(), operation, sandbox_access).status_code == 404
    assert send(member.client(), operation, None).status_code == 404  # no access chosen
    assert len(records()) == 1
    assert sandbox.api_requests == 0


def test_a_cached_operation_of_another_team_is_a_404(
    member, outsider, sandbox, sandbox_access, sandbox_op
):
    operation = sandbox_op("listMeterTypes")
    assert send(member.client(), operation, sandbox_access).status_code == 200
    theirs = _theirs(outsider, sandbox)
    sandbox.reset_counters()

    # With their own access, with the team's access, and with none.
    for access in (theirs, sandbox_access, None):
        assert send(outsider.client(), operation, access).status_code == 404
    assert len(records()) == 1
    assert sandbox.api_requests == 0


def test_another_teams_access_is_a_404_with_a_cached_operation(
    member, outsider, sandbox, sandbox_access, sandbox_op
):
    operation = sandbox_op("listMeterTypes")
    assert send(member.client(), operation, sandbox_access).status_code == 200
    theirs = _theirs(outsider, sandbox)
    sandbox.reset_counters()

    assert send(member.client(), operation, theirs).status_code == 404
    assert len(records()) == 1
    assert sandbox.token_requests == 0


def test_a_missing_operation_is_not_remembered_as_missing(member, sandbox_access, sandbox_op):
    operation = sandbox_op("listMeterTypes")
    client = member.client()
    response = client.post(
        f"/t/{operation.team.slug}/operations/{operation.pk + 10_000}/send/",
        {"access": str(sandbox_access.pk)},
    )
    assert response.status_code == 404
    assert _operation_row.cache_info().currsize == 0
    assert send(client, operation, sandbox_access).status_code == 200
