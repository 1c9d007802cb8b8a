"""When the spec gets a new version, saved requests whose operation changed or vanished
are marked, on the "Saved requests" page and in the operation page's card.

Version 2 of the Things API (uploaded as an admin re-imports a modified copy) adds a
required query parameter to getThing, only rewords getStatus's description, and drops
deleteThing. Opening a saved request opens the newest version's operation.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from console.saved.models import SavedRequest
from console.saved.selectors import saved_items
from tests.explorer.page_form import form_action, form_dict
from tests.explorer.support import find_operation, html
from tests.explorer.things import import_things
from tests.saved.conftest import GET_THING_VALUES, save

pytestmark = pytest.mark.django_db

CHANGED_IN_V2 = "Changed in v2"
GONE = "No longer in the spec"


@pytest.fixture
def saved_v1(member, things_op) -> dict[str, SavedRequest]:
    """Three requests saved from v1: getThing, getStatus and deleteThing."""
    client = member.client()
    save(client, things_op("getThing"), "Thing 42", GET_THING_VALUES)
    save(client, things_op("getStatus"), "Status check")
    save(client, things_op("deleteThing"), "Delete 42", {"path:thingId": "thing-42"})
    return {s.operation_key: s for s in SavedRequest.objects.all()}


def row_of(page: str, name: str) -> str:
    """The saved-requests table row that names `name`."""
    for row in re.findall(r"<tr data-filter-item>.*?</tr>", page, flags=re.S):
        if f">{name}</a>" in row:
            return row
    raise AssertionError(f"no row for {name!r}")


def list_page(person, team) -> str:
    return html(person.client().get(reverse("saved:list", args=[team.slug])))


def test_nothing_is_marked_before_a_new_version(saved_v1, viewer, team):
    page = list_page(viewer, team)
    assert CHANGED_IN_V2 not in page
    assert GONE not in page


def test_the_list_marks_changed_and_vanished_operations(saved_v1, admin, viewer, team):
    import_things(admin, 2)
    page = list_page(viewer, team)
    assert CHANGED_IN_V2 in row_of(page, "Thing 42")
    assert GONE in row_of(page, "Delete 42")
    status_row = row_of(page, "Status check")
    assert CHANGED_IN_V2 not in status_row  # a reworded description is not a change
    assert GONE not in status_row
    assert "saved from v1, now v2" in status_row


def test_the_marks_stay_on_later_versions_and_name_where_it_changed(saved_v1, admin, viewer, team):
    import_things(admin, 2)
    import_things(admin, 3)  # only a reworded description since v2
    page = list_page(viewer, team)
    assert CHANGED_IN_V2 in row_of(page, "Thing 42")
    assert GONE in row_of(page, "Delete 42")
    items = {i.saved.name: i.state for i in saved_items(viewer.scope)}
    assert (items["Thing 42"].kind, items["Thing 42"].version) == ("changed", 2)
    assert (items["Delete 42"].kind, items["Delete 42"].version) == ("gone", 2)
    assert items["Status check"].kind == "current"
    assert [c.text for c in items["Thing 42"].changes] == [
        "query parameter 'region' added (required)"
    ]


def test_the_operation_pages_card_marks_them_too(saved_v1, admin, viewer, team):
    v2 = import_things(admin, 2).version
    get_thing_v2 = find_operation(v2, "getThing")
    page = html(
        viewer.client().get(reverse("explorer:operation", args=[team.slug, get_thing_v2.pk]))
    )
    card = page[page.index('id="saved-section"') :]
    assert "Thing 42" in card
    assert CHANGED_IN_V2 in card

    delete_v1 = saved_v1["deleteThing"].operation
    page = html(viewer.client().get(reverse("explorer:operation", args=[team.slug, delete_v1.pk])))
    card = page[page.index('id="saved-section"') :]
    assert "Delete 42" in card
    assert GONE in card


def test_opening_a_changed_one_opens_the_new_version_and_says_what_changed(
    saved_v1, admin, member, echo, echo_access, team
):
    v2 = import_things(admin, 2).version
    get_thing_v2 = find_operation(v2, "getThing")
    saved = saved_v1["getThing"]
    client = member.client()
    page = html(client.get(reverse("saved:open", args=[team.slug, saved.pk])))
    assert form_action(page) == reverse("explorer:send", args=[team.slug, get_thing_v2.pk])
    fields = form_dict(page)
    assert fields["path:thingId"] == "thing-42"  # the saved values, in the new form
    assert fields["query:region"] == ""  # the new parameter, to be filled in
    assert "The operation changed in v2" in page
    assert "query parameter &#x27;region&#x27; added (required)" in page

    # Filled in and saved again, it is no longer marked.
    fields["query:region"] = "eu"
    update = client.post(reverse("saved:update", args=[team.slug, saved.pk]), fields)
    assert update.status_code == 302
    saved.refresh_from_db()
    assert saved.operation == get_thing_v2
    assert saved.values["query:region"] == "eu"
    assert CHANGED_IN_V2 not in row_of(list_page(member, saved.team), "Thing 42")


def test_opening_a_vanished_one_shows_the_operation_it_was_saved_from(
    saved_v1, admin, viewer, team
):
    import_things(admin, 2)
    saved = saved_v1["deleteThing"]
    page = html(viewer.client().get(reverse("saved:open", args=[team.slug, saved.pk])))
    assert form_action(page) == reverse("explorer:send", args=[team.slug, saved.operation_id])
    assert form_dict(page)["path:thingId"] == "thing-42"
    assert "v2 of Things API no longer has this operation" in page


def test_a_request_saved_from_the_new_version_is_not_marked(saved_v1, admin, member, viewer, team):
    v2 = import_things(admin, 2).version
    save(
        member.client(),
        find_operation(v2, "getThing"),
        "Thing 42 in EU",
        {**GET_THING_VALUES, "query:region": "eu"},
    )
    page = list_page(viewer, team)
    assert CHANGED_IN_V2 not in row_of(page, "Thing 42 in EU")
    assert CHANGED_IN_V2 in row_of(page, "Thing 42")
