"""Free requests and the security review: characters the database cannot keep, secrets
through header names and error messages, the production confirmation's URL and label,
secret-named query and form values kept redacted, method-override headers dropped."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from console.api.passthrough import forwarded_headers
from console.freeform.models import FreeRequest
from console.freeform.services import (
    FreeRequestError,
    free_request_create,
    free_request_update,
    free_send,
)
from console.history.models import CallRecord
from console.history.redaction import REDACTED
from console.variables.services import variable_set
from console.vault import services as vault
from console.vault.models import Environment
from tests.conftest import SANDBOX_CLIENT_ID, SANDBOX_SECRET

pytestmark = pytest.mark.django_db

METER_TYPES = "/metering/v1/meter-types"
SECRET = "hush hush-secret value"  # not a header token: the old message quoted it


def _create(person, **kwargs):
    values = {"name": "R", "method": "GET", "path": METER_TYPES}
    values.update(kwargs)
    return free_request_create(scope=person.scope, **values)


def _secret(admin, env, name="apiKey", value=SECRET):
    variable_set(scope=admin.scope, name=name, value=value, secret=True, environment=env)


def _production(admin, sandbox):
    env = vault.environment_save(
        scope=admin.scope,
        environment=Environment(name="Live", base_url=sandbox.url, is_production=True),
    )
    access = vault.access_create(
        scope=admin.scope, name="Live access", environment=env,
        client_id=SANDBOX_CLIENT_ID, client_secret=SANDBOX_SECRET,
    )  # fmt: skip
    return env, access


# ---------------------------------------------------------------- NUL and surrogates


@pytest.mark.parametrize(
    "field",
    [
        {"name": "a\x00b"},
        {"name": "\ud800"},
        {"path": METER_TYPES + "\x00"},
        {"body": '{"a": "\x00"}'},
        {"body": "\udfff"},
        {"query": [("limit", "1\x00")]},
        {"query": [("li\ud800mit", "1")]},
        {"headers": [("X-A", "\x00")]},
    ],
)
def test_nul_and_lone_surrogates_are_refused_with_a_message(member, field):
    with pytest.raises(FreeRequestError, match="cannot be kept"):
        _create(member, **field)
    assert not FreeRequest.objects.exists()


def test_nul_in_an_update_is_refused(member):
    free = _create(member)
    with pytest.raises(FreeRequestError, match="cannot be kept"):
        free_request_update(
            scope=member.scope, free=free, method="GET", path="/x", body="a\x00", name="R"
        )
    free.refresh_from_db()
    assert free.path == METER_TYPES


def test_nul_in_a_posted_form_is_a_400_with_the_message(member, team):
    response = member.client().post(
        reverse("freeform:save", args=[team.slug]),
        {"name": "Bad\x00name", "method": "GET", "path": METER_TYPES},
    )
    assert response.status_code == 400
    assert "cannot be kept" in response.content.decode()
    assert not FreeRequest.objects.exists()


def test_a_send_with_a_nul_says_so_and_sends_nothing(member, sandbox_access):
    before = CallRecord.objects.count()
    outcome = free_send(
        scope=member.scope, access=sandbox_access, method="POST", path=METER_TYPES,
        query=(), headers=(), body="\udfff",
    )  # fmt: skip
    assert not outcome.sent
    assert "cannot be kept" in outcome.error
    assert CallRecord.objects.count() == before


# ---------------------------------------------------------------- header names


@pytest.mark.parametrize("name", ["X\r\nY", "X Y", "{{apiKey}}", "X-{{apiKey}}"])
def test_header_names_are_checked_when_saved(member, name):
    with pytest.raises(FreeRequestError):
        _create(member, headers=[(name, "1")])
    assert not FreeRequest.objects.exists()


def test_a_curl_import_with_a_bad_header_name_is_refused(member):
    from console.postman.services import PostmanError, curl_import

    with pytest.raises((FreeRequestError, PostmanError)):
        curl_import(scope=member.scope, text="curl -H $'X\\r\\nY: 1' https://h/metering/v1/x")
    assert not FreeRequest.objects.exists()


def test_a_secret_in_a_header_name_is_refused_and_never_shown(admin, member, sandbox_access):
    _secret(admin, sandbox_access.environment)
    before = CallRecord.objects.count()
    outcome = free_send(
        scope=member.scope, access=sandbox_access, method="GET", path=METER_TYPES,
        query=(), headers=[("{{apiKey}}", "1")], body="",
    )  # fmt: skip
    assert not outcome.sent
    assert "header name cannot hold a {{variable}}" in outcome.error
    assert "hush" not in outcome.error
    assert CallRecord.objects.count() == before


def test_error_messages_after_resolving_show_no_secret(admin, member, sandbox_access):
    # A secret whose value looks like a placeholder that is not a variable name: the
    # "is not a variable name" message would quote it (it is found after resolving).
    _secret(admin, sandbox_access.environment, value="{{hush secret words}}")
    before = CallRecord.objects.count()
    outcome = free_send(
        scope=member.scope, access=sandbox_access, method="GET", path=METER_TYPES,
        query=[("q", "{{apiKey}}")], headers=(), body="",
    )  # fmt: skip
    assert not outcome.sent
    assert "is not a variable name" in outcome.error
    assert "hush" not in outcome.error
    assert "[secret]" in outcome.error
    assert CallRecord.objects.count() == before


# ---------------------------------------------------------------- production confirmation


def test_the_confirmation_shows_no_secret(admin, member, sandbox, team):
    env, access = _production(admin, sandbox)
    _secret(admin, env, value="s3cretPathPart")
    path = METER_TYPES + "/{{apiKey}}"
    asked = free_send(
        scope=member.scope, access=access, method="DELETE", path=path,
        query=[("why", "{{apiKey}}")], headers=(), body="",
    )  # fmt: skip
    assert asked.needs_confirmation
    assert "s3cretPathPart" not in asked.url
    assert "s3cretPathPart" not in asked.operation_label
    assert asked.operation_label == path
    page = member.client().post(
        reverse("freeform:send", args=[team.slug]),
        {"access": access.pk, "method": "DELETE", "path": path,
         "query-0-name": "why", "query-0-value": "{{apiKey}}", "query-0-enabled": "1"},
        headers={"HX-Request": "true"},
    ).content.decode()  # fmt: skip
    assert "Live" in page
    assert "s3cretPathPart" not in page


# ---------------------------------------------------------------- stored redaction


def test_secret_named_query_values_are_stored_redacted_variables_kept(member):
    free = _create(
        member,
        path=METER_TYPES + "?access_token=tok-in-the-path&limit=5",
        query=[("access_token", "tok-typed"), ("client_secret", "{{clientSecret}}"),
               ("limit", "5")],
    )  # fmt: skip
    free.refresh_from_db()
    assert free.path == METER_TYPES + f"?access_token={REDACTED}&limit=5"
    assert [(r["name"], r["value"]) for r in free.query] == [
        ("access_token", REDACTED),
        ("client_secret", "{{clientSecret}}"),
        ("limit", "5"),
    ]


def test_a_form_encoded_body_is_stored_redacted(member):
    body = "grant_type=client_credentials&client_secret=s3cr3t-value&password={{pw}}"
    free = _create(
        member, method="POST", body=body, body_content_type="application/x-www-form-urlencoded"
    )
    free.refresh_from_db()
    assert (
        free.body == f"grant_type=client_credentials&client_secret={REDACTED}&password={{{{pw}}}}"
    )
    # Also when the Content-Type comes from a header row.
    other = _create(
        member, method="POST", body="client_secret=xyz12345",
        headers=[("Content-Type", "application/x-www-form-urlencoded")],
    )  # fmt: skip
    assert other.body == f"client_secret={REDACTED}"


def test_a_curl_import_keeps_no_secret_named_value(member, team):
    from console.postman.services import curl_import

    text = (
        "curl -X POST "
        "'https://api.example.com/metering/v1/meter-types?access_token=abc123tok&limit=2' "
        "-H 'Content-Type: application/x-www-form-urlencoded' "
        "--data 'grant_type=client_credentials&client_secret=cs-123456'"
    )
    free = curl_import(scope=member.scope, text=text)
    free.refresh_from_db()
    stored = json.dumps([free.path, free.query, free.headers, free.body])
    assert "abc123tok" not in stored
    assert "cs-123456" not in stored
    assert {r["name"]: r["value"] for r in free.query}.get("access_token", REDACTED) == REDACTED
    assert "client_secret=" in free.body
    # What a viewer reads: the page.
    page = member.client().get(reverse("freeform:open", args=[team.slug, free.pk]))
    assert "abc123tok" not in page.content.decode()


# ---------------------------------------------------------------- method overrides


@pytest.mark.parametrize("name", ["X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override"])
def test_method_override_headers_are_dropped(member, name):
    assert forwarded_headers({name: "DELETE", "X-Trace": "1"}) == {"X-Trace": "1"}
    free = _create(member, headers=[(name, "DELETE"), ("X-Trace", "1")])
    assert [r["name"] for r in free.headers] == ["X-Trace"]
