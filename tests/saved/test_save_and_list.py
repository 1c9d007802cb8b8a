"""Saving the operation form as a named request, and finding it again in both lists.

Save takes two steps (the form, then a name), with and without htmx; values are kept
by field name, secrets redacted as in the history; the request appears on the
"Saved requests" page and in its operation's card, not in other operations' cards.
"""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from console.history.redaction import REDACTED
from console.saved.models import SavedRequest
from tests.explorer.page_form import form_fields
from tests.explorer.support import html
from tests.saved.conftest import GET_THING_VALUES, only_saved, save

pytestmark = pytest.mark.django_db


def op_url(operation) -> str:
    return reverse("explorer:operation", args=[operation.team.slug, operation.pk])


def list_url(team) -> str:
    return reverse("saved:list", args=[team.slug])


def test_save_stores_the_forms_values_with_secrets_redacted(member, things_op):
    get_thing = things_op("getThing")
    response = save(member.client(), get_thing, "Thing 42, nightly", GET_THING_VALUES)

    saved = only_saved()
    assert response.status_code == 302
    assert response.url == reverse("saved:open", args=[saved.team.slug, saved.pk])
    assert saved.name == "Thing 42, nightly"
    assert saved.operation == get_thing
    assert saved.spec == get_thing.version.spec
    assert (saved.method, saved.path, saved.operation_key) == (
        "GET",
        "/v1/things/{thingId}",
        "getThing",
    )
    assert saved.created_by == member.user
    assert saved.values == {
        **GET_THING_VALUES,
        "query:tags": ["red, blue"],  # fields for several values keep a list
        "header:X-Api-Key": REDACTED,
    }
    assert "key-that-must-not-be-kept" not in json.dumps(saved.values)


def test_save_keeps_the_body_and_its_options(member, things_op):
    create = things_op("createThing")
    body = '{"name": "Widget", "size": 5, "password": "hunter2-hunter2"}'
    save(member.client(), create, "New widget", {"body": body, "body_type": "application/json"})

    saved = only_saved()
    assert saved.body_content_type == "application/json"
    assert saved.body_view == "json"
    assert json.loads(saved.body) == {"name": "Widget", "size": 5, "password": REDACTED}
    assert "hunter2" not in saved.body


def test_a_body_without_secrets_keeps_its_own_formatting(member, things_op):
    body = '{"name":"Compact","size":1}'
    save(member.client(), things_op("createThing"), "Compact", {"body": body})
    assert only_saved().body == body


def test_the_prompt_carries_the_values_and_suggests_the_operations_name(member, things_op):
    get_thing = things_op("getThing")
    url = reverse("saved:new", args=[get_thing.team.slug, get_thing.pk])
    prompt = member.client().post(url, GET_THING_VALUES)
    page = html(prompt)
    fields = dict(form_fields(page, "saved-prompt"))
    assert fields["name"] == "Read a thing"
    carried = json.loads(fields["state"])
    assert carried["values"]["path:thingId"] == "thing-42"
    assert carried["values"]["query:tags"] == ["red, blue"]
    assert "[redacted]" in page  # it says secret values are saved as [redacted]
    assert not SavedRequest.objects.exists()  # nothing saved before the name is given


def test_an_empty_name_is_refused_and_the_values_stay(member, things_op):
    get_thing = things_op("getThing")
    url = reverse("saved:new", args=[get_thing.team.slug, get_thing.pk])
    prompt = member.client().post(url, GET_THING_VALUES)
    state = dict(form_fields(html(prompt), "saved-prompt"))["state"]
    again = member.client().post(url, {"state": state, "name": "   "})
    assert again.status_code == 200
    assert "Give the saved request a name." in html(again)
    assert dict(form_fields(html(again), "saved-prompt"))["state"] == state
    assert not SavedRequest.objects.exists()


def test_saving_with_htmx_updates_the_card_in_place(member, things_op):
    get_thing = things_op("getThing")
    url = reverse("saved:new", args=[get_thing.team.slug, get_thing.pk])
    client = member.client()
    headers = {"HX-Request": "true", "HX-Target": "saved-body"}

    prompt = client.post(url, GET_THING_VALUES, headers=headers)
    page = html(prompt)
    assert page.lstrip().startswith('<div id="saved-body"')
    assert f'hx-post="{url}"' in page  # the prompt posts back with htmx

    state = dict(form_fields(page, "saved-prompt"))["state"]
    done = client.post(url, {"state": state, "name": "By htmx"}, headers=headers)
    page = html(done)
    assert page.lstrip().startswith('<div id="saved-body"')
    assert "Saved “By htmx”." in page
    assert "By htmx</a>" in page
    assert only_saved().name == "By htmx"


def test_the_operation_page_offers_save_after_send(member, viewer, things_op):
    get_thing = things_op("getThing")
    page = html(member.client().get(op_url(get_thing)))
    new_url = reverse("saved:new", args=[get_thing.team.slug, get_thing.pk])
    assert f'formaction="{new_url}"' in page
    # The Save button follows Send, so Enter in a field still sends (the default button).
    assert page.index("data-send-button") < page.index(f'formaction="{new_url}"')
    viewer_page = html(viewer.client().get(op_url(get_thing)))
    assert "Saved requests" in viewer_page
    assert new_url not in viewer_page  # viewers read saved requests, they do not save


def test_both_lists_show_it_and_other_operations_do_not(member, viewer, things_op, team):
    get_thing, status = things_op("getThing"), things_op("getStatus")
    save(member.client(), get_thing, "Thing 42", GET_THING_VALUES)
    save(member.client(), status, "Status check")
    thing_saved = SavedRequest.objects.get(name="Thing 42")
    open_url = reverse("saved:open", args=[team.slug, thing_saved.pk])

    overall = html(viewer.client().get(list_url(team)))
    assert "Thing 42" in overall
    assert "Status check" in overall
    assert open_url in overall
    assert "Things API" in overall

    card = html(viewer.client().get(op_url(get_thing)))
    assert open_url in card
    assert "Status check" not in card

    assert "Thing 42" not in html(viewer.client().get(op_url(status)))


def test_the_list_filters_by_words(member, viewer, things_op, team):
    save(member.client(), things_op("getThing"), "Thing 42", GET_THING_VALUES)
    save(member.client(), things_op("getStatus"), "Status check")
    page = html(viewer.client().get(list_url(team), {"q": "status"}))
    assert "Status check" in page
    assert "Thing 42" not in page


def test_the_explorer_sidebar_links_to_the_list(viewer, things_op, team):
    page = html(viewer.client().get(op_url(things_op("getStatus"))))
    assert f'href="{list_url(team)}"' in page


def test_an_empty_list_says_how_to_save(viewer, team):
    page = html(viewer.client().get(list_url(team)))
    assert "No saved requests yet" in page
