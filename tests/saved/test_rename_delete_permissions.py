"""Who may change a saved request: the member who saved it and admins rename, save over
and delete it; other members and viewers get 403 and nothing changes; anyone outside the
team gets 404 for all of it, like for anything else the team owns."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from console.saved.models import SavedRequest
from console.specs.services import spec_import
from tests.explorer.support import find_operation, html
from tests.explorer.things import things_document
from tests.saved.conftest import GET_THING_VALUES, only_saved, save

pytestmark = pytest.mark.django_db


@pytest.fixture
def saved(member, things_op) -> SavedRequest:
    """A saved request of getThing, saved by `member`."""
    save(member.client(), things_op("getThing"), "Thing 42", GET_THING_VALUES)
    return only_saved()


def url(name: str, saved: SavedRequest) -> str:
    return reverse(name, args=[saved.team.slug, saved.pk])


def test_the_member_who_saved_it_renames_it(member, saved):
    response = member.client().post(url("saved:rename", saved), {"name": "  Thing   42, v2 "})
    assert response.status_code == 302
    assert response.url == url("saved:open", saved)
    saved.refresh_from_db()
    assert saved.name == "Thing 42, v2"


def test_an_admin_renames_anyones(admin, saved):
    assert admin.client().post(url("saved:rename", saved), {"name": "Admin's"}).status_code == 302
    saved.refresh_from_db()
    assert saved.name == "Admin's"


def test_a_blank_name_is_refused(member, saved):
    client = member.client()
    response = client.post(url("saved:rename", saved), {"name": " "}, follow=True)
    assert "Give the saved request a name." in html(response)
    saved.refresh_from_db()
    assert saved.name == "Thing 42"


def test_the_member_who_saved_it_deletes_it(member, saved):
    response = member.client().post(url("saved:delete", saved))
    assert response.status_code == 302
    assert response.url == reverse("saved:list", args=[saved.team.slug])
    assert not SavedRequest.objects.exists()


def test_an_admin_deletes_anyones(admin, saved):
    assert admin.client().post(url("saved:delete", saved)).status_code == 302
    assert not SavedRequest.objects.exists()


@pytest.mark.parametrize("action", ["saved:rename", "saved:delete", "saved:update"])
def test_another_member_may_not_change_it(member2, saved, action):
    response = member2.client().post(url(action, saved), {"name": "Mine now"})
    assert response.status_code == 403
    saved.refresh_from_db()
    assert saved.name == "Thing 42"
    assert saved.values["path:thingId"] == "thing-42"


@pytest.mark.parametrize("action", ["saved:rename", "saved:delete", "saved:update"])
def test_a_viewer_may_not_change_it(viewer, saved, action):
    response = viewer.client().post(url(action, saved), {"name": "Mine now"})
    assert response.status_code == 403
    assert SavedRequest.objects.get(pk=saved.pk).name == "Thing 42"


def test_a_viewer_may_not_save(viewer, things_op):
    operation = things_op("getThing")
    new_url = reverse("saved:new", args=[operation.team.slug, operation.pk])
    assert viewer.client().post(new_url, {"name": "x", "state": "{}"}).status_code == 403
    assert not SavedRequest.objects.exists()


def test_a_viewer_reads_it_without_the_controls(viewer, saved):
    page = html(viewer.client().get(url("saved:open", saved)))
    assert "Thing 42" in page
    assert url("saved:rename", saved) not in page
    assert url("saved:delete", saved) not in page
    assert url("saved:update", saved) not in page
    listing = html(viewer.client().get(reverse("saved:list", args=[saved.team.slug])))
    assert url("saved:delete", saved) not in listing


def test_another_member_sees_no_controls_but_may_save_a_copy(member2, saved):
    page = html(member2.client().get(url("saved:open", saved)))
    assert url("saved:rename", saved) not in page
    assert url("saved:update", saved) not in page
    assert "Save as…" in page


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("saved:open", "get"),
        ("saved:rename", "post"),
        ("saved:delete", "post"),
        ("saved:update", "post"),
    ],
)
def test_an_outsider_gets_404(outsider, saved, name, method):
    response = getattr(outsider.client(), method)(url(name, saved), {"name": "Theirs"})
    assert response.status_code == 404
    assert SavedRequest.objects.get(pk=saved.pk).name == "Thing 42"
    listing = outsider.client().get(reverse("saved:list", args=[saved.team.slug]))
    assert listing.status_code == 404


def test_another_teams_saved_request_through_my_team_is_404(outsider, owner, team, other_team):
    """An outsider's saved request, named under my team's URL, is a 404 for my owner."""
    theirs = spec_import(
        scope=outsider.scope,
        name="Theirs",
        data=json.dumps(things_document()).encode(),
        filename="theirs.json",
    )
    save(outsider.client(), find_operation(theirs.version, "getStatus"), "Their status")
    their_saved = SavedRequest.objects.get(team=other_team)
    for name, method in [("saved:open", "get"), ("saved:delete", "post")]:
        target = reverse(name, args=[team.slug, their_saved.pk])
        assert getattr(owner.client(), method)(target).status_code == 404
    assert SavedRequest.objects.filter(pk=their_saved.pk).exists()
