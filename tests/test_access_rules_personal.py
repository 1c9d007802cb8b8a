"""Who may open the URLs outside /t/<team>/: a person's own account pages (signed in),
the sign-in and invitation pages (anyone), single sign-on (off unless set up), and the CSRF
token on every one of their forms."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

ACCOUNT_PAGES = ["account:home", "account:password", "account:two_factor_setup"]
ACCOUNT_ACTIONS = ["account:backup_codes", "account:two_factor_off", "account:sessions_end"]
PUBLIC_PAGES = {
    "login": 200,
    "account:sign_in_code": 302,  # nothing pending: back to the sign-in page
    "join:invitation": 404,  # no invitation opened in this session: the page says so
    "account:forgot": 302,  # mail not set up: back to the sign-in page, with a message
    "account:forgot_sent": 200,
}


@pytest.mark.parametrize("name", ACCOUNT_PAGES + ACCOUNT_ACTIONS)
def test_account_urls_need_sign_in(db, name):
    for method in ("get", "post"):
        response = getattr(Client(), method)(reverse(name))
        if method == "get" and name in ACCOUNT_ACTIONS:
            assert response.status_code == 405
            continue
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login") + "?next=")


@pytest.mark.parametrize("name", ACCOUNT_PAGES)
def test_account_pages_open_for_anyone_signed_in(outsider, name):
    assert outsider.client().get(reverse(name)).status_code == 200


@pytest.mark.parametrize(("name", "status"), PUBLIC_PAGES.items())
def test_public_pages_answer_anyone(db, name, status):
    assert Client().get(reverse(name)).status_code == status


def test_a_reset_link_that_names_nobody_says_so(db):
    response = Client().get(reverse("account:reset", args=["MTIzNDU2", "abc-123"]))
    assert response.status_code == 200
    assert "This password reset link no longer works" in response.content.decode()


@pytest.mark.parametrize("name", ["sso:start", "sso:callback"])
def test_single_sign_on_is_404_unless_set_up(db, name):
    assert Client().get(reverse(name)).status_code == 404


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("login", {"username": "mia", "password": "pw-mia"}),
        ("account:sign_in_code", {"code": "123456"}),
        ("account:password", {}),
        ("account:two_factor_setup", {"code": "123456"}),
        ("account:backup_codes", {}),
        ("account:two_factor_off", {"password": "pw-mia"}),
        ("account:sessions_end", {}),
        ("join:accept", {}),
        ("join:sign_up", {}),
        ("join:switch_account", {}),
        ("logout", {}),
    ],
)
def test_every_personal_form_needs_its_csrf_token(member, name, data):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member.user)
    response = client.post(reverse(name), data)
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()
