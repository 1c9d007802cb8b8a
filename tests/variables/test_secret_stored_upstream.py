"""A secret variable that one call stored upstream never comes back in the clear from a
later call that names no variable (review finding 1): not in the Send panel nor the history
record (the API's /call and the pass-through: tests/api/test_secret_variables.py). Also
every encoding of a secret in a query (finding 7)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from console.history.models import CallRecord
from console.variables.services import secret_forms_for, variable_delete, variable_set
from tests.explorer.support import html, records, send

pytestmark = pytest.mark.django_db

SECRET = "Upstream-Stored-Secret-7q"


def _record_text(record: CallRecord) -> str:
    """Every stored field of a record, as one text."""
    fields = [f.attname for f in CallRecord._meta.concrete_fields]
    return json.dumps({name: str(getattr(record, name)) for name in fields})


@pytest.fixture
def stored(admin, member, sandbox_access, sandbox_op):
    """The review's attack, step one: a Send whose body stores the secret as a meter type's
    name in the sandbox (the form names the variable, so that call is scrubbed already)."""
    variable_set(scope=admin.scope, name="apiKey", value=SECRET, secret=True)
    created = send(
        member.client(),
        sandbox_op("createMeterType"),
        sandbox_access,
        body=json.dumps(
            {
                "name": "{{apiKey}}",
                "category": "API Counts",
                "unit": "requests",
                "aggregation": {"type": "increment"},
            }
        ),
    )
    assert created.status_code == 200
    # 409 when an earlier test of the session (one sandbox for all) stored it already.
    assert records()[-1].status in (201, 409), records()[-1].response_body
    assert SECRET not in _record_text(records()[-1])


def test_a_plain_send_shows_and_records_no_stored_secret(
    member, stored, sandbox_access, sandbox_op
):
    page = html(send(member.client(), sandbox_op("listMeterTypes"), sandbox_access, htmx=True))
    record = records()[-1]
    assert record.status == 200
    assert "[redacted]" in record.response_body  # the meter type is listed, its name hidden
    assert SECRET not in _record_text(record)
    assert SECRET not in page
    detail = member.client().get(reverse("history:detail", args=["metering", record.pk]))
    assert SECRET not in detail.content.decode()


def test_the_secret_forms_follow_the_variables(admin, sandbox_access):
    """The per-process forms change as soon as a secret is added, changed or deleted."""
    team, env = admin.scope.team.pk, sandbox_access.environment_id
    assert secret_forms_for(team, env) == ()
    first = variable_set(scope=admin.scope, name="k", value="First-Secret-1", secret=True)
    assert "First-Secret-1" in secret_forms_for(team, env)
    variable_set(scope=admin.scope, name="k", value="Second-Secret-2", secret=True)
    forms = secret_forms_for(team, env)
    assert "Second-Secret-2" in forms
    assert "First-Secret-1" not in forms
    first.refresh_from_db()
    variable_delete(scope=admin.scope, variable=first)
    assert secret_forms_for(team, env) == ()


QUERY_SECRET = "ab,cd/ef gh"


def test_every_encoding_of_a_secret_in_a_query_is_scrubbed(
    admin, member, echo, echo_access, echo_op
):
    variable_set(scope=admin.scope, name="q", value=QUERY_SECRET, secret=True)
    page = html(
        send(member.client(), echo_op("listWidgets"), echo_access, {"query:q": "{{q}}"}, htmx=True)
    )
    (received,) = echo.api()
    assert received.raw_query == "q=ab,cd%2Fef%20gh"  # the query encoder keeps the comma
    record = records()[-1]
    assert record.status == 200
    text = _record_text(record)
    for form in (QUERY_SECRET, "ab,cd%2Fef%20gh", "ab%2Ccd%2Fef%20gh", "ab%2Ccd%2Fef+gh"):
        assert form not in text
        assert form not in page
    assert "q=[redacted]" in record.url


def test_a_literal_secret_in_a_plain_send_is_scrubbed_and_follows_changes(
    admin, member, echo, echo_access, echo_op
):
    """No placeholder at all: the secret typed in clear comes back in the echo's answer
    and is scrubbed; after the secret changes, the new value is (the Send view reads the
    secrets' marker with its access)."""
    client = member.client()
    for value in ("Literal-Secret-One-1", "Literal-Secret-Two-2"):
        variable_set(scope=admin.scope, name="lit", value=value, secret=True)
        body = json.dumps({"name": value, "size": 2})
        page = html(send(client, echo_op("createWidget"), echo_access, body=body, htmx=True))
        assert echo.api()[-1].json()["name"] == value  # sent as typed
        assert value not in page
        assert value not in _record_text(records()[-1])
        assert "[redacted]" in records()[-1].response_body


def test_another_processs_change_is_seen_by_the_marker(admin, sandbox_access):
    """A change made elsewhere (no signal in this process: a queryset update) is seen by
    the marker, with or without the marker read alongside the access."""
    from django.utils import timezone

    from console.variables.models import Variable
    from console.vault import crypto

    team, env = admin.scope.team.pk, sandbox_access.environment_id
    variable_set(scope=admin.scope, name="k", value="Before-Elsewhere-1", secret=True)
    assert "Before-Elsewhere-1" in secret_forms_for(team, env)
    Variable.objects.filter(name="k").update(
        secret_value=crypto.encrypt("After-Elsewhere-22"), updated_at=timezone.now()
    )
    forms = secret_forms_for(team, env)
    assert "After-Elsewhere-22" in forms
    assert "Before-Elsewhere-1" not in forms
