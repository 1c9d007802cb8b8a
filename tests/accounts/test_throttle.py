"""Failed sign-ins throttled by django-axes: per user name and per address, a lock-out page
in words, the right password refused during the lock-out, and back after it or an unlock.

Each attempt is a real POST to the sign-in page; what it answered is recorded and the whole
sequence compared, so the limit is measured, not assumed.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from console.history.models import TeamEvent, TeamEventAction
from tests.conftest import sign_in

WRONG, LOCKED, IN = "wrong password", "locked", "signed in"


def attempt(client: Client, username: str, password: str) -> str:
    """One sign-in, as what the person saw."""
    response = client.post(reverse("login"), {"username": username, "password": password})
    page = response.content.decode()
    if response.status_code == 429:
        assert "Too many failed sign-ins" in page
        return LOCKED
    if response.status_code == 302:
        return IN
    assert response.status_code == 200
    assert "Wrong user name or password" in page
    return WRONG


@pytest.fixture
def limits(settings):
    settings.CONSOLE_SIGNIN_FAILURE_LIMIT = settings.AXES_FAILURE_LIMIT = 5
    settings.CONSOLE_SIGNIN_ADDRESS_FAILURE_LIMIT = 30
    settings.CONSOLE_SIGNIN_LOCKOUT = settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


def test_twenty_wrong_passwords_lock_the_user_name(limits, team, member):
    client = Client()
    seen = [attempt(client, "mia", f"guess-{n}") for n in range(20)]

    assert seen == [WRONG] * 4 + [LOCKED] * 16  # the 5th failure starts the lock-out
    assert attempt(Client(), "mia", "pw-mia") == LOCKED  # the right password, refused
    page = Client().post(reverse("login"), {"username": "mia", "password": "pw-mia"})
    text = page.content.decode()
    assert "sign-in is locked for 15 minutes" in text
    assert "ask an owner or admin of your team to unlock you" in text
    assert "pw-mia" not in text


def test_the_lock_out_is_a_team_event_and_so_are_the_failures(limits, team, member):
    client = Client()
    for n in range(7):
        attempt(client, "mia", f"guess-{n}")

    events = list(TeamEvent.objects.filter(team=team).order_by("id"))
    kinds = [(e.action, e.detail.get("reason")) for e in events]
    assert kinds == [
        *[(TeamEventAction.SIGN_IN_FAILED, "wrong password")] * 5,
        (TeamEventAction.LOCKED_OUT, None),
        *[(TeamEventAction.SIGN_IN_FAILED, "refused: locked out")] * 2,
    ]
    lockout = events[5]
    assert lockout.subject_name == "mia"
    assert lockout.detail["by"] == "user name"
    assert lockout.detail["failures"] == 5
    assert lockout.detail["minutes"] == 15
    assert lockout.address == "127.0.0.1"
    assert all("guess" not in str(e.detail) for e in events)


def test_the_right_password_works_once_the_lock_out_has_passed(limits, team, member):
    client = Client()
    for n in range(20):
        attempt(client, "mia", f"guess-{n}")
    assert attempt(Client(), "mia", "pw-mia") == LOCKED

    # Fifteen minutes later, as far as the attempts' times say.
    for row in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=row.pk).update(
            attempt_time=row.attempt_time - timedelta(minutes=16)
        )
    assert attempt(Client(), "mia", "pw-mia") == IN


def test_an_owner_unlocks_from_the_members_list(limits, team, owner, member):
    for n in range(5):
        attempt(Client(), "mia", f"guess-{n}")
    settings_page = owner.client().get(reverse("teams:settings", args=[team.slug]))
    page = settings_page.content.decode()
    assert "Locked out" in page
    assert reverse("people:unlock", args=[team.slug, member.membership.pk]) in page

    response = owner.client().post(reverse("people:unlock", args=[team.slug, member.membership.pk]))
    assert response.status_code == 302
    assert attempt(Client(), "mia", "pw-mia") == IN
    unlocked = TeamEvent.objects.get(team=team, action=TeamEventAction.UNLOCKED)
    assert (unlocked.username, unlocked.subject_name) == ("olivia", "mia")


def test_an_admin_cannot_unlock_an_owner(limits, team, owner, admin):
    for n in range(5):
        attempt(Client(), "olivia", f"guess-{n}")
    response = admin.client().post(
        reverse("people:unlock", args=[team.slug, owner.membership.pk]), follow=True
    )
    assert "Only an owner can do that for an owner." in response.content.decode()
    assert attempt(Client(), "olivia", "pw-olivia") == LOCKED


def test_another_user_name_is_not_locked_by_the_first(limits, team, member, viewer):
    client = Client()
    for n in range(6):
        attempt(client, "mia", f"guess-{n}")
    assert attempt(client, "victor", "pw-victor") == IN


def test_one_address_guessing_many_user_names_is_locked_by_its_own_limit(
    limits, settings, team, member
):
    settings.CONSOLE_SIGNIN_ADDRESS_FAILURE_LIMIT = 12
    client = Client()
    seen = [attempt(client, f"nobody-{n}", "guess") for n in range(14)]
    assert seen == [WRONG] * 11 + [LOCKED] * 3  # 12 failures from 127.0.0.1
    response = Client().post(reverse("login"), {"username": "mia", "password": "pw-mia"})
    assert response.status_code == 429
    assert "from your network address" in response.content.decode()


def test_a_failure_for_a_user_name_nobody_has_is_in_no_team(limits, team, member):
    attempt(Client(), "ghost", "guess")
    assert not TeamEvent.objects.exists()


def test_successful_sign_ins_are_team_events(limits, team, member):
    assert sign_in(Client(), "mia", "pw-mia")
    event = TeamEvent.objects.get(team=team)
    assert (event.action, event.subject_name, event.detail) == (
        TeamEventAction.SIGNED_IN,
        "mia",
        {"method": "password"},
    )
