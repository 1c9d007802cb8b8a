"""Set from response: a value of a recorded response, by JSON Pointer, into a variable."""

from __future__ import annotations

import html as html_lib
import json
import re

import pytest
from django.urls import reverse

from console.explorer.rendering import render_body
from console.history.services import CallFacts, call_record
from console.variables.models import Variable
from console.variables.services import (
    VariableError,
    json_pointer,
    json_pointer_get,
    set_from_response,
    variable_set,
    variables_for,
)
from tests.explorer.support import html, records, send

pytestmark = pytest.mark.django_db

DOC = {
    "a/b": 1,
    "m~n": "tilde",
    "list": [{"id": "x0"}, {"id": "x1"}],
    "": "empty",
    "o": {"k": [1, 2]},
}


def test_json_pointer_rfc6901():
    assert json_pointer_get(DOC, "") == DOC
    assert json_pointer_get(DOC, "/a~1b") == 1
    assert json_pointer_get(DOC, "/m~0n") == "tilde"
    assert json_pointer_get(DOC, "/list/1/id") == "x1"
    assert json_pointer_get(DOC, "/") == "empty"
    assert json_pointer_get(DOC, "/o/k") == [1, 2]
    assert json_pointer(["a/b", "m~n", 0]) == "/a~1b/m~0n/0"


@pytest.mark.parametrize(
    ("pointer", "says"),
    [
        ("/nope", "No property 'nope' at the top"),
        ("/list/2", "No item '2' at /list (it has 2)"),
        ("/list/01", "No item '01'"),
        ("/list/-", "No item '-'"),
        ("/m~0n/x", "Nothing below /m~0n"),
        ("list", "starts with /"),
    ],
)
def test_missing_pointer_says_where(pointer, says):
    with pytest.raises(KeyError) as caught:
        json_pointer_get(DOC, pointer)
    assert says in caught.value.args[0]


def _record(person, body, content_type="application/json", environment_name="Sandbox"):
    facts = CallFacts(
        method="GET",
        url="https://ue.example/x",
        status=200,
        response_body=body.encode(),
        response_content_type=content_type,
    )
    return call_record(scope=person.scope, facts=facts)


def test_values_stored_as_text_or_compact_json(member):
    record = _record(member, json.dumps(DOC))
    assert (
        set_from_response(scope=member.scope, record=record, pointer="/list/0/id", name="a").value
        == "x0"
    )
    assert (
        set_from_response(scope=member.scope, record=record, pointer="/a~1b", name="b").value == "1"
    )
    got = set_from_response(scope=member.scope, record=record, pointer="/list", name="c")
    assert got.value == '[{"id":"x0"},{"id":"x1"}]'
    assert got.environment is None


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        ("", "application/json", "no JSON body"),
        ("<html>", "text/html", "not JSON"),
        ('{"a": 1}', "application/json", "nothing at /b"),
        ('{"secret": "x"}', "application/json", "redacted"),
    ],
)
def test_unusable_responses_say_why(member, body, content_type, message):
    record = _record(member, body, content_type)
    pointer = "/secret" if "secret" in body else "/b"
    with pytest.raises(VariableError, match=message):
        set_from_response(scope=member.scope, record=record, pointer=pointer, name="v")


def test_other_teams_record_is_404(member, outsider):
    theirs = _record(outsider, '{"id": "theirs"}')
    client = member.client()
    url = reverse("variables:from_response", args=["metering"])
    response = client.post(
        url, {"record": theirs.pk, "pointer": "/id", "name": "x", "scope": "all"}
    )
    assert response.status_code == 404
    assert not Variable.objects.exists()


def test_viewer_cannot_set(viewer, member):
    record = _record(member, '{"id": "mine"}')
    url = reverse("variables:from_response", args=["metering"])
    response = viewer.client().post(
        url, {"record": record.pk, "pointer": "/id", "name": "x", "scope": "all"}
    )
    assert response.status_code == 403
    assert not Variable.objects.exists()


def test_the_tree_carries_pointers():
    body = render_body(json.dumps(DOC).encode(), "application/json", pointers=True)
    found = re.findall(r'data-pointer="([^"]*)"', str(body.html))
    assert [html_lib.unescape(p) for p in found] == [
        "/a~1b",
        "/m~0n",
        "/list/0/id",
        "/list/1/id",
        "/",
        "/o/k/0",
        "/o/k/1",
    ]
    assert 'type="button" class="jt-pick"' in str(body.html)
    assert "jt-pick" not in str(render_body(json.dumps(DOC).encode(), "application/json").html)


