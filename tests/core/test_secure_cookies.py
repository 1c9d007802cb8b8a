"""Behind TLS (SECURE_COOKIES=1) the session and CSRF cookies are both marked Secure;
without it neither is, so `make run` over plain HTTP keeps working."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tests.conftest import Person, sign_in
from tests.core.deployed_settings import tls_settings

pytestmark = pytest.mark.django_db


def _cookies(settings: dict, owner: Person) -> dict[str, bool]:
    """Which cookies a browser gets over HTTPS, and whether each is marked Secure."""
    with override_settings(**settings):
        client = Client(enforce_csrf_checks=True)
        page = client.get(reverse("login"), secure=True)
        assert page.status_code == 200
        assert "csrftoken" in page.cookies, "the sign-in page sets no CSRF cookie"
        token = page.cookies["csrftoken"].value
        response = client.post(
            reverse("login"),
            {"username": owner.user.username, "password": "pw-" + owner.user.username},
            headers={"X-CSRFToken": token, "Referer": "https://testserver/login/"},
            secure=True,
        )
        assert response.status_code == 302
        assert "sessionid" in response.cookies, "signing in set no session cookie"
    return {
        "csrftoken": bool(page.cookies["csrftoken"]["secure"]),
        "sessionid": bool(response.cookies["sessionid"]["secure"]),
    }


def test_secure_cookies_marks_the_session_and_csrf_cookies_secure(owner: Person):
    settings = tls_settings(SECURE_COOKIES="1")
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["CSRF_COOKIE_SECURE"] is True
    assert _cookies(settings, owner) == {"csrftoken": True, "sessionid": True}


def test_without_secure_cookies_neither_cookie_is_marked(owner: Person):
    settings = tls_settings()
    assert settings["SESSION_COOKIE_SECURE"] is False
    assert settings["CSRF_COOKIE_SECURE"] is False
    assert _cookies(settings, owner) == {"csrftoken": False, "sessionid": False}
    # And plain HTTP still signs in, as in `make run`.
    with override_settings(**settings):
        assert sign_in(Client(), owner.user.username, "pw-" + owner.user.username)
