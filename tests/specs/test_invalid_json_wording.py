"""One wording for JSON that does not parse, wherever a person gives the console JSON: the
operation form's body, a JSON field, a pasted spec, the API's request body, a bulk CSV's
body column and `manage.py call --body` all say "<what> is not valid JSON: <why> (line L,
column C)."."""

from __future__ import annotations

import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from console.api.tokens import token_create
from console.bulk import services as bulk
from console.bulk.models import BulkRow
from console.specs.engine.jsontext import InvalidJson, invalid_json_message, parse_json
from console.specs.models import Spec
from console.teams.models import Role
from tests.explorer import support
from tests.explorer.support import html, send

pytestmark = pytest.mark.django_db

# The sandbox spec's fixtures, found by name.
sandbox_spec = support.sandbox_spec
sandbox_op = support.sandbox_op
sandbox_access = support.sandbox_access
sandbox_env = support.sandbox_env

WORDING = re.compile(r"^(.+) is not valid JSON: [A-Z].* \(line \d+, column \d+\)\.$")
BROKEN = '{"name": "Cog",\n  "unit": }'
# Not YAML either (a pasted spec that is not JSON is read as YAML).
BROKEN_SPEC = '{"openapi": "3.0.3",\n  "paths": {'


def test_the_helper_says_what_why_and_where():
    with pytest.raises(InvalidJson) as caught:
        parse_json(BROKEN, "The request body")
    assert caught.value.message == (
        "The request body is not valid JSON: Expecting value (line 2, column 11)."
    )
    assert WORDING.match(caught.value.message)
    assert invalid_json_message("Column body", RecursionError()) == (
        "Column body is nested too deeply."
    )


def test_the_operation_form_body(member, sandbox_op, sandbox_access):
    page = html(send(member.client(), sandbox_op("createMeterType"), sandbox_access, body=BROKEN))
    assert "The request body is not valid JSON: Expecting value (line 2, column 11)." in page


def test_a_pasted_spec(admin, team):
    response = admin.client().post(
        reverse("specs:import", args=[team.slug]), {"name": "Broken", "paste": BROKEN_SPEC}
    )
    page = html(response).replace("&quot;", '"')
    assert (
        "The document is not valid JSON: Expecting property name enclosed in double quotes"
        " (line 2, column 13)." in page
    )
    assert not Spec.objects.exists()


def test_the_api_request_body(member, team):
    secret = token_create(scope=member.scope, name="ci", role=Role.MEMBER, days=30).secret
    response = Client().post(
        reverse("api:call", args=[team.slug, "listMeterTypes"]),
        BROKEN,
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 400
    message = response.json()["message"]
    assert message == "The request body is not valid JSON: Expecting value (line 2, column 11)."


def test_a_bulk_csv_body_column(member, sandbox_op):
    text = 'body\n"{""name"": ""Cog"",\n  ""unit"": }"\n'
    run = bulk.bulk_upload(scope=member.scope, operation=sandbox_op("createMeterType"), text=text)
    assert run.mapping == {"body": "body"}
    bulk.bulk_check(run)
    problems = BulkRow.objects.get(run=run).problems
    assert problems == {
        "body": "The request body is not valid JSON: Expecting value (line 2, column 11)."
    }


def test_the_call_command_body(member, team, sandbox_spec, sandbox_access):
    with pytest.raises(CommandError) as caught:
        call_command(
            "call",
            "listMeterTypes",
            "--team",
            team.slug,
            "--user",
            "mia",
            "--access",
            "Sandbox access",
            "--body",
            BROKEN,
        )
    assert str(caught.value) == "--body is not valid JSON: Expecting value (line 2, column 11)."
