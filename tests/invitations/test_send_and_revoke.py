"""Sending and revoking invitations from the team settings: roles, the link shown once and
stored only as a hash, mail when it is set up, and the list's states."""

from __future__ import annotations

import hashlib

from django.core import mail
from django.urls import reverse

from console.history.models import TeamEvent, TeamEventAction
from console.invitations.models import Invitation
from tests.invitations.conftest import link_of, path_of, send


def test_an_admin_invites_a_member_and_sees_the_link_once(team, admin):
    response = send(admin.client(), team.slug, "new@example.com")
    assert response.status_code == 200
    link = link_of(response)
    assert link.startswith(f"http://testserver/invite/{team.slug}/")
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert len(token) >= 43  # 256 random bits
    invitation = Invitation.objects.get()
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(Invitation.objects.values().get())
    assert (invitation.email, invitation.role, invitation.created_by_name) == (
        "new@example.com",
        "member",
        "adam",
    )
    assert "does not send mail here" in response.content.decode()
    event = TeamEvent.objects.get(team=team, action=TeamEventAction.INVITATION_SENT)
    assert event.detail["email"] == "new@example.com"
    assert token not in str(event.detail)
    settings_page = admin.client().get(reverse("teams:settings", args=[team.slug]))
    assert token not in settings_page.content.decode()  # the list never shows the link


def test_the_link_expires_after_the_configured_time(team, admin, settings):
    from datetime import timedelta

    settings.CONSOLE_INVITE_TTL = timedelta(hours=2)
    send(admin.client(), team.slug, "new@example.com")
    invitation = Invitation.objects.get()
    assert invitation.expires_at - invitation.created_at == timedelta(hours=2)


def test_the_default_lifetime_is_seven_days(team, admin):
    from datetime import timedelta

    send(admin.client(), team.slug, "new@example.com")
    invitation = Invitation.objects.get()
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)


def test_the_link_is_mailed_when_mail_is_set_up(team, admin, settings):
    settings.CONSOLE_EMAIL = True
    response = send(admin.client(), team.slug, "new@example.com", "viewer")
    (message,) = mail.outbox
    assert message.to == ["new@example.com"]
    assert "adam invited you to Metering" in message.subject
    assert link_of(response) in message.body
    assert "as viewer" in message.body
    assert Invitation.objects.get().mailed


def test_a_mail_server_that_does_not_answer_leaves_the_link_to_copy(team, admin, settings):
    settings.CONSOLE_EMAIL = True
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},  # nothing listens
        }
    }
    response = send(admin.client(), team.slug, "new@example.com")
    assert response.status_code == 200
    assert "does not send mail here" in response.content.decode()
    assert link_of(response)
    assert not Invitation.objects.get().mailed


def test_an_admin_cannot_invite_an_owner_but_an_owner_can(team, owner, admin):
    client = admin.client()
    response = send(client, team.slug, "boss@example.com", "owner")
    assert response.status_code == 302
    assert not Invitation.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "Only an owner can invite an owner." in page
    assert send(owner.client(), team.slug, "boss@example.com", "owner").status_code == 200


def test_inviting_someone_already_in_the_team_is_refused(team, admin, member):
    member.user.email = "mia@example.com"
    member.user.save()
    client = admin.client()
    response = send(client, team.slug, "MIA@example.com")
    page = client.get(response["Location"]).content.decode()
    assert "MIA@example.com is already in this team, as mia (Member)." in page
    assert not Invitation.objects.exists()


def test_inviting_again_replaces_the_pending_invitation(team, admin, client):
    first = path_of(link_of(send(admin.client(), team.slug, "new@example.com")))
    send(admin.client(), team.slug, "new@example.com", "viewer")
    old, new = Invitation.objects.order_by("id")
    assert old.state == "revoked"
    assert new.state == "pending"
    client.get(first)
    page = client.get(reverse("join:invitation")).content.decode()
    assert "This invitation was withdrawn" in page
    revoked = TeamEvent.objects.get(team=team, action=TeamEventAction.INVITATION_REVOKED)
    assert revoked.detail["replaced"] is True


def test_revoking_says_so_on_the_link(team, admin, client):
    link = path_of(link_of(send(admin.client(), team.slug, "new@example.com")))
    invitation = Invitation.objects.get()
    response = admin.client().post(reverse("invitations:revoke", args=[team.slug, invitation.pk]))
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert (invitation.state, invitation.revoked_by_name) == ("revoked", "adam")
    client.get(link)
    page = client.get(reverse("join:invitation"))
    assert page.status_code == 200
    assert "This invitation was withdrawn" in page.content.decode()
    event = TeamEvent.objects.get(team=team, action=TeamEventAction.INVITATION_REVOKED)
    assert event.username == "adam"


def test_revoking_twice_is_said_in_words(team, admin):
    send(admin.client(), team.slug, "new@example.com")
    invitation = Invitation.objects.get()
    url = reverse("invitations:revoke", args=[team.slug, invitation.pk])
    client = admin.client()
    client.post(url)
    page = client.post(url, follow=True).content.decode()
    assert "The invitation for new@example.com is already revoked." in page


def test_the_settings_page_lists_invitations_with_their_state(team, owner, admin):
    send(admin.client(), team.slug, "a@example.com")
    send(admin.client(), team.slug, "b@example.com", "viewer")
    page = owner.client().get(reverse("teams:settings", args=[team.slug])).content.decode()
    assert 'data-invitation="a@example.com"' in page
    assert 'data-invitation="b@example.com"' in page
    assert page.count(">Pending</span>") == 2
    assert page.count(">Revoke</button>") == 2
