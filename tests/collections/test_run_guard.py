"""A collection run on production (an environment marked production that points at the
session sandbox): the confirmation counts each step by the method it would be sent with,
is bound to the collection's state, and each step is sent with the run's real
confirmation; the run's time budget; text the database cannot keep; one rule for who
changes a collection."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.urls import reverse

from console.collections import services
from console.collections.models import Collection
from console.freeform.services import free_request_create
from console.history.models import CallRecord
from console.saved.models import SavedRequest
from console.vault import services as vault
from console.vault.models import Environment
from tests.collections.support import saved
from tests.conftest import SANDBOX_CLIENT_ID, SANDBOX_SECRET

pytestmark = pytest.mark.django_db
MISSING = "/metering/v1/meter-types/00000000-0000-0000-0000-000000000000"


@pytest.fixture
def live(admin, sandbox):
    """An Application Access on a production environment that is the sandbox."""
    env = vault.environment_save(
        scope=admin.scope,
        environment=Environment(name="Live", base_url=sandbox.url, is_production=True),
    )
    return vault.access_create(
        scope=admin.scope, name="Live access", environment=env,
        client_id=SANDBOX_CLIENT_ID, client_secret=SANDBOX_SECRET,
    )  # fmt: skip


def _free_step(scope, collection, method, path=MISSING):
    free = free_request_create(scope=scope, name=method, method=method, path=path)
    return services.item_add(scope=scope, collection=collection, name=method, free_request=free)


def test_a_saved_step_counts_by_its_operations_current_method(member, live, sandbox_op):
    # Saved when the operation was a GET; the operation it reopens on is now a DELETE.
    collection = services.collection_create(scope=member.scope, name="Stale")
    delete = saved(
        member.scope, sandbox_op("deleteMeterType"), "Was a GET",
        values={"path:meterTypeId": "00000000-0000-0000-0000-000000000000"},
    )  # fmt: skip
    SavedRequest.objects.filter(pk=delete.pk).update(method="GET")
    services.item_add(scope=member.scope, collection=collection, name="s", saved_request=delete)
    before = CallRecord.objects.count()
    asked = services.collection_run(scope=member.scope, collection=collection, access=live)
    assert asked.needs_confirmation
    assert asked.mutating_steps == 1
    assert CallRecord.objects.count() == before  # nothing went to production unasked
    ran = services.collection_run(
        scope=member.scope, collection=collection, access=live,
        confirm_production=True, confirmed_digest=asked.digest,
    )  # fmt: skip
    assert [(s.method, s.status) for s in ran.steps] == [("DELETE", 404)]


def test_the_confirmation_is_for_the_collection_as_it_was(member, live):
    collection = services.collection_create(scope=member.scope, name="Cleanup")
    _free_step(member.scope, collection, "DELETE")
    asked = services.collection_run(scope=member.scope, collection=collection, access=live)
    assert asked.needs_confirmation
    assert asked.digest
    # A step added between the prompt and the click: asked again, nothing sent.
    _free_step(member.scope, collection, "POST", "/metering/v1/meter-types")
    before = CallRecord.objects.count()
    again = services.collection_run(
        scope=member.scope, collection=collection, access=live,
        confirm_production=True, confirmed_digest=asked.digest,
    )  # fmt: skip
    assert again.needs_confirmation
    assert again.changed_since_asked
    assert again.mutating_steps == 2
    assert again.digest != asked.digest
    assert CallRecord.objects.count() == before
    # A method changed on a step's free request changes the digest too.
    free = collection.items.order_by("position").first().free_request
    free.method = "PUT"
    free.save()
    third = services.collection_run(
        scope=member.scope, collection=collection, access=live,
        confirm_production=True, confirmed_digest=again.digest,
    )  # fmt: skip
    assert third.needs_confirmation
    assert third.changed_since_asked
    # Without a digest a confirmation does not count.
    assert services.collection_run(
        scope=member.scope, collection=collection, access=live, confirm_production=True
    ).needs_confirmation


def test_each_step_gets_the_runs_real_confirmation(member, live):
    # A GET-only run on production is not asked; its steps are sent unconfirmed, so a
    # step that changes things by the time it is sent is refused, not sent.
    free = free_request_create(scope=member.scope, name="D", method="DELETE", path=MISSING)
    outcome = services._send_free(member.scope, live, free, False)
    assert outcome.needs_confirmation
    assert not outcome.sent
    assert "not confirmed" in services._not_sent_reason(outcome)
    collection = services.collection_create(scope=member.scope, name="Reads")
    _free_step(member.scope, collection, "GET", "/metering/v1/meter-types")
    result = services.collection_run(scope=member.scope, collection=collection, access=live)
    assert not result.needs_confirmation
    assert result.ok, [(s.name, s.reason) for s in result.steps]


def test_the_page_posts_the_digest_and_asks_again_when_it_changed(member, live, team):
    collection = services.collection_create(scope=member.scope, name="Cleanup")
    _free_step(member.scope, collection, "DELETE")
    url = reverse("collections:run", args=[team.slug, collection.pk])
    client = member.client()
    page = client.post(url, {"access": live.pk}).content.decode()
    digest = re.search(r'name="confirm_digest" value="([0-9a-f]+)"', page).group(1)
    confirm = {"access": live.pk, "confirm_production": "1",
               "confirm_environment": live.environment_id}  # fmt: skip
    _free_step(member.scope, collection, "GET", "/metering/v1/meter-types")
    stale = client.post(url, {**confirm, "confirm_digest": digest}).content.decode()
    assert "The collection changed since you were asked" in stale
    assert not CallRecord.objects.exists()
    fresh = re.search(r'name="confirm_digest" value="([0-9a-f]+)"', stale).group(1)
    ran = client.post(url, {**confirm, "confirm_digest": fresh}).content.decode()
    assert "Stopped at step 1: DELETE" in ran  # sent: the sandbox answers 404
    assert CallRecord.objects.count() == 1


@override_settings(CONSOLE_COLLECTION_RUN_SECONDS=0)
def test_a_run_stops_when_its_time_is_up(member, sandbox_access, team):
    collection = services.collection_create(scope=member.scope, name="Slow")
    for _ in range(3):
        _free_step(member.scope, collection, "GET", "/metering/v1/meter-types")
    result = services.collection_run(
        scope=member.scope, collection=collection, access=sandbox_access
    )
    assert len(result.steps) == 1
    assert result.steps[0].ok
    assert not result.ok
    assert "CONSOLE_COLLECTION_RUN_SECONDS" in result.stopped
    assert "2 steps did not run" in result.stopped
    page = (
        member.client()
        .post(
            reverse("collections:run", args=[team.slug, collection.pk]),
            {"access": sandbox_access.pk},
        )
        .content.decode()
    )
    assert "Stopped after 1 step" in page
    assert "2 steps did not run" in page


@pytest.mark.parametrize("bad", ["a\x00b", "\ud800"])
def test_nul_and_lone_surrogates_are_refused(member, bad):
    with pytest.raises(services.CollectionError, match="cannot be kept"):
        services.collection_create(scope=member.scope, name=bad)
    with pytest.raises(services.CollectionError, match="cannot be kept"):
        services.collection_create(scope=member.scope, name="Ok", description=bad)
    collection = services.collection_create(scope=member.scope, name="Ok")
    with pytest.raises(services.CollectionError, match="cannot be kept"):
        services.folder_add(scope=member.scope, collection=collection, name=bad)
    item = _free_step(member.scope, collection, "GET")
    with pytest.raises(services.CollectionError, match="cannot be kept"):
        services.item_update(
            scope=member.scope, collection=collection, item=item,
            captures=[{"variable": "id", "pointer": "/" + bad}],
        )  # fmt: skip


def test_nul_in_posted_forms_is_a_message(member, team):
    client = member.client()
    response = client.post(reverse("collections:new", args=[team.slug]), {"name": "x\x00"})
    assert response.status_code == 302
    assert not Collection.objects.exists()
    collection = services.collection_create(scope=member.scope, name="Ok")
    edit = client.post(
        reverse("collections:edit", args=[team.slug, collection.pk]),
        {"name": "Ok", "description": "d\x00"},
        follow=True,
    )
    assert "cannot be kept" in edit.content.decode()
    folder = client.post(
        reverse("collections:folder_new", args=[team.slug, collection.pk]),
        {"name": "f\x00"},
        follow=True,
    )
    assert "cannot be kept" in folder.content.decode()
    assert not collection.folders.exists()


def test_another_member_reads_and_runs_but_does_not_change(member, member2, team, sandbox_access):
    collection = services.collection_create(scope=member.scope, name="Mine")
    item = _free_step(member.scope, collection, "GET", "/metering/v1/meter-types")
    client = member2.client()
    page = client.get(reverse("collections:detail", args=[team.slug, collection.pk]))
    html = page.content.decode()
    assert "data-edit-note" in html
    assert 'value="remove"' not in html
    for url, data in (
        (reverse("collections:item", args=[team.slug, collection.pk, item.pk]),
         {"action": "remove"}),
        (reverse("collections:folder_new", args=[team.slug, collection.pk]), {"name": "F"}),
        (reverse("collections:edit", args=[team.slug, collection.pk]), {"name": "X"}),
    ):  # fmt: skip
        assert client.post(url, data).status_code == 403
    assert collection.items.count() == 1
    # Saving a free request into someone else's collection saves nothing.
    saved_page = client.post(
        reverse("freeform:save", args=[team.slug]),
        {"name": "Sneak", "method": "GET", "path": "/x", "collection": collection.pk},
    )
    assert saved_page.status_code == 400
    assert "Only the member who made" in saved_page.content.decode()
    with pytest.raises(PermissionDenied):
        services.item_remove(scope=member2.scope, collection=collection, item=item)
    result = services.collection_run(
        scope=member2.scope, collection=collection, access=sandbox_access
    )
    assert result.ok
