"""Strict-Transport-Security behind TLS: on with SECURE_COOKIES=1 (a year unless
SECURE_HSTS_SECONDS says otherwise), sent only on requests the console sees as HTTPS
(directly, or through a proxy's X-Forwarded-Proto when SECURE_PROXY_SSL_HEADER=1), and
absent without SECURE_COOKIES."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tests.core.deployed_settings import computed, tls_settings

pytestmark = pytest.mark.django_db

ONE_YEAR = 31536000


def _hsts(settings: dict, *, secure: bool = True, headers: dict | None = None) -> str | None:
    # A new Client per call: SecurityMiddleware reads its settings when it is built.
    with override_settings(**settings):
        response = Client().get(reverse("login"), secure=secure, headers=headers or {})
    assert response.status_code == 200
    return response.headers.get("Strict-Transport-Security")


def test_secure_cookies_turns_hsts_on_for_a_year():
    settings = tls_settings(SECURE_COOKIES="1")
    assert settings["SECURE_HSTS_SECONDS"] == ONE_YEAR
    assert _hsts(settings) == f"max-age={ONE_YEAR}"


def test_hsts_seconds_can_be_chosen_and_extended_by_the_operator():
    settings = tls_settings(
        SECURE_COOKIES="1",
        SECURE_HSTS_SECONDS="600",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="1",
        SECURE_HSTS_PRELOAD="1",
    )
    assert _hsts(settings) == "max-age=600; includeSubDomains; preload"


def test_hsts_seconds_zero_turns_it_off():
    settings = tls_settings(SECURE_COOKIES="1", SECURE_HSTS_SECONDS="0")
    assert _hsts(settings) is None


def test_hsts_is_never_sent_over_plain_http():
    assert _hsts(tls_settings(SECURE_COOKIES="1"), secure=False) is None


def test_behind_a_proxy_hsts_needs_the_proxy_header_setting():
    forwarded = {"X-Forwarded-Proto": "https"}
    # The proxy ends TLS and talks plain HTTP to the console.
    trusted = tls_settings(SECURE_COOKIES="1", SECURE_PROXY_SSL_HEADER="1")
    assert trusted["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert _hsts(trusted, secure=False, headers=forwarded) == f"max-age={ONE_YEAR}"
    # Without it the header is not believed (anyone could send it), so nothing is sent.
    untrusted = tls_settings(SECURE_COOKIES="1")
    assert untrusted["SECURE_PROXY_SSL_HEADER"] is None
    assert _hsts(untrusted, secure=False, headers=forwarded) is None


def test_without_secure_cookies_there_is_no_hsts():
    settings = tls_settings()
    assert settings["SECURE_HSTS_SECONDS"] == 0
    assert not settings["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert not settings["SECURE_HSTS_PRELOAD"]
    assert _hsts(settings) is None


@pytest.mark.parametrize("value", ["a year", "-1"])
def test_a_bad_hsts_value_stops_the_start_with_its_name(value):
    done = computed(SECURE_COOKIES="1", SECURE_HSTS_SECONDS=value)
    assert done.returncode != 0
    assert "SECURE_HSTS_SECONDS must be" in done.stderr
