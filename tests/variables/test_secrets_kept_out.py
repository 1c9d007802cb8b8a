"""A secret variable used in a Send never shows again: not in the re-rendered form, the
call's page, the history's exports, a saved request or a replay."""

from __future__ import annotations

import html as html_lib

import pytest
from django.urls import reverse

from console.saved.models import SavedRequest
from console.variables.services import variable_set
from tests.explorer.support import html, records, send

pytestmark = pytest.mark.django_db

SECRET = "Kept-Out-Secret-31"


@pytest.fixture
def sent(admin, member, echo, echo_access, echo_op):
    variable_set(scope=admin.scope, name="key", value=SECRET, secret=True)
    send(
        member.client(),
        echo_op("createWidget"),
        echo_access,
        body='{"name": "{{key}}", "size": 2}',
    )
    (record,) = records()
    assert echo.api()[0].json()["name"] == SECRET
    return record


def test_call_page_exports_and_replay(member, sent):
    client = member.client()
    pages = [
        client.get(reverse("history:detail", args=["metering", sent.pk])),
        client.get(reverse("history:replay", args=["metering", sent.pk])),
        client.get(reverse("history:export", args=["metering", "csv"])),
        client.get(reverse("history:export", args=["metering", "jsonl"])),
        client.get(reverse("history:list", args=["metering"])),
    ]
    for page in pages:
        assert page.status_code == 200
        text = b"".join(page.streaming_content) if page.streaming else page.content
        assert SECRET.encode() not in text
    detail = html(pages[0])
    assert "Save a value into a variable" in detail  # a member may pick from the call's page
    assert 'data-pointer="/id"' in detail
    replay = html_lib.unescape(html(pages[1]))
    assert '"name": "[redacted]"' in replay  # the body as recorded: resolved, secret redacted


def test_viewer_sees_no_picker(viewer, sent):
    detail = html(viewer.client().get(reverse("history:detail", args=["metering", sent.pk])))
    assert "Save a value into a variable" not in detail
    assert "jt-pick" not in detail


def test_form_rerender_and_field_errors(admin, member, echo, echo_access, echo_op):
    variable_set(scope=admin.scope, name="key", value=SECRET, secret=True)
    # A name over the schema's 20 characters: not sent, and the form comes back.
    page = html(
        send(
            member.client(),
            echo_op("createWidget"),
            echo_access,
            body='{"name": "{{key}}{{key}}", "size": 2}',
        )
    )
    assert "Not sent" in page
    assert SECRET not in page
    assert "{{key}}{{key}}" in html_lib.unescape(page)
    assert echo.api() == []


def test_saved_request_keeps_the_placeholder(admin, member, echo_access, echo_op):
    variable_set(scope=admin.scope, name="key", value=SECRET, secret=True)
    op = echo_op("createWidget")
    url = reverse("saved:new", args=["metering", op.pk])
    client = member.client()
    prompt = client.post(url, {"access": echo_access.pk, "body": '{"name": "{{key}}"}'})
    assert SECRET not in html(prompt)
    state = prompt.context["prompt"]["state_json"]
    client.post(url, {"name": "With a secret", "state": state})
    saved = SavedRequest.objects.get(name="With a secret")
    assert saved.body == '{"name": "{{key}}"}'
