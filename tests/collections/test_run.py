"""Running a collection against the session sandbox: steps in order, captures feeding
later steps, a failed step stopping the run with its reason, the production guard."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied

from console.collections import services
from console.freeform.services import free_request_create
from console.history.models import CallRecord
from console.variables.models import Variable
from console.vault import services as vault
from console.vault.models import Environment
from tests.collections.support import meter_type_body, saved
from tests.conftest import SANDBOX_CLIENT_ID, SANDBOX_SECRET

pytestmark = pytest.mark.django_db
METER_TYPES = "/metering/v1/meter-types"


def _create_get_delete(scope, sandbox_op, *, delete_path=METER_TYPES + "/{{meterTypeId}}"):
    """A collection: create a meter type (saved request, captures /id), get it by the
    captured id (saved request), delete it (free request)."""
    collection = services.collection_create(scope=scope, name="Create, get, delete")
    create = saved(scope, sandbox_op("createMeterType"), "Create", body=meter_type_body())
    get = saved(
        scope, sandbox_op("getMeterType"), "Get", values={"path:meterTypeId": "{{meterTypeId}}"}
    )
    delete = free_request_create(scope=scope, name="Delete", method="DELETE", path=delete_path)
    services.item_add(
        scope=scope,
        collection=collection,
        name="Create",
        saved_request=create,
        captures=[{"variable": "meterTypeId", "pointer": "/id"}],
    )
    services.item_add(scope=scope, collection=collection, name="Get", saved_request=get)
    services.item_add(scope=scope, collection=collection, name="Delete", free_request=delete)
    return collection


def test_captures_feed_later_steps(member, sandbox_access, sandbox_op):
    collection = _create_get_delete(member.scope, sandbox_op)
    result = services.collection_run(
        scope=member.scope, collection=collection, access=sandbox_access
    )
    assert result.ok, [(s.name, s.status, s.reason) for s in result.steps]
    assert [(s.name, s.method, s.status) for s in result.steps] == [
        ("Create", "POST", 201),
        ("Get", "GET", 200),
        ("Delete", "DELETE", 204),
    ]
    created = json.loads(CallRecord.objects.get(pk=result.steps[0].record.pk).response_body)
    variable = Variable.objects.get(name="meterTypeId", environment=sandbox_access.environment)
    assert variable.value == created["id"]
    assert result.steps[1].url.endswith(f"{METER_TYPES}/{created['id']}")
    assert result.steps[2].url.endswith(f"{METER_TYPES}/{created['id']}")
    assert result.steps[0].captured == [("meterTypeId", "/id")]
    assert all(s.record is not None for s in result.steps)


def test_a_failed_status_stops_the_run_with_its_reason(member, sandbox_access, sandbox_op):
    collection = services.collection_create(scope=member.scope, name="Fails")
    missing = free_request_create(
        scope=member.scope,
        name="Missing",
        method="GET",
        path=METER_TYPES + "/00000000-0000-0000-0000-000000000000",
    )
    after = free_request_create(scope=member.scope, name="After", method="GET", path=METER_TYPES)
    services.item_add(
        scope=member.scope, collection=collection, name="Missing", free_request=missing
    )
    services.item_add(scope=member.scope, collection=collection, name="After", free_request=after)
    before = CallRecord.objects.count()
    result = services.collection_run(
        scope=member.scope, collection=collection, access=sandbox_access
    )
    assert not result.ok
    assert len(result.steps) == 1
    assert result.not_run == 1
    assert result.failed.status == 404
    assert "404" in result.failed.reason
    assert CallRecord.objects.count() == before + 1  # the second step was never sent


def test_a_missing_capture_pointer_fails_the_step(member, sandbox_access, sandbox_op):
    collection = services.collection_create(scope=member.scope, name="Pointer")
    listing = saved(member.scope, sandbox_op("listMeterTypes"), "List")
    services.item_add(
        scope=member.scope,
        collection=collection,
        name="List",
        saved_request=listing,
        captures=[{"variable": "nothing", "pointer": "/no/such/thing"}],
    )
    services.item_add(
        scope=member.scope, collection=collection, name="List again", saved_request=listing
    )
    result = services.collection_run(
        scope=member.scope, collection=collection, access=sandbox_access
    )
    assert [s.status for s in result.steps] == [200]
    assert "/no/such/thing" in result.failed.reason
    assert "{{nothing}}" in result.failed.reason


def test_an_unknown_variable_stops_the_run_before_sending(member, sandbox_access, sandbox_op):
    collection = services.collection_create(scope=member.scope, name="Unknown")
    free = free_request_create(
        scope=member.scope, name="Uses x", method="GET", path=METER_TYPES + "/{{neverSet}}"
    )
    services.item_add(scope=member.scope, collection=collection, name="Uses x", free_request=free)
    before = CallRecord.objects.count()
    result = services.collection_run(
        scope=member.scope, collection=collection, access=sandbox_access
    )
    assert result.failed.reason.startswith("Not sent")
    assert "neverSet" in result.failed.reason
    assert CallRecord.objects.count() == before


def test_production_asks_once_for_the_whole_run(admin, member, sandbox, sandbox_op):
    env = vault.environment_save(
        scope=admin.scope,
        environment=Environment(name="Live", base_url=sandbox.url, is_production=True),
    )
    access = vault.access_create(
        scope=admin.scope,
        name="Live access",
        environment=env,
        client_id=SANDBOX_CLIENT_ID,
        client_secret=SANDBOX_SECRET,
    )
    collection = _create_get_delete(member.scope, sandbox_op)
    before = CallRecord.objects.count()
    asked = services.collection_run(scope=member.scope, collection=collection, access=access)
    assert asked.needs_confirmation
    assert asked.mutating_steps == 2
    assert not asked.steps
    assert CallRecord.objects.count() == before
    result = services.collection_run(
        scope=member.scope,
        collection=collection,
        access=access,
        confirm_production=True,
        confirmed_digest=asked.digest,  # the collection as it was when asked
    )
    assert result.ok, [(s.name, s.status, s.reason) for s in result.steps]


def test_viewers_do_not_run(viewer, member, sandbox_access, sandbox_op):
    collection = _create_get_delete(member.scope, sandbox_op)
    with pytest.raises(PermissionDenied):
        services.collection_run(scope=viewer.scope, collection=collection, access=sandbox_access)


def test_an_empty_collection_says_so(member, sandbox_access):
    collection = services.collection_create(scope=member.scope, name="Empty")
    result = services.collection_run(
        scope=member.scope, collection=collection, access=sandbox_access
    )
    assert result.error == "The collection has no steps to run."


def test_a_saved_request_with_a_redacted_value_fails_before_sending(
    member, sandbox_access, sandbox_op
):
    collection = services.collection_create(scope=member.scope, name="Redacted")
    keyed = saved(
        member.scope, sandbox_op("listMeterTypes"), "Keyed",
        values={"header:X-Api-Key": "key-that-must-not-be-kept"},
    )  # fmt: skip
    services.item_add(scope=member.scope, collection=collection, name="Keyed", saved_request=keyed)
    before = CallRecord.objects.count()
    result = services.collection_run(
        scope=member.scope, collection=collection, access=sandbox_access
    )
    assert "redacted when it was saved (X-Api-Key)" in result.failed.reason
    assert CallRecord.objects.count() == before
