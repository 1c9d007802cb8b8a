"""An Application Access through its life: restrict, disable, enable, replace, delete,
and every step recorded as a credential event (never with a secret or token)."""

from __future__ import annotations

from django.urls import reverse

from console.history.models import AuditAction, AuditEvent
from console.vault import services
from console.vault.models import ApplicationAccess
from tests.conftest import SANDBOX_CLIENT_ID, SANDBOX_SECRET


def actions(access_id: int) -> list[str]:
    events = AuditEvent.objects.filter(access_id=access_id).order_by("id")
    return list(events.values_list("action", flat=True))


def test_each_change_is_an_event(admin, access):
    access_id = access.pk
    services.access_update(
        scope=admin.scope,
        access=access,
        name="Renamed",
        environment=access.environment,
        client_secret="a-brand-new-secret-value",
    )
    services.access_set_enabled(scope=admin.scope, access=access, enabled=False)
    services.access_set_enabled(scope=admin.scope, access=access, enabled=True)
    services.access_delete(scope=admin.scope, access=access)
    assert actions(access_id) == [
        AuditAction.CREATED,
        AuditAction.CHANGED,
        AuditAction.SECRET_REPLACED,
        AuditAction.DISABLED,
        AuditAction.ENABLED,
        AuditAction.DELETED,
    ]
    deleted = AuditEvent.objects.filter(access_id=access_id).order_by("id").last()
    assert deleted.access_name == "Renamed"  # readable after the access is gone
    assert not ApplicationAccess.objects.filter(pk=access_id).exists()


def test_testing_the_connection_records_the_fetch_then_reuses(member, access):
    first = services.access_test(scope=member.scope, access=access)
    second = services.access_test(scope=member.scope, access=access)
    assert not first.was_cached
    assert second.was_cached
    assert "read:meter_types" in first.scopes
    assert first.subject == f"••••{SANDBOX_CLIENT_ID[-4:]}@clients"  # masked like elsewhere
    assert actions(access.pk)[1:] == [
        AuditAction.TOKEN_FETCHED,
        AuditAction.TESTED,
        AuditAction.TESTED,
    ]


def test_events_hold_no_secret_or_token(member, access):
    services.access_test(scope=member.scope, access=access)
    token = services.access_token(access).access_token
    for event in AuditEvent.objects.all():
        stored = str(event.detail) + event.access_name
        assert SANDBOX_SECRET not in stored
        assert token not in stored


def test_disabled_access_cannot_send_and_says_why(admin, member, access):
    services.access_set_enabled(scope=admin.scope, access=access, enabled=False)
    assert services.access_refusal(member.scope, access) == (
        "Sandbox app is disabled; an admin can enable it again."
    )
    assert access not in services.usable_accesses(member.scope)


def test_admins_only_access_is_for_admins(admin, member, access):
    services.access_update(
        scope=admin.scope,
        access=access,
        name=access.name,
        environment=access.environment,
        admins_only=True,
    )
    assert services.access_refusal(member.scope, access) == (
        "Sandbox app is restricted to admins and owners."
    )
    assert services.access_refusal(admin.scope, access) is None
    assert list(services.usable_accesses(member.scope)) == []


def test_viewers_never_send(viewer, access):
    assert services.access_refusal(viewer.scope, access) == "Viewers cannot send calls."


def test_enable_view_is_for_admins(admin, member, outsider, access, team):
    url = reverse("vault:access_enable", args=[team.slug, access.pk])
    assert member.client().post(url, {"enabled": "0"}).status_code == 403
    assert outsider.client().post(url, {"enabled": "0"}).status_code == 404
    response = admin.client().post(url, {"enabled": "0"})
    assert response.status_code == 302
    access.refresh_from_db()
    assert not access.is_enabled


def test_events_page_lists_them_for_the_team_only(admin, outsider, access, team):
    url = reverse("history:events", args=[team.slug])
    page = admin.client().get(url)
    assert page.status_code == 200
    assert "Sandbox app" in page.content.decode()
    assert outsider.client().get(url).status_code == 404


def test_undecryptable_credentials_show_a_clear_error(admin, access, settings, team):
    from cryptography.fernet import Fernet

    settings.CONSOLE_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    page = admin.client().get(reverse("vault:access", args=[team.slug, access.pk]))
    assert page.status_code == 200
    assert "cannot be decrypted" in page.content.decode()
    settings_page = admin.client().get(reverse("teams:settings", args=[team.slug]))
    assert settings_page.status_code == 200  # the rest of the console keeps working
