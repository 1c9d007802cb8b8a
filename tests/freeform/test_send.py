"""free_send against the session sandbox: the call, its history record, and the rules a
spec Send keeps (host, production guard, credential headers, variables, roles)."""

from __future__ import annotations

import json
import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from console.freeform.services import free_send
from console.history.models import CallRecord
from console.vault import services as vault
from console.vault.models import Environment

pytestmark = pytest.mark.django_db

METER_TYPES = "/metering/v1/meter-types"


def _body(name: str) -> str:
    return json.dumps({"name": name, "unit": "requests", "aggregation": {"type": "increment"}})


def _send(person, access, **kwargs):
    values = {"method": "GET", "path": METER_TYPES, "query": (), "headers": (), "body": ""}
    values.update(kwargs)
    return free_send(scope=person.scope, access=access, **values)


def test_a_get_is_sent_and_recorded_without_an_operation(member, sandbox_access):
    outcome = _send(member, sandbox_access, query=[{"name": "limit", "value": "5"}])
    assert outcome.sent, outcome.error
    assert outcome.status == 200
    assert outcome.url == sandbox_access.environment.base_url.rstrip("/") + METER_TYPES + "?limit=5"
    assert "meterTypes" in outcome.body.text
    record = CallRecord.objects.get(pk=outcome.record.pk)
    assert record.operation_id is None
    assert record.method == "GET"
    assert record.status == 200
    assert record.url == outcome.url
    assert ["Authorization", "Bearer [redacted]"] in record.request_headers


def test_a_post_creates_and_a_delete_removes(member, sandbox_access):
    name = f"Free {uuid.uuid4().hex[:8]}"
    created = _send(member, sandbox_access, method="POST", body=_body(name))
    assert created.status == 201, created.body.text if created.body else created.error
    meter_type = json.loads(created.body.text)
    assert meter_type["name"] == name
    record = CallRecord.objects.get(pk=created.record.pk)
    assert ["Content-Type", "application/json"] in record.request_headers
    assert json.loads(record.request_body)["name"] == name
    gone = _send(member, sandbox_access, method="DELETE", path=f"{METER_TYPES}/{meter_type['id']}")
    assert gone.status == 204


def test_disabled_rows_are_not_sent(member, sandbox_access):
    outcome = _send(
        member,
        sandbox_access,
        query=[{"name": "limit", "value": "5", "enabled": False}, ("a", "1")],
    )
    assert outcome.url.endswith(METER_TYPES + "?a=1")


@pytest.mark.parametrize(
    "path",
    [
        "https://evil.example/metering",
        "http://127.0.0.1:1/x",
        "//evil.example/x",
        "\\\\evil.example\\x",
        "javascript:alert(1)",
        "/metering/../../admin",
        "/metering/%2e%2e/admin",
        "/a b",
        "/x#frag",
    ],
)
def test_a_path_that_leaves_the_environment_is_refused(member, sandbox_access, path):
    before = CallRecord.objects.count()
    outcome = _send(member, sandbox_access, path=path)
    assert not outcome.sent
    assert outcome.error
    assert CallRecord.objects.count() == before


def test_credential_and_hop_by_hop_headers_are_dropped(member, sandbox_access):
    outcome = _send(
        member,
        sandbox_access,
        headers=[
            {"name": "Authorization", "value": "Bearer mine"},
            {"name": "Cookie", "value": "a=b"},
            {"name": "Host", "value": "evil.example"},
            {"name": "Connection", "value": "close"},
            {"name": "X-Request-Tag", "value": "nightly"},
        ],
    )
    assert outcome.status == 200, outcome.error
    record = CallRecord.objects.get(pk=outcome.record.pk)
    names = {name.lower(): value for name, value in record.request_headers}
    assert names["authorization"] == "Bearer [redacted]"
    assert "cookie" not in names
    assert "host" not in names
    assert "connection" not in names
    assert names["x-request-tag"] == "nightly"


def test_a_header_with_a_line_break_is_refused(member, sandbox_access):
    outcome = _send(member, sandbox_access, headers=[("X-A", "1\r\nX-B: 2")])
    assert not outcome.sent
    assert "line breaks" in outcome.error


def test_invalid_json_is_not_sent(member, sandbox_access):
    outcome = _send(
        member, sandbox_access, method="POST", body="{nope", body_content_type="application/json"
    )
    assert not outcome.sent
    assert "not valid JSON" in outcome.error


