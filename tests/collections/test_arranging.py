"""Collections are arranged as people arrange them: steps in order, folders, moves,
renames and removals; the run order is the tree's, depth first."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from console.collections import services
from console.collections.models import CollectionItem
from console.freeform.services import free_request_create
from tests.collections.support import saved

pytestmark = pytest.mark.django_db


@pytest.fixture
def free(member):
    return lambda name: free_request_create(
        scope=member.scope, name=name, method="GET", path="/metering/v1/meter-types"
    )


def _names(collection):
    return [item.name for item in services.run_order(collection)]


def test_steps_keep_their_order_and_move(member, free):
    collection = services.collection_create(scope=member.scope, name="Meters")
    a, b, c = (
        services.item_add(scope=member.scope, collection=collection, name=n, free_request=free(n))
        for n in "ABC"
    )
    assert _names(collection) == ["A", "B", "C"]
    services.item_move(scope=member.scope, collection=collection, item=c, direction="up")
    assert _names(collection) == ["A", "C", "B"]
    services.item_move(scope=member.scope, collection=collection, item=a, direction="up")
    assert _names(collection) == ["A", "C", "B"]  # already first
    services.item_move(scope=member.scope, collection=collection, item=a, direction="down")
    assert _names(collection) == ["C", "A", "B"]
    services.item_update(scope=member.scope, collection=collection, item=b, name="Bee")
    services.item_remove(scope=member.scope, collection=collection, item=a)
    assert _names(collection) == ["C", "Bee"]


def test_folders_order_their_steps_depth_first(member, free):
    collection = services.collection_create(scope=member.scope, name="Folders")
    first = services.item_add(
        scope=member.scope, collection=collection, name="top", free_request=free("top")
    )
    setup = services.folder_add(scope=member.scope, collection=collection, name="Set-up")
    inner = services.folder_add(
        scope=member.scope, collection=collection, name="Inner", parent=setup
    )
    services.item_add(
        scope=member.scope,
        collection=collection,
        name="in set-up",
        free_request=free("s"),
        folder=setup,
    )
    services.item_add(
        scope=member.scope,
        collection=collection,
        name="in inner",
        free_request=free("i"),
        folder=inner,
    )
    last = services.item_add(
        scope=member.scope, collection=collection, name="last", free_request=free("l")
    )
    assert _names(collection) == ["top", "in inner", "in set-up", "last"]
    tree = services.collection_tree(collection)
    assert [(n.kind, n.depth) for n in tree] == [
        ("item", 0),
        ("folder", 0),
        ("folder", 1),
        ("item", 2),
        ("item", 1),
        ("item", 0),
    ]
    # Into a folder: it goes last there; back to the top level: last there.
    services.item_move(scope=member.scope, collection=collection, item=first, folder=setup)
    assert _names(collection) == ["in inner", "in set-up", "top", "last"]
    services.item_move(scope=member.scope, collection=collection, item=first, folder=None)
    assert _names(collection) == ["in inner", "in set-up", "last", "top"]
    services.folder_move(scope=member.scope, collection=collection, folder=setup, direction="down")
    assert _names(collection) == ["last", "in inner", "in set-up", "top"]
    services.folder_rename(scope=member.scope, collection=collection, folder=setup, name="Prep")
    services.folder_remove(scope=member.scope, collection=collection, folder=setup)
    assert _names(collection) == ["last", "top"]
    assert last.pk in CollectionItem.objects.values_list("pk", flat=True)


def test_a_step_is_exactly_one_request(member, free, sandbox_op):
    collection = services.collection_create(scope=member.scope, name="One")
    with pytest.raises(services.CollectionError):
        services.item_add(scope=member.scope, collection=collection, name="none")
    one = saved(member.scope, sandbox_op("listMeterTypes"), "List")
    with pytest.raises(services.CollectionError):
        services.item_add(
            scope=member.scope,
            collection=collection,
            name="both",
            saved_request=one,
            free_request=free("x"),
        )
    item = services.item_add(scope=member.scope, collection=collection, name="", saved_request=one)
    assert item.name == "List"  # the request's own name when none is given


def test_captures_are_checked(member, free):
    collection = services.collection_create(scope=member.scope, name="Caps")
    item = services.item_add(
        scope=member.scope,
        collection=collection,
        name="s",
        free_request=free("s"),
        captures=[{"variable": "meterTypeId", "pointer": "/id"}, {"variable": "", "pointer": ""}],
    )
    assert item.captures == [{"variable": "meterTypeId", "pointer": "/id"}]
    for bad in ({"variable": "1x", "pointer": "/id"}, {"variable": "x", "pointer": "id"}):
        with pytest.raises(services.CollectionError):
            services.item_update(
                scope=member.scope, collection=collection, item=item, captures=[bad]
            )


def test_roles_viewers_read_creator_and_admins_change_and_delete(member, member2, viewer, admin):
    with pytest.raises(PermissionDenied):
        services.collection_create(scope=viewer.scope, name="No")
    collection = services.collection_create(scope=member.scope, name="Mine")
    with pytest.raises(PermissionDenied):
        services.collection_delete(scope=member2.scope, collection=collection)
    with pytest.raises(PermissionDenied):
        services.folder_add(scope=viewer.scope, collection=collection, name="F")
    folder = services.folder_add(scope=member.scope, collection=collection, name="F")
    free = free_request_create(scope=member.scope, name="t", method="GET", path="/x")
    item = services.item_add(scope=member.scope, collection=collection, name="t", free_request=free)
    # One rule for the whole collection: another member changes none of it, not even a
    # step or a folder (removing each step would be deleting it).
    kwargs = {"scope": member2.scope, "collection": collection}
    for change in (
        lambda: services.collection_update(**kwargs, name="Theirs now"),
        lambda: services.folder_add(**kwargs, name="G"),
        lambda: services.folder_rename(**kwargs, folder=folder, name="G"),
        lambda: services.folder_remove(**kwargs, folder=folder),
        lambda: services.item_add(**kwargs, name="t2", free_request=free),
        lambda: services.item_update(**kwargs, item=item, name="t2"),
        lambda: services.item_move(**kwargs, item=item, folder=folder),
        lambda: services.item_remove(**kwargs, item=item),
    ):
        with pytest.raises(PermissionDenied):
            change()
    assert services.can_edit(member.scope, collection)
    assert not services.can_edit(member2.scope, collection)
    assert services.can_edit(admin.scope, collection)
    services.item_update(scope=admin.scope, collection=collection, item=item, name="By admin")
    services.collection_delete(scope=admin.scope, collection=collection)


def test_another_teams_collection_and_requests_are_404(member, outsider):
    theirs = services.collection_create(scope=outsider.scope, name="Theirs")
    with pytest.raises(Http404):
        services.folder_add(scope=member.scope, collection=theirs, name="F")
    mine = services.collection_create(scope=member.scope, name="Mine")
    their_free = free_request_create(scope=outsider.scope, name="t", method="GET", path="/x")
    with pytest.raises(Http404):
        services.item_add(scope=member.scope, collection=mine, name="t", free_request=their_free)
