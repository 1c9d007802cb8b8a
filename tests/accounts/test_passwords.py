"""Passwords: changing one (this session stays, the others end), a reset link an admin
issues for a member (one-time, expiring, mailed when mail is set up, with its rules), and
"Forgot your password?" by mail."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from console.history.models import TeamEvent, TeamEventAction
from console.teams.models import Membership, Role
from tests.conftest import sign_in

NEW = "a-new-Passw0rd-for-tests"


def test_changing_the_password_keeps_this_session_and_ends_the_others(team, member):
    here, elsewhere = Client(), Client()
    assert sign_in(here, "mia", "pw-mia")
    assert sign_in(elsewhere, "mia", "pw-mia")
    response = here.post(
        reverse("account:password"),
        {"old_password": "pw-mia", "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 302
    assert here.get(reverse("account:home")).status_code == 200
    assert elsewhere.get(reverse("account:home")).status_code == 302  # to sign-in
    assert sign_in(Client(), "mia", NEW)
    changed = TeamEvent.objects.get(team=team, action=TeamEventAction.PASSWORD_CHANGED)
    assert changed.detail == {"how": "changed"}
    assert NEW not in str(changed.detail)


def test_a_weak_new_password_is_refused_in_words(member):
    response = member.client().post(
        reverse("account:password"),
        {"old_password": "pw-mia", "new_password1": "password", "new_password2": "password"},
    )
    assert response.status_code == 200
    assert "This password is too common." in response.content.decode()


def _issue(person, team, target):
    url = reverse("people:reset_link", args=[team.slug, target.membership.pk])
    return person.client().post(url)


def _link(response) -> str:
    match = re.search(
        r'id="reset-link" type="text" readonly value="([^"]+)"', response.content.decode()
    )
    assert match, response.content.decode()[:2000]
    return match[1]


def test_an_admin_issues_a_one_time_reset_link(team, admin, member):
    response = _issue(admin, team, member)
    assert response.status_code == 200
    link = _link(response)
    assert link.startswith("http://testserver/account/reset/")
    event = TeamEvent.objects.get(team=team, action=TeamEventAction.PASSWORD_RESET_ISSUED)
    assert (event.username, event.subject_name, event.detail) == ("adam", "mia", {"mailed": False})
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert token not in str(event.detail)

    client = Client()
    form = client.get(link, follow=True)  # Django swaps the token for the session at once
    assert "set-password" in form.redirect_chain[-1][0]
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302
    assert sign_in(Client(), "mia", NEW)
    again = Client().get(link, follow=True)
    assert "This password reset link no longer works" in again.content.decode()


def test_a_reset_link_expires(team, admin, member, settings):
    link = _link(_issue(admin, team, member))
    settings.PASSWORD_RESET_TIMEOUT = -1  # every link is older than that
    page = Client().get(link, follow=True).content.decode()
    assert "This password reset link no longer works" in page


def test_the_link_is_mailed_when_mail_is_set_up(team, admin, member, settings):
    settings.CONSOLE_EMAIL = True
    member.user.email = "mia@example.com"
    member.user.save()
    response = _issue(admin, team, member)
    assert "Mailed to mia@example.com" in response.content.decode()
    (message,) = mail.outbox
    assert message.to == ["mia@example.com"]
    assert _link(response) in message.body


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("owner_target", "Only an owner can do that for an owner."),
        ("other_team", "is also in another team"),
        ("operator", "is an operator of this console"),
        ("self", "Use your account page for your own sign-in."),
    ],
)
def test_reset_links_follow_the_rules(team, other_team, owner, admin, member, setup, message):
    target = member
    if setup == "owner_target":
        target = owner
    elif setup == "other_team":
        Membership.objects.create(team=other_team, user=member.user, role=Role.VIEWER)
    elif setup == "operator":
        member.user.is_superuser = True
        member.user.save()
    elif setup == "self":
        target = admin
    url = reverse("people:reset_link", args=[team.slug, target.membership.pk])
    page = admin.client().post(url, follow=True).content.decode()
    assert message in page
    assert not TeamEvent.objects.filter(action=TeamEventAction.PASSWORD_RESET_ISSUED).exists()


def test_no_reset_links_when_passwords_are_off(team, admin, member, settings):
    settings.CONSOLE_LOCAL_PASSWORDS = False
    page = _issue(admin, team, member)
    assert page.status_code == 302


def test_forgot_password_mails_a_link_when_mail_is_set_up(team, member, settings):
    settings.CONSOLE_EMAIL = True
    member.user.email = "mia@example.com"
    member.user.save()
    assert "Forgot your password?" in Client().get(reverse("login")).content.decode()
    response = Client().post(reverse("account:forgot"), {"email": "mia@example.com"})
    assert response["Location"] == reverse("account:forgot_sent")
    (message,) = mail.outbox
    link = re.search(r"http://testserver/account/reset/\S+", message.body)[0]
    page = Client().get(link, follow=True).content.decode()
    assert "Set a new password" in page
    # An unknown address gets the same answer and no mail.
    other = Client().post(reverse("account:forgot"), {"email": "nobody@example.com"})
    assert other["Location"] == reverse("account:forgot_sent")
    assert len(mail.outbox) == 1


def test_forgot_password_is_not_offered_without_mail(db):
    assert "Forgot your password?" not in Client().get(reverse("login")).content.decode()
    assert Client().get(reverse("account:forgot"))["Location"] == reverse("login")
