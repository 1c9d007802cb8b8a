"""Sessions: "Sign out everywhere" ends the others, and a removed member's access ends at
once while everything they did stays in the history."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from console.core.models import Session
from console.history.models import CallRecord, TeamEvent, TeamEventAction
from console.teams.models import Membership, Role
from tests.conftest import sign_in


def test_sign_out_everywhere_ends_the_other_sessions_only(team, member, viewer):
    here, laptop, phone, someone_else = Client(), Client(), Client(), Client()
    for client in (here, laptop, phone):
        assert sign_in(client, "mia", "pw-mia")
    assert sign_in(someone_else, "victor", "pw-victor")
    page = here.get(reverse("account:home")).content.decode()
    assert 'Sessions <span class="count">3</span>' in page

    response = here.post(reverse("account:sessions_end"), follow=True)
    assert "Signed out of 2 other sessions." in response.content.decode()
    assert here.get(reverse("account:home")).status_code == 200
    for client in (laptop, phone):
        assert client.get(reverse("account:home")).status_code == 302
    assert someone_else.get(reverse("account:home")).status_code == 200
    event = TeamEvent.objects.get(team=team, action=TeamEventAction.SESSIONS_ENDED)
    assert event.detail == {"sessions": 2}


def test_a_removed_member_is_refused_on_the_next_request(team, admin, member):
    client = Client()
    assert sign_in(client, "mia", "pw-mia")
    assert client.get(reverse("history:list", args=[team.slug])).status_code == 200
    CallRecord.objects.create(team=team, user=member.user, username="mia", method="GET", url="u")

    admin.client().post(reverse("teams:member_remove", args=[team.slug, member.membership.pk]))

    # In no team any more, so signed out everywhere: the next request is refused.
    refused = client.get(reverse("history:list", args=[team.slug]))
    assert refused.status_code == 302
    assert refused["Location"].startswith(reverse("login"))
    assert not Session.objects.filter(user_id=member.user.pk).exists()
    # what they did is still there, under their name
    assert CallRecord.objects.filter(team=team, username="mia").count() == 1
    event = TeamEvent.objects.get(team=team, action=TeamEventAction.MEMBER_REMOVED)
    assert (event.username, event.subject_name) == ("adam", "mia")
    assert event.detail == {"old_role": "member", "sessions_ended": 1}


def test_a_member_removed_from_one_of_two_teams_stays_signed_in(team, other_team, admin, member):
    Membership.objects.create(team=other_team, user=member.user, role=Role.VIEWER)
    client = Client()
    assert sign_in(client, "mia", "pw-mia")
    admin.client().post(reverse("teams:member_remove", args=[team.slug, member.membership.pk]))
    assert client.get(reverse("history:list", args=[team.slug])).status_code == 404
    assert client.get(reverse("history:list", args=[other_team.slug])).status_code == 200