def test_production_needs_a_confirmation_naming_the_environment(admin, member, sandbox):
    env = vault.environment_save(
        scope=admin.scope,
        environment=Environment(name="Live", base_url=sandbox.url, is_production=True),
    )
    from tests.conftest import SANDBOX_CLIENT_ID, SANDBOX_SECRET

    access = vault.access_create(
        scope=admin.scope,
        name="Live access",
        environment=env,
        client_id=SANDBOX_CLIENT_ID,
        client_secret=SANDBOX_SECRET,
    )
    before = CallRecord.objects.count()
    asked = _send(member, access, method="POST", body=_body(f"Prod {uuid.uuid4().hex[:6]}"))
    assert asked.needs_confirmation
    assert not asked.sent
    assert asked.environment_name == "Live"
    assert asked.environment_id == env.pk
    assert CallRecord.objects.count() == before
    other = _send(
        member,
        access,
        method="POST",
        body="{}",
        confirm_production=True,
        confirmed_environment=str(env.pk + 1000),
    )
    assert other.needs_confirmation
    # Reads are not guarded.
    assert _send(member, access).status == 200
    sent = _send(
        member,
        access,
        method="POST",
        body=_body(f"Prod {uuid.uuid4().hex[:6]}"),
        confirm_production=True,
        confirmed_environment=str(env.pk),
    )
    assert sent.status == 201


def test_an_unknown_variable_sends_nothing(member, sandbox_access):
    before = CallRecord.objects.count()
    outcome = _send(member, sandbox_access, path=METER_TYPES + "/{{noSuchVariable}}")
    assert not outcome.sent
    assert "noSuchVariable" in outcome.error
    assert CallRecord.objects.count() == before


def test_variables_are_resolved_and_secrets_scrubbed(admin, member, sandbox_access):
    from console.variables.services import variable_set

    variable_set(
        scope=member.scope, name="limit", value="3", environment=sandbox_access.environment
    )
    variable_set(
        scope=admin.scope,
        name="tag",
        value="very-secret-tag-value",
        secret=True,
        environment=sandbox_access.environment,
    )
    outcome = _send(
        member,
        sandbox_access,
        query=[("limit", "{{limit}}"), ("tag", "{{tag}}")],
        headers=[("X-Tag", "{{tag}}")],
    )
    assert outcome.status == 200, outcome.error
    record = CallRecord.objects.get(pk=outcome.record.pk)
    assert "limit=3" in record.url
    stored = json.dumps([record.url, record.request_headers, record.request_body])
    assert "very-secret-tag-value" not in stored


def test_viewers_are_refused(viewer, sandbox_access):
    with pytest.raises(PermissionDenied):
        _send(viewer, sandbox_access)


def test_another_teams_access_is_404(member, theirs_access):
    with pytest.raises(Http404):
        _send(member, theirs_access)


def test_a_value_redacted_when_saved_is_not_sent(member, sandbox_access):
    from console.freeform.services import free_request_create

    free = free_request_create(
        scope=member.scope, name="Keyed", method="GET", path=METER_TYPES,
        headers=[("X-Api-Key", "key-that-must-not-be-kept")],
    )  # fmt: skip
    assert free.headers[0]["value"] == "[redacted]"
    before = CallRecord.objects.count()
    outcome = _send(member, sandbox_access, headers=free.headers)
    assert not outcome.sent
    assert "X-Api-Key holds a redacted value" in outcome.error
    assert CallRecord.objects.count() == before


def test_an_echoed_secret_is_redacted_in_the_panel(admin, member, sandbox_access):
    from console.variables.services import variable_set

    variable_set(
        scope=admin.scope, name="secretName", value="echoed-secret-name-42", secret=True,
        environment=sandbox_access.environment,
    )  # fmt: skip
    created = _send(
        member, sandbox_access, method="POST",
        body=json.dumps(
            {"name": "{{secretName}}", "unit": "requests", "aggregation": {"type": "increment"}}
        ),
    )  # fmt: skip
    assert created.status == 201, created.body.text
    assert "echoed-secret-name-42" not in created.body.text
    assert "[redacted]" in created.body.text
    record = CallRecord.objects.get(pk=created.record.pk)
    assert "echoed-secret-name-42" not in record.response_body + record.request_body
    meter_type_id = json.loads(record.response_body)["id"]
    _send(member, sandbox_access, method="DELETE", path=f"{METER_TYPES}/{meter_type_id}")
