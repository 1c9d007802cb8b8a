"""POST /api/v1/t/<team>/operations/<operationId>/call against the real sandbox and the echo
server: checked like the form, sent by `run_operation`, answered with status, headers,
body and the history record, recorded "via API token …", no secret or token in sight."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

import pytest
from django.urls import reverse

from console.history.chain import chain_verify
from console.history.models import CallRecord
from console.specs.services import spec_import
from tests.conftest import SANDBOX_SECRET


def _call(operation_id: str, team: str = "metering") -> str:
    return reverse("api:call", args=[team, operation_id])


@pytest.fixture
def sandbox_ready(sandbox_access, sandbox_spec):
    return sandbox_access


def test_a_call_answers_what_usage_engine_said_and_is_recorded(
    team, member, api_as, sandbox_ready, sandbox
):
    sandbox.reset_counters()
    response = api_as(member).post(_call("listMeterTypes"), {"access": "Sandbox access"})
    assert response.status_code == 200
    answer = response.json()
    assert answer["status"] == 200
    assert answer["method"] == "GET"
    assert answer["url"].endswith("/metering/v1/meter-types")
    assert "meterTypes" in answer["body"]
    assert ["Content-Type", "application/json"] in [
        [k, v.split(";")[0]] for k, v in answer["headers"]
    ]
    record = CallRecord.objects.get(pk=answer["record_id"])
    assert (record.username, record.via, record.operation_key) == (
        "mia",
        "API token ci of mia",
        "listMeterTypes",
    )
    assert chain_verify(team).ok
    assert sandbox.token_requests == 1


def test_no_secret_or_usage_engine_token_in_the_answer(member, api_as, sandbox_ready, sandbox):
    issued = []
    issue = sandbox.app.tokens.issue

    def recording(*args, **kwargs):
        token = issue(*args, **kwargs)
        issued.append(token.access_token)
        return token

    sandbox.app.tokens.issue = recording
    try:
        text = (
            api_as(member)
            .post(_call("listMeterTypes"), {"access": "Sandbox access"})
            .content.decode()
        )
    finally:
        del sandbox.app.tokens.issue
    assert issued
    assert all(token not in text for token in issued)
    assert SANDBOX_SECRET not in text


def test_a_body_is_sent_as_json_and_a_created_resource_comes_back(member, api_as, sandbox_ready):
    body = {
        "name": "Calls via API",
        "unit": "requests",
        "aggregation": {"type": "increment"},
    }
    response = api_as(member).post(
        _call("createMeterType"), {"access": "Sandbox access", "body": body}
    )
    answer = response.json()
    assert answer["status"] == 201, answer
    assert answer["body"]["name"] == "Calls via API"
    record = CallRecord.objects.get(pk=answer["record_id"])
    assert json.loads(record.request_body)["name"] == "Calls via API"


def test_values_are_checked_against_the_spec_like_the_form(member, api_as, echo_access, echo_spec):
    client = api_as(member)
    wrong = client.post(
        _call("listWidgets"), {"access": "Echo access", "params": {"limit": "many", "q": "x"}}
    )
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid"
    assert "limit" in wrong.json()["fields"]
    missing = client.post(_call("listWidgets"), {"access": "Echo access", "params": {}})
    assert missing.status_code == 400
    assert "q" in missing.json()["fields"]
    unknown = client.post(
        _call("listWidgets"), {"access": "Echo access", "params": {"q": "x", "colour": "red"}}
    )
    assert unknown.status_code == 400
    assert unknown.json()["fields"] == {"colour": "colour is not a parameter of this operation"}
    assert not CallRecord.objects.exists()  # nothing was sent


def test_parameters_reach_the_upstream(member, api_as, echo, echo_access, echo_spec):
    response = api_as(member).post(
        _call("listWidgets"),
        {"access": "Echo access", "params": {"limit": 5, "q": "gear box"}},
    )
    assert response.json()["status"] == 200
    (received,) = [r for r in echo.api() if r.path == "/v1/widgets"]
    assert dict(parse_qsl(received.raw_query)) == {"limit": "5", "q": "gear box"}
    assert received.headers["authorization"].startswith("Bearer ")
    assert "uec_" not in received.headers["authorization"]  # the console's token, not the API's


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"access": "Nope"}, 404, "No Application Access 'Nope' in the team."),
        ({}, 404, "Say which Application Access to call with"),
        ({"access": "Sandbox access", "params": [1]}, 400, "params must be an object"),
    ],
)
def test_refusals_say_what_is_wrong(member, api_as, sandbox_ready, data, status, message):
    response = api_as(member).post(_call("listMeterTypes"), data)
    assert response.status_code == status
    assert message in response.json()["message"]


def test_an_unknown_operation_and_a_bad_body_are_refused(member, api_as, sandbox_ready):
    client = api_as(member)
    assert client.post(_call("noSuchThing"), {"access": "Sandbox access"}).status_code == 404
    response = client.client.post(
        _call("listMeterTypes"), "not json", content_type="application/json", headers=client.headers
    )
    assert response.status_code == 400
    assert response.json()["message"].startswith("The request body is not valid JSON: ")


def test_an_operation_in_two_specs_needs_the_spec_named(
    admin, member, api_as, sandbox_ready, sandbox
):
    spec_import(scope=admin.scope, name="Sandbox copy", url=sandbox.url + "/openapi.json")
    client = api_as(member)
    ambiguous = client.post(_call("listMeterTypes"), {"access": "Sandbox access"})
    assert ambiguous.status_code == 409
    assert "Sandbox API" in ambiguous.json()["message"]
    named = client.post(
        _call("listMeterTypes"), {"access": "Sandbox access", "spec": "Sandbox copy"}
    )
    assert named.json()["status"] == 200


def test_production_needs_the_environment_named(member, api_as, sandbox_ready, sandbox_env):
    sandbox_env.is_production = True
    sandbox_env.save()
    client = api_as(member)
    body = {"name": "Prod", "unit": "requests", "aggregation": {"type": "increment"}}
    refused = client.post(_call("createMeterType"), {"access": "Sandbox access", "body": body})
    assert refused.status_code == 409
    assert '"confirm_production": "Sandbox"' in refused.json()["message"]
    assert not CallRecord.objects.exists()
    confirmed = client.post(
        _call("createMeterType"),
        {"access": "Sandbox access", "body": body, "confirm_production": "Sandbox"},
    )
    assert confirmed.json()["status"] == 201
    reading = client.post(_call("listMeterTypes"), {"access": "Sandbox access"})
    assert reading.json()["status"] == 200  # reading needs no confirmation


def test_a_restricted_access_is_refused_for_a_member(member, admin, api_as, sandbox_ready):
    sandbox_ready.admins_only = True
    sandbox_ready.save()
    response = api_as(member).post(_call("listMeterTypes"), {"access": "Sandbox access"})
    assert response.status_code == 400
    assert "admins" in response.json()["message"].lower()
    assert (
        api_as(admin).post(_call("listMeterTypes"), {"access": "Sandbox access"}).json()["status"]
        == 200
    )


def test_an_upstream_that_does_not_answer_is_502_with_its_record(
    member, admin, api_as, sandbox_spec
):
    from console.vault import services as vault
    from console.vault.models import Environment

    env = vault.environment_save(
        scope=admin.scope, environment=Environment(name="Gone", base_url="http://127.0.0.1:9")
    )
    vault.access_create(
        scope=admin.scope, name="Gone access", environment=env, client_id="c", client_secret="s"
    )
    response = api_as(member).post(_call("listMeterTypes"), {"access": "Gone access"})
    assert response.status_code == 502
    answer = response.json()
    assert answer["record_id"]
    assert CallRecord.objects.get(pk=answer["record_id"]).error_kind


@pytest.mark.django_db(transaction=True)  # the worker closes connections between tasks
def test_a_bulk_run_is_started_and_polled(team, member, api_as, sandbox_ready):
    from django.core.management import call_command

    from console.bulk.models import BulkRun

    client = api_as(member)
    csv_text = "name,unit,aggregation.type\n" + "".join(
        f"API bulk {n} {team.pk},requests,increment\n" for n in range(1, 4)
    )
    started = client.post(
        reverse("api:bulk_start", args=["metering", "createMeterType"]),
        {"access": "Sandbox access", "csv": csv_text},
    )
    assert started.status_code == 202, started.content
    run = BulkRun.objects.get(pk=started.json()["id"])
    assert run.via == "API token ci of mia"
    call_command("bulk_worker", "--batch", "--interval", "0")
    polled = client.client.get(started.json()["poll"], headers=client.headers).json()
    assert (polled["state"], polled["done"], polled["percent"]) == ("finished", 3, 100)
    record = CallRecord.objects.get(pk=run.rows.get(number=2).record_id)
    assert record.via == f"bulk run #{run.pk}, row 2 (API token ci of mia)"


def test_a_bulk_run_with_bad_rows_is_refused_naming_them(member, api_as, sandbox_ready):
    from console.bulk.models import BulkRun

    response = api_as(member).post(
        reverse("api:bulk_start", args=["metering", "createMeterType"]),
        {"access": "Sandbox access", "csv": "name,unit,aggregation.type\n,requests,increment\n"},
    )
    assert response.status_code == 400
    assert "row 1" in response.json()["fields"]
    assert not BulkRun.objects.exists()
