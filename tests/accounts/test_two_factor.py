"""Two-factor sign-in: enrolment with a real TOTP code, the code step after the password,
backup codes, turning it off, an admin's reset, and a team's two-factor rule."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from console.history.models import TeamEvent, TeamEventAction
from console.teams.models import Membership, Role
from tests.accounts.conftest import app_code, enrol


def _password_step(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_enrolment_needs_a_right_code(member):
    client = member.client()
    page = client.get(reverse("account:two_factor_setup")).content.decode()
    assert "<svg" in page
    assert "QR code for your authenticator app" in page
    response = client.post(reverse("account:two_factor_setup"), {"code": "000000"})
    assert "That code is not the one your app shows now" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=member.user, confirmed=True).exists()


def test_enrolment_shows_ten_backup_codes_and_is_a_team_event(team, member):
    codes = enrol(member.client(), member.user)
    assert len(codes) == 10
    assert len(set(codes)) == 10
    event = TeamEvent.objects.get(team=team, action=TeamEventAction.TWO_FACTOR_ENROLLED)
    assert event.subject_name == "mia"
    assert not any(code in str(event.detail) for code in codes)


def test_the_secret_is_shown_only_while_setting_up(member):
    client = member.client()
    enrol(client, member.user)
    assert client.get(reverse("account:two_factor_setup")).status_code == 302  # done: no QR
    assert "data-totp-secret" not in client.get(reverse("account:home")).content.decode()


def test_sign_in_asks_for_the_code_after_the_password(team, member):
    enrol(member.client(), member.user)
    client = Client()
    step = _password_step(client, "mia", "pw-mia")
    assert step.status_code == 302
    assert step["Location"] == reverse("account:sign_in_code")
    assert "_auth_user_id" not in client.session  # not signed in yet
    assert client.get(reverse("account:home")).status_code == 302

    done = client.post(reverse("account:sign_in_code"), {"code": app_code(member.user, ahead=1)})
    assert done.status_code == 302
    assert client.session["console_signin_method"] == "two_factor"
    assert client.get(reverse("account:home")).status_code == 200
    signed_in = TeamEvent.objects.filter(team=team, action=TeamEventAction.SIGNED_IN).first()
    assert signed_in.detail == {"method": "two_factor"}


def test_a_wrong_code_is_refused_and_counted(team, member):
    enrol(member.client(), member.user)
    client = Client()
    _password_step(client, "mia", "pw-mia")
    response = client.post(reverse("account:sign_in_code"), {"code": "123456"})
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert "_auth_user_id" not in client.session
    failed = TeamEvent.objects.get(team=team, action=TeamEventAction.SIGN_IN_FAILED)
    assert failed.detail == {"reason": "wrong two-factor code"}


def test_a_backup_code_works_once(member):
    codes = enrol(member.client(), member.user)
    first = Client()
    _password_step(first, "mia", "pw-mia")
    assert first.post(reverse("account:sign_in_code"), {"code": codes[0]}).status_code == 302
    again = Client()
    _password_step(again, "mia", "pw-mia")
    response = again.post(reverse("account:sign_in_code"), {"code": codes[0]})
    assert response.status_code == 200
    assert "_auth_user_id" not in again.session


def test_the_code_step_expires(member, settings):
    enrol(member.client(), member.user)
    client = Client()
    _password_step(client, "mia", "pw-mia")
    session = client.session
    session["console_pending_signin"]["at"] -= 301
    session.save()
    response = client.post(
        reverse("account:sign_in_code"), {"code": app_code(member.user, ahead=1)}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("login")


def test_turning_it_off_needs_the_password(team, member):
    client = member.client()
    enrol(client, member.user)
    client.post(reverse("account:two_factor_off"), {"password": "wrong"})
    assert TOTPDevice.objects.filter(user=member.user).exists()
    client.post(reverse("account:two_factor_off"), {"password": "pw-mia"})
    assert not TOTPDevice.objects.filter(user=member.user).exists()
    assert TeamEvent.objects.filter(team=team, action=TeamEventAction.TWO_FACTOR_REMOVED).exists()
    assert _password_step(Client(), "mia", "pw-mia")["Location"] == "/"  # password alone


def test_new_backup_codes_replace_the_old(member):
    client = member.client()
    old = enrol(client, member.user)
    page = client.post(reverse("account:backup_codes")).content.decode()
    new = page.split("data-backup-codes>")[1].split("</pre>")[0].split()
    assert len(new) == 10
    assert not set(new) & set(old)
    login = Client()
    _password_step(login, "mia", "pw-mia")
    assert login.post(reverse("account:sign_in_code"), {"code": old[0]}).status_code == 200


def test_an_admin_resets_a_members_two_factor(team, admin, member):
    enrol(member.client(), member.user)
    url = reverse("people:two_factor_reset", args=[team.slug, member.membership.pk])
    assert admin.client().post(url).status_code == 302
    assert not TOTPDevice.objects.filter(user=member.user).exists()
    event = TeamEvent.objects.get(team=team, action=TeamEventAction.TWO_FACTOR_RESET)
    assert (event.username, event.subject_name) == ("adam", "mia")


def test_a_reset_is_refused_for_a_person_in_another_team(team, other_team, admin, member):
    Membership.objects.create(team=other_team, user=member.user, role=Role.OWNER)
    enrol(member.client(), member.user)
    url = reverse("people:two_factor_reset", args=[team.slug, member.membership.pk])
    page = admin.client().post(url, follow=True).content.decode()
    assert "is also in another team" in page
    assert TOTPDevice.objects.filter(user=member.user, confirmed=True).exists()


class TestTeamRule:
    """ "Members must use two-factor or single sign-on", on every team page."""

    def test_a_password_session_is_shown_how_to_get_in(self, team, owner, member):
        team.require_two_factor = True
        team.save()
        client = member.client()  # signed in without a sign-in method: a password one
        for name, args in [
            ("explorer:index", [team.slug]),
            ("history:list", [team.slug]),
            ("teams:settings", [team.slug]),
        ]:
            response = client.get(reverse(name, args=args))
            assert response.status_code == 403
            assert "two-factor or single sign-on" in response.content.decode()
        assert client.get(reverse("account:home")).status_code == 200  # where to fix it

    def test_enrolling_opens_the_team_at_once(self, team, member):
        team.require_two_factor = True
        team.save()
        client = member.client()
        enrol(client, member.user)
        assert client.get(reverse("history:list", args=[team.slug])).status_code == 200

    def test_an_outsider_still_gets_404(self, team, outsider):
        team.require_two_factor = True
        team.save()
        assert outsider.client().get(reverse("history:list", args=[team.slug])).status_code == 404

    def test_an_owner_turns_it_on_only_from_a_session_that_meets_it(self, team, owner):
        client = owner.client()
        url = reverse("teams:two_factor_rule", args=[team.slug])
        page = client.post(url, {"required": "1"}, follow=True).content.decode()
        assert "Sign in with two-factor or single sign-on first" in page
        team.refresh_from_db()
        assert not team.require_two_factor
        enrol(client, owner.user)
        client.post(url, {"required": "1"})
        team.refresh_from_db()
        assert team.require_two_factor
        event = TeamEvent.objects.get(team=team, action=TeamEventAction.TWO_FACTOR_POLICY)
        assert event.detail == {"required": True}


def test_an_operator_resets_two_factor_from_the_command_line(team, other_team, member):
    Membership.objects.create(team=other_team, user=member.user, role=Role.VIEWER)
    enrol(member.client(), member.user)
    call_command("reset_two_factor", "mia")
    assert not TOTPDevice.objects.filter(user=member.user).exists()
    events = TeamEvent.objects.filter(action=TeamEventAction.TWO_FACTOR_RESET)
    assert {e.team_id for e in events} == {team.pk, other_team.pk}
    assert {e.username for e in events} == {"operator"}
    with pytest.raises(CommandError, match="has no two-factor to reset"):
        call_command("reset_two_factor", "mia")
