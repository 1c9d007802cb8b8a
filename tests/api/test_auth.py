"""Who an API token speaks for: its person, in its team only, with the lower of its role
and theirs; refused (401) when missing, unknown, revoked, expired, or its person left the
team or was disabled; another team's URL is 404; and rate-limited per token."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from console.api.models import ApiToken
from console.teams.models import Membership, Role
from tests.api.conftest import ApiClient


def _history(team_slug: str = "metering") -> str:
    return reverse("api:history", args=[team_slug])


def _call(team_slug: str = "metering") -> str:
    return reverse("api:call", args=[team_slug, "listMeterTypes"])


def test_no_token_is_401_with_how_to_get_one(team):
    response = Client().get(_history())
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
    assert "Settings → API tokens" in response.json()["message"]
    assert response["WWW-Authenticate"] == 'Bearer realm="console"'


def test_a_session_cookie_is_not_a_token(member):
    assert member.client().get(_history()).status_code == 401


@pytest.mark.parametrize("secret", ["uec_not-a-token", "Bearer", "ghp_x"])
def test_an_unknown_token_is_401(team, secret):
    assert ApiClient(secret).get(_history()).status_code == 401


def test_a_revoked_token_is_401(member, token_for):
    secret = token_for(member)
    ApiToken.objects.update(revoked_at=timezone.now())
    response = ApiClient(secret).get(_history())
    assert response.status_code == 401
    assert response.json()["message"] == "This API token is revoked."


def test_an_expired_token_is_401(member, token_for):
    secret = token_for(member)
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = ApiClient(secret).get(_history())
    assert response.status_code == 401
    assert response.json()["message"] == "This API token is expired."


def test_a_token_whose_person_left_the_team_is_401(team, member, token_for):
    secret = token_for(member)
    Membership.objects.filter(user=member.user, team=team).delete()
    assert ApiClient(secret).get(_history()).status_code == 401


def test_a_token_of_a_disabled_account_is_401(member, token_for):
    secret = token_for(member)
    member.user.is_active = False
    member.user.save()
    assert ApiClient(secret).get(_history()).status_code == 401


def test_a_token_of_team_a_sees_nothing_of_team_b(team, other_team, member, outsider, api_as):
    theirs = api_as(outsider)  # the outsider's token is for their team
    for url in (_history(team.slug), _call(team.slug), reverse("api:operations", args=[team.slug])):
        response = theirs.get(url) if "call" not in url else theirs.post(url, {"access": "x"})
        assert response.status_code == 404, url
        assert response.json() == {"error": "not_found", "message": "No such team."}
    mine = api_as(member)
    assert mine.get(_history(other_team.slug)).status_code == 404


def test_a_viewers_token_reads_but_cannot_call(team, viewer, api_as):
    client = api_as(viewer)
    assert client.get(_history()).status_code == 200
    response = client.post(_call(), {"access": "Sandbox access"})
    assert response.status_code == 403
    assert "member role or above" in response.json()["message"]


def test_a_token_acts_with_the_lower_of_its_role_and_its_persons(team, member, api_as):
    as_viewer = api_as(member, Role.VIEWER)
    assert as_viewer.post(_call(), {"access": "x"}).status_code == 403
    full = api_as(member)
    Membership.objects.filter(user=member.user, team=team).update(role=Role.VIEWER)
    assert full.post(_call(), {"access": "x"}).status_code == 403  # demoted since


def test_use_is_recorded_and_calls_are_rate_limited(team, member, token_for, settings):
    settings.CONSOLE_API_RATE_PER_MINUTE = 3
    client = ApiClient(token_for(member))
    statuses = [client.get(_history()).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    limited = client.get(_history())
    assert int(limited["Retry-After"]) >= 1
    assert "more than 3 calls in a minute" in limited.json()["message"]
    assert ApiToken.objects.get().last_used_at is not None
    # a minute later the window starts again
    ApiToken.objects.update(window_start=timezone.now() - timedelta(minutes=2))
    assert client.get(_history()).status_code == 200
