"""Collection pages through Django's client: make one, add steps from the saved request
list and free requests, arrange them, run them and read the results."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from console.collections import services
from console.collections.models import Collection, CollectionItem
from console.freeform.services import free_request_create
from tests.collections.support import meter_type_body, saved

pytestmark = pytest.mark.django_db


def test_make_add_arrange_and_run(member, team, sandbox_access, sandbox_op):
    client = member.client()
    made = client.post(reverse("collections:new", args=[team.slug]), {"name": "Round trip"})
    collection = Collection.objects.get()
    assert made.url == reverse("collections:detail", args=[team.slug, collection.pk])
    create = saved(member.scope, sandbox_op("createMeterType"), "Create", body=meter_type_body())
    listing = saved(member.scope, sandbox_op("listMeterTypes"), "List")
    add = reverse("collections:add", args=[team.slug])
    # From the saved request list: the picker, then Add.
    picker = client.get(add, {"saved": create.pk})
    assert picker.status_code == 200
    assert "Round trip" in picker.content.decode()
    client.post(add, {"saved": create.pk, "collection": collection.pk, "name": "Create"})
    client.post(add, {"saved": listing.pk, "collection": collection.pk})
    items = list(CollectionItem.objects.order_by("position"))
    assert [i.name for i in items] == ["Create", "List"]
    item_url = reverse("collections:item", args=[team.slug, collection.pk, items[1].pk])
    client.post(item_url, {"action": "up"})
    assert [i.name for i in services.run_order(collection)] == ["List", "Create"]
    client.post(
        reverse("collections:item", args=[team.slug, collection.pk, items[0].pk]),
        {"action": "captures", "capture-0-variable": "meterTypeId", "capture-0-pointer": "/id"},
    )
    assert CollectionItem.objects.get(pk=items[0].pk).captures == [
        {"variable": "meterTypeId", "pointer": "/id"}
    ]
    client.post(
        reverse("collections:folder_new", args=[team.slug, collection.pk]), {"name": "Set-up"}
    )
    folder = collection.folders.get()
    client.post(item_url, {"action": "move", "folder": folder.pk})
    assert CollectionItem.objects.get(pk=items[1].pk).folder == folder
    page = client.get(
        reverse("collections:detail", args=[team.slug, collection.pk])
    ).content.decode()
    assert "Set-up" in page
    assert "sets {{meterTypeId}} from /id" in page

    run_url = reverse("collections:run", args=[team.slug, collection.pk])
    assert client.get(run_url).status_code == 200
    result = client.post(run_url, {"access": sandbox_access.pk})
    text = result.content.decode()
    assert result.status_code == 200
    assert "All 2 steps passed" in text, text[text.find("Results") :][:2000]
    assert text.count('data-step-result="passed"') == 2


def test_a_failed_step_is_shown_with_its_reason(member, team, sandbox_access):
    collection = services.collection_create(scope=member.scope, name="Fails")
    free = free_request_create(
        scope=member.scope, name="Missing", method="GET", path="/metering/v1/meter-types/none"
    )
    services.item_add(scope=member.scope, collection=collection, name="Missing", free_request=free)
    response = member.client().post(
        reverse("collections:run", args=[team.slug, collection.pk]), {"access": sandbox_access.pk}
    )
    text = response.content.decode()
    assert "Stopped at step 1: Missing" in text
    assert 'data-step-result="failed"' in text


def test_viewers_read_but_do_not_run_or_change(viewer, member, team, sandbox_access):
    collection = services.collection_create(scope=member.scope, name="Shared")
    client = viewer.client()
    page = client.get(reverse("collections:detail", args=[team.slug, collection.pk]))
    assert page.status_code == 200
    assert "Add a step" not in page.content.decode()
    run = reverse("collections:run", args=[team.slug, collection.pk])
    assert client.post(run, {"access": sandbox_access.pk}).status_code == 403
    assert (
        client.post(reverse("collections:new", args=[team.slug]), {"name": "x"}).status_code == 403
    )


def test_only_the_maker_and_admins_delete(member, member2, admin, team):
    collection = services.collection_create(scope=member.scope, name="Mine")
    url = reverse("collections:delete", args=[team.slug, collection.pk])
    assert member2.client().post(url).status_code == 403
    assert admin.client().post(url).status_code == 302
    assert not Collection.objects.exists()


def test_production_asks_once_naming_environment_collection_and_steps(admin, member, team, sandbox):
    from console.vault import services as vault
    from console.vault.models import Environment
    from tests.conftest import SANDBOX_CLIENT_ID, SANDBOX_SECRET

    env = vault.environment_save(
        scope=admin.scope,
        environment=Environment(name="Live", base_url=sandbox.url, is_production=True),
    )
    access = vault.access_create(
        scope=admin.scope, name="Live access", environment=env,
        client_id=SANDBOX_CLIENT_ID, client_secret=SANDBOX_SECRET,
    )  # fmt: skip
    collection = services.collection_create(scope=member.scope, name="Cleanup")
    for method in ("GET", "DELETE"):
        free = free_request_create(
            scope=member.scope, name=method, method=method,
            path="/metering/v1/meter-types/00000000-0000-0000-0000-000000000000",
        )  # fmt: skip
        services.item_add(scope=member.scope, collection=collection, name=method, free_request=free)
    url = reverse("collections:run", args=[team.slug, collection.pk])
    client = member.client()
    asked = client.post(url, {"access": access.pk}).content.decode()
    assert "Confirm a run on production" in asked
    assert "Run 2 steps of Cleanup on Live? 1 of them change things" in asked
    from console.history.models import CallRecord

    assert not CallRecord.objects.exists()
    # A confirmation naming another environment does not count.
    again = client.post(
        url, {"access": access.pk, "confirm_production": "1", "confirm_environment": "0"}
    )
    assert "Confirm a run on production" in again.content.decode()
    digest = re.search(r'name="confirm_digest" value="([0-9a-f]+)"', asked).group(1)
    ran = client.post(
        url,
        {
            "access": access.pk,
            "confirm_production": "1",
            "confirm_environment": env.pk,
            "confirm_digest": digest,
        },
    ).content.decode()
    assert "Stopped at step 1: GET" in ran  # sent: a 404 stops the run
    assert CallRecord.objects.count() == 1
