"""Redaction: what the history keeps of headers and bodies that carry credentials."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

import pytest

from console.history.redaction import (
    REDACTED,
    redact_body,
    redact_headers,
    scrub,
    sensitive_keys,
)

TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"


# ---------------------------------------------------------------- headers


@pytest.mark.parametrize("name", ["Authorization", "authorization", "Proxy-Authorization"])
def test_authorization_keeps_only_its_scheme(name):
    assert redact_headers([(name, f"Bearer {TOKEN}")]) == [[name, "Bearer [redacted]"]]


def test_basic_credentials_keep_only_the_scheme():
    assert redact_headers([("Authorization", "Basic dXNlcjpwYXNz")]) == [
        ["Authorization", "Basic [redacted]"]
    ]


def test_authorization_without_a_scheme_is_replaced_whole():
    # A bare token must not be mistaken for a scheme and kept.
    assert redact_headers([("Authorization", TOKEN)]) == [["Authorization", REDACTED]]


def test_placeholder_authorization_as_the_explorer_records_it():
    assert redact_headers([("Authorization", "Bearer [redacted]")]) == [
        ["Authorization", "Bearer [redacted]"]
    ]


@pytest.mark.parametrize("name", ["Cookie", "Set-Cookie", "X-Api-Key", "X-Auth-Token", "COOKIE"])
def test_other_credential_headers_are_replaced_whole(name):
    assert redact_headers([(name, "session=abc123; csrftoken=xyz")]) == [[name, REDACTED]]


def test_ordinary_headers_are_kept_in_order_and_case():
    headers = [("Accept", "application/json"), ("X-Request-Id", "r-1"), ("accept", "*/*")]
    assert redact_headers(headers) == [list(h) for h in headers]


def test_known_secrets_are_scrubbed_from_any_header():
    stored = redact_headers(
        [("X-Debug", f"token was {TOKEN}!"), ("Location", f"/x?t={TOKEN}")], [TOKEN]
    )
    assert stored == [["X-Debug", "token was [redacted]!"], ["Location", "/x?t=[redacted]"]]


# ---------------------------------------------------------------- JSON bodies


def test_json_secrets_are_replaced_at_any_depth():
    body = {
        "client_id": "app-1",
        "client_secret": "s3cret-value",
        "nested": {"Access_Token": TOKEN, "list": [{"password": "hunter22"}, {"keep": 1}]},
        "refresh_token": "r",
        "id_token": "i",
        "secret": "x",
        "count": 3,
    }

    stored = json.loads(redact_body(json.dumps(body), "application/json"))

    assert stored == {
        "client_id": "app-1",
        "client_secret": REDACTED,
        "nested": {"Access_Token": REDACTED, "list": [{"password": REDACTED}, {"keep": 1}]},
        "refresh_token": REDACTED,
        "id_token": REDACTED,
        "secret": REDACTED,
        "count": 3,
    }


def test_a_whole_secret_subtree_is_replaced():
    stored = json.loads(redact_body('{"password": {"old": "a", "new": "b"}}', "application/json"))
    assert stored == {"password": REDACTED}


def test_json_is_recognised_without_a_content_type_and_with_vendor_types():
    assert REDACTED in redact_body('{"access_token": "abc"}')
    assert REDACTED in redact_body('[{"access_token": "abc"}]', "")
    assert REDACTED in redact_body('{"access_token": "abc"}', "application/problem+json")
    assert REDACTED in redact_body('{"access_token": "abc"}', "application/json; charset=utf-8")


def test_a_token_response_keeps_no_token():
    answer = json.dumps(
        {"access_token": TOKEN, "token_type": "Bearer", "expires_in": 3600, "scope": "read:x"}
    )
    stored = redact_body(answer, "application/json")
    assert TOKEN not in stored
    assert json.loads(stored)["expires_in"] == 3600


def test_text_that_only_looks_like_json_is_kept_but_scrubbed():
    text = '{"access_token": "' + TOKEN  # cut off, does not parse
    assert redact_body(text, "application/json", [TOKEN]) == '{"access_token": "' + REDACTED


def test_empty_body_stays_empty():
    assert redact_body("", "application/json", [TOKEN]) == ""


# ---------------------------------------------------------------- form bodies


def test_form_secrets_are_replaced():
    form = (
        f"grant_type=client_credentials&client_id=app-1&client_secret=s3cret&access_token={TOKEN}"
    )

    stored = dict(parse_qsl(redact_body(form, "application/x-www-form-urlencoded")))

    assert stored == {
        "grant_type": "client_credentials",
        "client_id": "app-1",
        "client_secret": REDACTED,
        "access_token": REDACTED,
    }


def test_form_keys_match_whatever_their_case_and_blank_values_survive():
    stored = redact_body("Password=pw&note=", "application/x-www-form-urlencoded; charset=utf-8")
    assert dict(parse_qsl(stored, keep_blank_values=True)) == {"Password": REDACTED, "note": ""}


# ---------------------------------------------------------------- known secret values


def test_scrub_replaces_every_occurrence():
    assert scrub(f"{TOKEN} and again {TOKEN}", [TOKEN]) == "[redacted] and again [redacted]"


def test_scrub_ignores_empty_and_very_short_values():
    # Replacing "a" or "" everywhere would wreck the text and protect nothing.
    assert scrub("a banana", ["", "a", "ban"]) == "a banana"
    assert scrub("secret: 12345678", ["12345678"]) == "secret: [redacted]"


def test_known_secrets_are_scrubbed_from_plain_text_and_from_unknown_json_keys():
    assert redact_body(f"your token is {TOKEN}", "text/plain", [TOKEN]) == (
        "your token is [redacted]"
    )
    stored = redact_body(json.dumps({"echo": f"Bearer {TOKEN}"}), "application/json", [TOKEN])
    assert json.loads(stored) == {"echo": "Bearer [redacted]"}


# ---------------------------------------------------------------- CONSOLE_REDACT_KEYS


def test_default_keys_without_the_setting(settings):
    if hasattr(settings, "CONSOLE_REDACT_KEYS"):
        del settings.CONSOLE_REDACT_KEYS
    assert sensitive_keys() == {
        "client_secret",
        "access_token",
        "refresh_token",
        "id_token",
        "password",
        "secret",
    }


def test_extra_keys_from_settings(settings):
    settings.CONSOLE_REDACT_KEYS = ["apiKey", "X-Signing-Secret"]

    assert {"apikey", "x-signing-secret", "client_secret"} <= sensitive_keys()
    stored = json.loads(
        redact_body('{"APIKEY": "k-1", "meta": {"apiKey": "k-2"}, "name": "n"}', "application/json")
    )
    assert stored == {"APIKEY": REDACTED, "meta": {"apiKey": REDACTED}, "name": "n"}
    form = redact_body("x-signing-secret=abc&b=1", "application/x-www-form-urlencoded")
    assert dict(parse_qsl(form)) == {"x-signing-secret": REDACTED, "b": "1"}
