"""The token endpoint: body credentials, the audience check and Auth0-style answers."""

from __future__ import annotations

import pytest
import requests

from console.sandbox.config import ALL_SCOPES, READ_SCOPES, SandboxConfig
from console.sandbox.server import start_in_thread

TIMEOUT = 10


def assert_oauth_error(response, status, error):
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.headers["Cache-Control"] == "no-store"
    body = response.json()
    assert set(body) == {"error", "error_description"}
    assert body["error"] == error
    assert body["error_description"]
    return body


def test_form_request_gets_a_bearer_token_without_refresh_token(sandbox, form):
    response = requests.post(sandbox.token_url, data=form(), timeout=TIMEOUT)

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = response.json()
    assert set(body) == {"access_token", "scope", "expires_in", "token_type"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["scope"] == " ".join(ALL_SCOPES)
    assert body["access_token"].count(".") == 2


def test_json_request_gets_a_token_too(sandbox, form):
    response = requests.post(sandbox.token_url, json=form(), timeout=TIMEOUT)

    assert response.status_code == 200
    assert set(response.json()) == {"access_token", "scope", "expires_in", "token_type"}
    assert sandbox.token_request_details[-1].content_type == "application/json"


def test_the_token_carries_the_clients_scopes(token_request, reader_client):
    response = token_request(reader_client)

    assert response.json()["scope"] == " ".join(READ_SCOPES)


def test_a_scope_parameter_narrows_the_token(token_request, admin_client):
    response = token_request(admin_client, scope="read:streams read:meters")

    assert response.status_code == 200
    assert response.json()["scope"] == "read:meters read:streams"


def test_a_scope_the_client_lacks_is_refused(token_request, reader_client):
    response = token_request(reader_client, scope="delete:meters")

    body = assert_oauth_error(response, 403, "access_denied")
    assert "delete:meters" in body["error_description"]


def test_the_request_is_recorded_without_values(sandbox, token_request, admin_client):
    token_request(admin_client)

    assert sandbox.token_requests == 1
    (record,) = sandbox.token_request_details
    assert record.content_type == "application/x-www-form-urlencoded"
    assert record.fields == ("audience", "client_id", "client_secret", "grant_type")
    assert record.has_authorization is False
    assert record.authorization_scheme is None
    assert record.client_id == admin_client.client_id
    assert record.status == 200
    assert record.error is None
    assert admin_client.client_secret not in repr(record)


def test_failed_requests_are_counted_too(sandbox, token_request):
    token_request(client_secret="wrong")

    assert sandbox.token_requests == 1
    assert sandbox.token_request_details[0].error == "invalid_client"


def test_counters_can_be_reset(sandbox, token_request):
    token_request()
    sandbox.reset_counters()

    assert sandbox.token_requests == 0
    assert sandbox.token_request_details == []


@pytest.mark.parametrize("grant_type", ["password", "authorization_code", "refresh_token"])
def test_other_grant_types_are_unsupported(token_request, grant_type):
    response = token_request(grant_type=grant_type)

    assert_oauth_error(response, 400, "unsupported_grant_type")


@pytest.mark.parametrize("missing", ["grant_type", "client_id", "client_secret", "audience"])
def test_each_missing_parameter_is_an_invalid_request(token_request, missing):
    response = token_request(**{missing: None})

    body = assert_oauth_error(response, 400, "invalid_request")
    assert missing in body["error_description"]


def test_an_empty_parameter_counts_as_missing(token_request):
    response = token_request(audience="")

    assert "audience" in assert_oauth_error(response, 400, "invalid_request")["error_description"]


def test_a_repeated_parameter_is_an_invalid_request(sandbox, form):
    body = [*form().items(), ("client_id", "other")]
    response = requests.post(sandbox.token_url, data=body, timeout=TIMEOUT)

    assert_oauth_error(response, 400, "invalid_request")


def test_a_json_body_that_is_not_an_object_is_an_invalid_request(sandbox):
    response = requests.post(sandbox.token_url, json=["client_credentials"], timeout=TIMEOUT)

    assert_oauth_error(response, 400, "invalid_request")


def test_malformed_json_is_an_invalid_request(sandbox):
    response = requests.post(
        sandbox.token_url,
        data=b'{"grant_type": ',
        headers={"Content-Type": "application/json"},
        timeout=TIMEOUT,
    )

    assert_oauth_error(response, 400, "invalid_request")


def test_non_string_json_values_are_an_invalid_request(sandbox, form):
    response = requests.post(sandbox.token_url, json=form(client_secret=12345), timeout=TIMEOUT)

    body = assert_oauth_error(response, 400, "invalid_request")
    assert "client_secret" in body["error_description"]


def test_an_unsupported_content_type_is_an_invalid_request(sandbox):
    response = requests.post(
        sandbox.token_url,
        data=b"grant_type=client_credentials",
        headers={"Content-Type": "text/plain"},
        timeout=TIMEOUT,
    )

    assert_oauth_error(response, 400, "invalid_request")


def test_an_oversized_body_is_refused(sandbox):
    response = requests.post(
        sandbox.token_url,
        data=b"a=" + b"x" * (1024 * 1024),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=TIMEOUT,
    )

    assert response.status_code == 413


def test_wrong_secret_and_unknown_client_get_the_same_answer(token_request):
    wrong_secret = token_request(client_secret="not-the-secret")
    unknown_client = token_request(client_id="nobody")

    first = assert_oauth_error(wrong_secret, 401, "invalid_client")
    second = assert_oauth_error(unknown_client, 401, "invalid_client")
    assert first == second


def test_basic_authentication_is_refused_even_with_a_valid_secret(sandbox, form, admin_client):
    response = requests.post(
        sandbox.token_url,
        data=form(client_id=None, client_secret=None),
        auth=(admin_client.client_id, admin_client.client_secret),
        timeout=TIMEOUT,
    )

    description = assert_oauth_error(response, 401, "invalid_client")["error_description"]
    assert "request body" in description
    record = sandbox.token_request_details[-1]
    assert record.has_authorization is True
    assert record.authorization_scheme == "basic"
    assert record.fields == ("audience", "grant_type")


def test_a_basic_header_is_refused_even_beside_body_credentials(sandbox, form, admin_client):
    response = requests.post(
        sandbox.token_url,
        data=form(),
        auth=(admin_client.client_id, admin_client.client_secret),
        timeout=TIMEOUT,
    )

    assert_oauth_error(response, 401, "invalid_client")


@pytest.mark.parametrize("audience", ["https://api.digitalroute.io/", "http://127.0.0.1:1/"])
def test_a_wrong_audience_is_access_denied_like_auth0(token_request, audience):
    response = token_request(audience=audience)

    body = assert_oauth_error(response, 403, "access_denied")
    assert body["error_description"] == f"Service not enabled within domain: {audience}"


def test_the_audience_needs_the_trailing_slash(sandbox, token_request):
    response = token_request(audience=sandbox.url)

    assert_oauth_error(response, 403, "access_denied")


def test_the_default_audience_is_the_base_url_with_a_slash(sandbox):
    assert sandbox.url.startswith("http://127.0.0.1:")
    assert sandbox.audience == f"{sandbox.url}/"


def test_a_configured_audience_replaces_the_url(sandbox_config, form):
    config = SandboxConfig(clients=sandbox_config.clients, audience="https://api.sandbox.test/")
    with start_in_thread(config) as other:
        ok = requests.post(
            other.token_url, data=form(audience="https://api.sandbox.test/"), timeout=TIMEOUT
        )
        refused = requests.post(
            other.token_url, data=form(audience=f"{other.url}/"), timeout=TIMEOUT
        )

    assert other.audience == "https://api.sandbox.test/"
    assert ok.status_code == 200
    assert refused.status_code == 403


def test_get_is_not_allowed(sandbox):
    response = requests.get(sandbox.token_url, timeout=TIMEOUT)

    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"
    assert response.json()["error"] == "method_not_allowed"