def test_send_pick_and_use_in_the_next_form(member, sandbox_access, sandbox_op, sandbox_env):
    """List meter types, save the first one's id for this environment from the panel,
    then get it with {{meterTypeId}}: the value comes from the recorded response."""
    page = html(send(member.client(), sandbox_op("listMeterTypes"), sandbox_access, htmx=True))
    assert 'data-pointer="/meterTypes/0/id"' in page
    assert "Save a value into a variable" in page
    (record,) = records()
    first_id = json.loads(record.response_body)["meterTypes"][0]["id"]

    url = reverse("variables:from_response", args=["metering"])
    answer = member.client().post(
        url,
        {
            "record": record.pk,
            "pointer": "/meterTypes/0/id",
            "name": "meterTypeId",
            "scope": "call",
            "value": "forged",
        },  # a value sent by the browser is never read
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200
    assert "{{meterTypeId}}" in html(answer)
    assert "for Sandbox" in html(answer)
    variable = Variable.objects.get(name="meterTypeId")
    assert (variable.value, variable.environment) == (first_id, sandbox_env)
    assert variables_for(member.scope, None).names() == []  # only this environment's

    send(
        member.client(),
        sandbox_op("getMeterType"),
        sandbox_access,
        {"path:meterTypeId": "{{meterTypeId}}"},
    )
    got = records()[-1]
    assert got.status == 200
    assert json.loads(got.response_body)["id"] == first_id


def test_bad_pointer_answers_a_message(member):
    record = _record(member, '{"a": 1}')
    url = reverse("variables:from_response", args=["metering"])
    answer = member.client().post(
        url,
        {"record": record.pk, "pointer": "/zz", "name": "v", "scope": "all"},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 400
    assert "nothing at /zz" in html_lib.unescape(html(answer))
    plain = member.client().post(
        url, {"record": record.pk, "pointer": "/a", "name": "1x", "scope": "all"}
    )
    assert plain.status_code == 302  # back to the call, with the message
    assert plain.url == reverse("history:detail", args=["metering", record.pk])


@pytest.mark.parametrize("who", ["member", "admin"])
def test_a_secret_variables_name_is_refused(request, admin, who):
    """Saving an answer into a secret variable's name is refused in words for everyone:
    never a 403 for a member, never a secret turned plain by an admin."""
    person = request.getfixturevalue(who)
    secret = variable_set(
        scope=admin.scope, name="apiKey", value="Kept-Secret-Value-1", secret=True
    )
    record = _record(person, '{"id": "from-the-answer"}')
    with pytest.raises(VariableError, match=r"\{\{apiKey\}\} is a secret variable"):
        set_from_response(scope=person.scope, record=record, pointer="/id", name="apiKey")
    secret.refresh_from_db()
    assert secret.is_secret
    assert secret.value == ""
    response = person.client().post(
        reverse("variables:from_response", args=["metering"]),
        {"record": record.pk, "pointer": "/id", "name": "apiKey", "scope": "all"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400  # the form's message, not a 403
    assert "is a secret variable" in html_lib.unescape(html(response))


def test_a_collection_capture_on_a_secret_name_fails_its_step(
    admin, member, sandbox_access, sandbox_op
):
    from console.collections import services as collections
    from tests.collections.support import meter_type_body, saved

    variable_set(scope=admin.scope, name="apiKey", value="Kept-Secret-Value-1", secret=True)
    collection = collections.collection_create(scope=member.scope, name="Capture a secret")
    create = saved(member.scope, sandbox_op("createMeterType"), "Create", body=meter_type_body())
    collections.item_add(
        scope=member.scope,
        collection=collection,
        name="Create",
        saved_request=create,
        captures=[{"variable": "apiKey", "pointer": "/id"}],
    )
    result = collections.collection_run(
        scope=member.scope, collection=collection, access=sandbox_access
    )
    assert not result.ok
    (step,) = result.steps
    assert step.record is not None
    assert "{{apiKey}} is a secret variable" in step.reason
    assert Variable.objects.get(name="apiKey").is_secret
