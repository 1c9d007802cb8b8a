"""Opening an invitation link: a new account or an existing one lands in the team with the
invitation's role; a used, revoked, expired, edited or unknown link says so in words; the
token leaves the address at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from console.history.models import TeamEvent, TeamEventAction
from console.invitations.models import Invitation
from console.teams.models import Membership, Role
from tests.conftest import sign_in
from tests.invitations.conftest import link_of, path_of, send

User = get_user_model()
GOOD = "Correct-Horse-Battery-42"


@pytest.fixture
def invite(team, admin):
    """Send an invitation as the admin; returns its link's path."""

    def make(email: str = "new@example.com", role: str = "member") -> str:
        return path_of(link_of(send(admin.client(), team.slug, email, role)))

    return make


def _open(client: Client, path: str):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == reverse("join:invitation")  # the token leaves the address
    return client.get(response["Location"])


def _sign_up(client: Client, username: str = "newbie", password: str = GOOD, **extra):
    data = {"username": username, "password1": password, "password2": password, **extra}
    return client.post(reverse("join:sign_up"), data)


def test_a_new_person_creates_an_account_and_lands_in_the_team(team, invite):
    client = Client()
    page = _open(client, invite())
    text = page.content.decode()
    assert page.status_code == 200
    assert "Join Metering" in text
    assert "adam invited new@example.com as" in text
    assert "Create account and join" in text

    response = _sign_up(client, name="New Person")
    assert response.status_code == 302
    assert response["Location"] == reverse("explorer:index", args=[team.slug])
    user = User.objects.get(username="newbie")
    assert (user.email, user.first_name) == ("new@example.com", "New Person")
    assert Membership.objects.get(team=team, user=user).role == Role.MEMBER
    assert client.get(reverse("history:list", args=[team.slug])).status_code == 200
    invitation = Invitation.objects.get()
    assert (invitation.state, invitation.accepted_by_name) == ("accepted", "newbie")
    kinds = set(TeamEvent.objects.filter(team=team).values_list("action", flat=True))
    assert {TeamEventAction.INVITATION_ACCEPTED, TeamEventAction.MEMBER_ADDED} <= kinds
    added = TeamEvent.objects.get(team=team, action=TeamEventAction.MEMBER_ADDED)
    assert (added.username, added.subject_name, added.detail) == (
        "adam",
        "newbie",
        {"new_role": "member", "via": "invitation"},
    )


def test_a_viewers_invitation_gives_a_viewer(team, invite):
    client = Client()
    _open(client, invite(role="viewer"))
    _sign_up(client)
    assert Membership.objects.get(team=team, user__username="newbie").role == Role.VIEWER


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("password", "This password is too common."),
        ("short", "This password is too short."),
        ("Exampleee", "The password is too similar to the email address."),
    ],
)
def test_the_password_is_checked_by_djangos_validators(team, invite, password, message):
    client = Client()
    _open(client, invite())
    response = _sign_up(client, password=password)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.filter(username="newbie").exists()
    assert Invitation.objects.get().state == "pending"


def test_a_taken_user_name_is_said_and_nothing_changes(team, invite, member):
    client = Client()
    _open(client, invite())
    response = _sign_up(client, username="mia")
    assert "A user with that username already exists." in response.content.decode()
    assert Invitation.objects.get().state == "pending"


def test_an_existing_account_signs_in_and_joins(team, other_team, invite, outsider):
    client = Client()
    page = _open(client, invite()).content.decode()
    assert "Sign in to join" in page
    login = client.post(
        reverse("login") + "?next=/invite/",
        {"username": "oscar", "password": "pw-oscar", "next": "/invite/"},
    )
    assert login["Location"] == "/invite/"
    joined = client.get("/invite/").content.decode()
    assert "Join as oscar" in joined
    response = client.post(reverse("join:accept"))
    assert response["Location"] == reverse("explorer:index", args=[team.slug])
    assert Membership.objects.get(team=team, user=outsider.user).role == Role.MEMBER
    assert Membership.objects.get(team=other_team, user=outsider.user).role == Role.OWNER


def test_accepting_twice_says_the_link_was_used(team, invite):
    path = invite()
    first = Client()
    _open(first, path)
    _sign_up(first)
    second = Client()
    page = _open(second, path)
    assert page.status_code == 200
    assert "This invitation has already been used" in page.content.decode()
    # and posting anyway changes nothing
    assert _sign_up(second, username="late").status_code == 200
    assert not User.objects.filter(username="late").exists()


def test_a_person_already_in_the_team_keeps_their_role(team, invite, viewer):
    client = viewer.client()
    page = _open(client, invite(role="admin")).content.decode()
    assert "You are already in Metering as Viewer" in page
    response = client.post(reverse("join:accept"), follow=True)
    assert "the invitation was not used" in response.content.decode()
    assert Membership.objects.get(team=team, user=viewer.user).role == Role.VIEWER
    assert Invitation.objects.get().state == "pending"


def test_an_expired_link_says_so_and_the_expiry_is_recorded_once(team, invite):
    path = invite()
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    for _ in range(2):
        page = _open(Client(), path)
        assert page.status_code == 200
        assert "This invitation expired on" in page.content.decode()
    expired = TeamEvent.objects.filter(team=team, action=TeamEventAction.INVITATION_EXPIRED)
    assert expired.count() == 1
    assert expired.get().detail["email"] == "new@example.com"


def test_a_link_for_another_team_is_not_valid(team, other_team, invite):
    path = invite().replace(f"/invite/{team.slug}/", f"/invite/{other_team.slug}/")
    response = Client().get(path)
    assert response.status_code == 404
    assert "This invitation link does not work" in response.content.decode()


def test_an_unknown_or_cut_token_is_not_valid(team, invite):
    path = invite()
    for broken in (path[:-10] + "/", f"/invite/{team.slug}/nonsense/", "/invite/"):
        response = Client().get(broken)
        assert response.status_code == 404, broken
        assert "This invitation link does not work" in response.content.decode()


def test_a_signed_in_person_can_switch_account_and_keep_the_invitation(team, invite, outsider):
    client = outsider.client()
    _open(client, invite())
    response = client.post(reverse("join:switch_account"))
    assert response["Location"] == reverse("join:invitation")
    page = client.get(reverse("join:invitation")).content.decode()
    assert "Create account and join" in page  # signed out, invitation still open


def test_with_passwords_off_the_invitation_offers_single_sign_on(team, invite, settings):
    settings.CONSOLE_LOCAL_PASSWORDS = False
    settings.CONSOLE_SSO = True
    settings.CONSOLE_SSO_LABEL = "Okta"
    client = Client()
    page = _open(client, invite()).content.decode()
    assert "Sign in with Okta to join" in page
    assert "/oidc/start/?next=%2Finvite%2F" in page
    assert "Create account and join" not in page
    assert _sign_up(client).status_code == 302
    assert not User.objects.filter(username="newbie").exists()


def test_the_new_account_signs_in_with_its_password_later(team, invite):
    client = Client()
    _open(client, invite())
    _sign_up(client)
    assert sign_in(Client(), "newbie", GOOD)
