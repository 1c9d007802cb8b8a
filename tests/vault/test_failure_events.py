"""A failed Test connection and a refused token request are credential events, shown
with their reason in words; and every event's details read as words, not `key: False`."""

from __future__ import annotations

import pytest
from django.urls import reverse

from console.history.models import AuditAction, AuditEvent
from console.upstream.errors import TokenRejected
from console.vault import services
from console.vault.models import ApplicationAccess
from tests.conftest import SANDBOX_CLIENT_ID
from tests.explorer import support
from tests.explorer.support import html, send

pytestmark = pytest.mark.django_db

# The sandbox spec's fixtures, found by name.
sandbox_spec = support.sandbox_spec
sandbox_op = support.sandbox_op


@pytest.fixture
def refused(admin, sandbox_env) -> ApplicationAccess:
    """An Application Access whose secret the sandbox refuses."""
    return services.access_create(
        scope=admin.scope,
        name="Refused app",
        environment=sandbox_env,
        client_id=SANDBOX_CLIENT_ID,
        client_secret="a-secret-nobody-issued",
    )


def last_event(access: ApplicationAccess) -> AuditEvent:
    return AuditEvent.objects.filter(access_id=access.pk).order_by("id").last()


def test_a_failed_connection_test_is_an_event_with_its_reason(member, refused, team):
    with pytest.raises(TokenRejected):
        services.access_test(scope=member.scope, access=refused)
    event = last_event(refused)
    assert event.action == AuditAction.TEST_FAILED
    assert event.username == "mia"
    assert event.detail["kind"] == "token_rejected"
    assert "a-secret-nobody-issued" not in str(event.detail)


def test_the_test_button_records_the_failure_too(member, refused, team):
    page = member.client().post(reverse("vault:access_test", args=[team.slug, refused.pk]))
    assert page.status_code == 200
    assert last_event(refused).action == AuditAction.TEST_FAILED


def test_a_refused_token_request_during_send_is_an_event(member, refused, sandbox_op, team):
    send(member.client(), sandbox_op("listMeterTypes"), refused)
    event = last_event(refused)
    assert event.action == AuditAction.TOKEN_FAILED
    assert event.detail["kind"] == "token_rejected"
    events = html(member.client().get(reverse("history:events", args=[team.slug])))
    assert "Token request failed" in events
    assert event.detail["reason"] in events.replace("&#x27;", "'")


def test_an_api_error_after_a_token_is_no_token_event(member, access, sandbox_op):
    """A call that got its token and then a 404 is a fetch, not a failed token request."""
    missing = {"path:meterTypeId": "3fa85f64-5717-4562-b3fc-2c963f66afa6"}
    send(member.client(), sandbox_op("getMeterType"), access, missing)
    actions = set(AuditEvent.objects.filter(access_id=access.pk).values_list("action", flat=True))
    assert AuditAction.TOKEN_FAILED not in actions
    assert AuditAction.TOKEN_FETCHED in actions


def test_event_details_are_words(admin, member, access, team):
    restricted = services.access_create(
        scope=admin.scope,
        name="Admins' app",
        environment=access.environment,
        client_id="another-client",
        client_secret="another-secret-value",
        admins_only=True,
    )
    services.access_test(scope=member.scope, access=access)
    page = html(admin.client().get(reverse("history:events", args=[team.slug])))
    assert "restricted: " not in page
    assert "reused: " not in page
    assert "ms: " not in page
    assert "Usable by every member" in page
    assert "Restricted to admins and owners" in page
    assert "Fetched a new token; took" in page
    assert "Valid until " in page
    assert last_event(restricted).details == "Restricted to admins and owners"
