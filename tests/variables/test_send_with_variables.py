"""Send with {{variables}} against the real sandbox and the echo server: resolved before
the spec check, sent resolved, recorded resolved with secret values redacted, and never
shown back (panel, form, API answer)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from console.api.tokens import token_create
from console.history.models import CallRecord
from console.variables.services import variable_set
from tests.explorer.support import html, records, send

pytestmark = pytest.mark.django_db

SECRET = "Sekr1t-Value-9/q"  # has a "/" so it is percent-encoded in a path


def test_meter_type_id_in_a_path_parameter(member, sandbox_access, sandbox_op):
    created = send(
        member.client(),
        sandbox_op("createMeterType"),
        sandbox_access,
        body=json.dumps(
            {
                "name": "Variables test",
                "category": "API Counts",
                "unit": "requests",
                "aggregation": {"type": "increment"},
            }
        ),
    )
    assert created.status_code == 200
    record = records()[-1]
    meter_type_id = json.loads(record.response_body)["id"]
    variable_set(scope=member.scope, name="meterTypeId", value=meter_type_id)

    page = html(
        send(
            member.client(),
            sandbox_op("getMeterType"),
            sandbox_access,
            {"path:meterTypeId": "{{ meterTypeId }}"},
            htmx=True,
        )
    )
    got = records()[-1]
    assert got.status == 200, got.response_body
    assert got.url.endswith(f"/metering/v1/meter-types/{meter_type_id}")
    assert json.loads(got.response_body)["name"] == "Variables test"
    # Replay reopens the form as typed, so it takes the variable's value of its time.
    assert got.form_values["values"]["path:meterTypeId"] == "{{ meterTypeId }}"
    assert "Variables test" in page


def test_unknown_variable_is_a_field_error_and_nothing_is_sent(
    member, sandbox_access, sandbox_op, sandbox
):
    sandbox.reset_counters()
    page = html(
        send(
            member.client(),
            sandbox_op("getMeterType"),
            sandbox_access,
            {"path:meterTypeId": "{{nope}}"},
        )
    )
    assert "No variable named {{nope}} in Sandbox." in page
    assert records() == []
    assert sandbox.token_requests == 0


def _echo_secret(admin, member, echo_access, echo_op, client=None):
    variable_set(scope=admin.scope, name="key", value=SECRET, secret=True)
    variable_set(scope=member.scope, name="size", value="3")
    return send(
        client or member.client(),
        echo_op("createWidget"),
        echo_access,
        body='{"name": "{{key}}", "size": {{size}}}',
        htmx=True,
    )


def test_secret_sent_but_redacted_in_history_and_panel(admin, member, echo, echo_access, echo_op):
    page = html(_echo_secret(admin, member, echo_access, echo_op))
    (received,) = echo.api()
    assert received.json() == {"name": SECRET, "size": 3}  # sent resolved
    record = records()[-1]
    assert record.status == 201
    assert json.loads(record.request_body) == {"name": "[redacted]", "size": 3}
    assert SECRET not in json.dumps(
        [record.url, record.request_headers, record.request_body, record.response_body]
    )
    assert SECRET not in json.dumps(record.form_values)
    # The echo server answers with the name it got: the panel shows it redacted too.
    assert SECRET not in page
    assert "[redacted]" in page


def test_secret_in_path_query_and_header_redacted(admin, member, echo, echo_access, echo_op):
    variable_set(scope=admin.scope, name="key", value=SECRET, secret=True)
    send(
        member.client(),
        echo_op("deleteWidget"),
        echo_access,
        {"path:widgetId": "w-{{key}}"},
    )
    send(
        member.client(),
        echo_op("listWidgets"),
        echo_access,
        {"query:q": "{{key}}", "query:limit": "5"},
    )
    delete, listing = records()
    assert echo.api()[0].path.endswith("w-Sekr1t-Value-9%2Fq")
    assert SECRET in echo.api()[1].raw_query.replace("%2F", "/")
    for record in (delete, listing):
        assert "Sekr1t" not in record.url, record.url
        assert "[redacted]" in record.url
        assert "Sekr1t" not in json.dumps(record.request_headers)


def test_api_call_resolves_variables(member, admin, echo_access, echo_op):
    variable_set(scope=member.scope, name="q", value="plain-value")
    variable_set(scope=admin.scope, name="key", value=SECRET, secret=True)
    secret = token_create(scope=member.scope, name="ci", role="member", days=30).secret
    headers = {"Authorization": f"Bearer {secret}"}
    url = reverse("api:call", args=["metering", "listWidgets"])
    client = member.client()
    client.logout()
    answer = client.post(
        url,
        {"access": "Echo access", "params": {"q": "{{q}}-{{key}}"}},
        content_type="application/json",
        headers=headers,
    )
    assert answer.status_code == 200, answer.content
    assert SECRET not in answer.content.decode()
    record = CallRecord.objects.get(pk=answer.json()["record_id"])
    assert "plain-value-" in record.url
    assert "Sekr1t" not in record.url
    missing = client.post(
        url,
        {"access": "Echo access", "params": {"q": "{{nope}}"}},
        content_type="application/json",
        headers=headers,
    )
    assert missing.status_code == 400
    assert "No variable named {{nope}} in Echo." in json.dumps(missing.json())
