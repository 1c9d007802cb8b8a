"""Opening a saved request fills the operation form in; sending it sends those values.

The page is read as a browser reads it (`page_form`): the send form's fields are
posted to its action, and the echo server shows what arrived.
"""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest
from django.urls import reverse

from console.history.models import CallRecord
from tests.explorer.page_form import form_action, form_dict
from tests.explorer.support import html
from tests.saved.conftest import GET_THING_VALUES, only_saved, save

pytestmark = pytest.mark.django_db


def open_url(saved) -> str:
    return reverse("saved:open", args=[saved.team.slug, saved.pk])


def test_open_prefills_parameters(member, viewer, things_op):
    get_thing = things_op("getThing")
    save(member.client(), get_thing, "Thing 42", GET_THING_VALUES)
    saved = only_saved()

    response = viewer.client().get(open_url(saved))
    assert response.status_code == 200
    page = html(response)
    fields = form_dict(page)
    assert fields["path:thingId"] == "thing-42"
    assert fields["query:limit"] == "7"
    assert fields["header:X-Request-Tag"] == "nightly"
    assert fields["header:X-Api-Key"] == "[redacted]"
    assert "Saved request “Thing 42”" in page
    # The secret that was not kept is named, with what to do about it.
    assert "header:X-Api-Key" in page
    assert "Type them again before sending" in page
    assert form_action(page) == reverse("explorer:send", args=[saved.team.slug, get_thing.pk])


def test_open_prefills_the_body(member, viewer, things_op):
    body = '{\n  "name": "Widget",\n  "size": 5\n}'
    save(member.client(), things_op("createThing"), "New widget", {"body": body})
    fields = form_dict(html(viewer.client().get(open_url(only_saved()))))
    assert fields["body"] == body
    assert fields["body_type"] == "application/json"


def test_open_then_send_sends_the_saved_values(member, things_op, echo, echo_access):
    values = {**GET_THING_VALUES, "header:X-Api-Key": ""}  # nothing secret in this one
    save(member.client(), things_op("getThing"), "Thing 42", values)
    client = member.client()
    page = html(client.get(open_url(only_saved())))
    fields = form_dict(page)
    assert fields["access"] == str(echo_access.pk)
    assert fields["query:tags"] == "red, blue"

    sent = client.post(form_action(page), fields)
    assert sent.status_code == 200
    [received] = echo.api()
    assert received.method == "GET"
    assert received.path == "/v1/things/thing-42"
    query = parse_qs(received.raw_query)
    assert query["limit"] == ["7"]
    assert query["tags"] == ["red", "blue"]
    assert received.headers["x-request-tag"] == "nightly"
    assert CallRecord.objects.get().operation_key == "getThing"


def test_open_then_send_a_saved_body(member, things_op, echo, echo_access):
    body = '{"name": "Widget", "size": 5}'
    save(member.client(), things_op("createThing"), "New widget", {"body": body})
    client = member.client()
    page = html(client.get(open_url(only_saved())))
    client.post(form_action(page), form_dict(page))
    [received] = echo.api()
    assert (received.method, received.path) == ("POST", "/v1/things")
    assert received.json() == {"name": "Widget", "size": 5}


def test_the_card_marks_the_request_that_is_open(member, viewer, things_op):
    save(member.client(), things_op("getThing"), "Thing 42", GET_THING_VALUES)
    saved = only_saved()
    page = html(viewer.client().get(open_url(saved)))
    assert f'href="{open_url(saved)}" aria-current="page"' in page


def test_save_changes_replaces_the_values(member, things_op):
    save(member.client(), things_op("getThing"), "Thing 42", GET_THING_VALUES)
    saved = only_saved()
    client = member.client()
    page = html(client.get(open_url(saved)))
    update_url = reverse("saved:update", args=[saved.team.slug, saved.pk])
    assert f'formaction="{update_url}"' in page

    fields = {**form_dict(page), "path:thingId": "thing-43"}
    response = client.post(update_url, fields)
    assert response.status_code == 302
    saved.refresh_from_db()
    assert saved.values["path:thingId"] == "thing-43"
    assert saved.name == "Thing 42"


def test_save_changes_with_htmx_answers_the_card_and_the_notice(member, things_op):
    save(member.client(), things_op("getThing"), "Thing 42", GET_THING_VALUES)
    saved = only_saved()
    client = member.client()
    page = html(client.get(open_url(saved)))
    update_url = reverse("saved:update", args=[saved.team.slug, saved.pk])
    response = client.post(update_url, form_dict(page), headers={"HX-Request": "true"})
    answer = html(response)
    assert answer.lstrip().startswith('<div id="saved-body"')
    assert 'id="prefill-notice"' in answer
    assert 'hx-swap-oob="true"' in answer
    assert "Saved the form as “Thing 42”." in answer


def test_a_body_that_is_not_json_yet_is_kept_as_typed(member, viewer, things_op):
    """What the page posts is what is kept: the body text exactly, even unfinished."""
    save(member.client(), things_op("createThing"), "Draft", {"body": '{"name": '})
    assert only_saved().body == '{"name": '
    fields = form_dict(html(viewer.client().get(open_url(only_saved()))))
    assert fields["body"] == '{"name": '


def test_a_body_edited_as_a_form_reopens_as_a_form(member, viewer, things_op):
    values = {"body_view": "form", "body_type": "application/json", "body:name": "Cog"}
    save(member.client(), things_op("createThing"), "Cog", {**values, "body:size": "2"})
    saved = only_saved()
    assert saved.body_view == "form"
    assert saved.values == {"body:name": "Cog", "body:size": "2"}
    fields = form_dict(html(viewer.client().get(open_url(saved))))
    assert fields["body_view"] == "form"
    assert (fields["body:name"], fields["body:size"]) == ("Cog", "2")
    assert "body" not in fields  # no JSON editor in the form view
