"""Every API call needs a valid bearer token for this sandbox's audience, with the right scope."""

from __future__ import annotations

import time

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from console.sandbox.api import OPERATIONS

TIMEOUT = 10
ANY_ID = "00000000-0000-4000-8000-000000000000"


def url_of(sandbox, operation):
    path = operation.path
    for name in ("meterTypeId", "meterId", "streamId", "executionId"):
        path = path.replace("{" + name + "}", ANY_ID)
    return sandbox.url + path


def meter_types(sandbox, headers=None):
    return requests.get(f"{sandbox.url}/metering/v1/meter-types", headers=headers, timeout=TIMEOUT)


def assert_unauthorized(response):
    assert response.status_code == 401, response.text
    body = response.json()
    assert set(body) == {"error", "message"}
    assert body["error"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer ")
    return body["message"]


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.operation_id)
def test_every_operation_needs_a_token(sandbox, operation):
    response = requests.request(operation.method, url_of(sandbox, operation), timeout=TIMEOUT)

    assert "Missing bearer token" in assert_unauthorized(response)


def test_a_valid_token_is_accepted(sandbox, admin_auth):
    assert meter_types(sandbox, admin_auth).status_code == 200


@pytest.mark.parametrize("header", ["Basic YWRtaW46c2VjcmV0", "Bearer", "Token abc", "bearer"])
def test_other_schemes_and_empty_tokens_are_refused(sandbox, header):
    assert_unauthorized(meter_types(sandbox, {"Authorization": header}))


def test_a_garbage_token_is_refused(sandbox):
    message = assert_unauthorized(meter_types(sandbox, {"Authorization": "Bearer not.a.jwt"}))

    assert "malformed" in message


def test_a_token_signed_by_another_key_is_refused(sandbox, admin_auth):
    real = admin_auth["Authorization"].split()[1]
    claims = jwt.decode(real, options={"verify_signature": False})
    header = jwt.get_unverified_header(real)
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims, other_key, algorithm="RS256", headers={"kid": header["kid"]})

    message = assert_unauthorized(meter_types(sandbox, {"Authorization": f"Bearer {forged}"}))
    assert "signature" in message


def test_a_tampered_token_is_refused(sandbox, reader_auth):
    real = reader_auth["Authorization"].split()[1]
    head, _payload, signature = real.split(".")
    claims = jwt.decode(real, options={"verify_signature": False})
    claims["scope"] += " delete:meter_types"
    forged_payload = jwt.encode(claims, "k" * 32, algorithm="HS256").split(".")[1]
    tampered = f"{head}.{forged_payload}.{signature}"

    assert_unauthorized(meter_types(sandbox, {"Authorization": f"Bearer {tampered}"}))


def test_an_hs256_token_is_refused(sandbox):
    claims = {"sub": "admin-app@clients", "scope": "read:meter_types", "exp": time.time() + 60}
    token = jwt.encode(claims, "shared-secret-of-32-bytes-or-more!", algorithm="HS256")

    assert "RS256" in assert_unauthorized(
        meter_types(sandbox, {"Authorization": f"Bearer {token}"})
    )


def test_a_token_from_another_sandbox_is_refused(sandbox, sandbox_config, admin_client):
    from console.sandbox.server import start_in_thread

    with start_in_thread(sandbox_config) as other:
        token = other.issue_token(admin_client.client_id, audience=sandbox.audience)

    assert_unauthorized(meter_types(sandbox, {"Authorization": f"Bearer {token}"}))


def test_a_token_for_another_audience_is_refused(sandbox, admin_client):
    token = sandbox.issue_token(admin_client.client_id, audience="https://api.digitalroute.io/")

    message = assert_unauthorized(meter_types(sandbox, {"Authorization": f"Bearer {token}"}))
    assert "audience" in message


def test_an_expired_token_is_refused(sandbox, admin_client):
    # Signed by the sandbox's own key, already past its expiry (the real wait is in
    # test_token_claims).
    token = sandbox.issue_token(admin_client.client_id, ttl=-10)

    message = assert_unauthorized(meter_types(sandbox, {"Authorization": f"Bearer {token}"}))
    assert message == "The access token has expired."


def test_a_missing_scope_is_forbidden(sandbox, reader_auth):
    response = requests.post(
        f"{sandbox.url}/metering/v1/meter-types",
        json={"name": "x", "unit": "u", "aggregation": {"type": "sum"}},
        headers=reader_auth,
        timeout=TIMEOUT,
    )

    assert response.status_code == 403
    assert response.json() == {"error": "forbidden", "message": "Missing scope: create:meter_types"}
    assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]


def test_a_token_narrowed_by_scope_is_forbidden_elsewhere(sandbox, bearer):
    headers = bearer(scope="read:streams")

    response = meter_types(sandbox, headers)
    assert response.status_code == 403
    assert response.json() == {"error": "forbidden", "message": "Missing scope: read:meter_types"}


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.operation_id)
def test_each_operation_checks_its_own_scope(sandbox, admin_client, operation):
    others = [s for s in admin_client.scopes if s != operation.scope]
    token = sandbox.issue_token(admin_client.client_id, scopes=others)

    response = requests.request(
        operation.method,
        url_of(sandbox, operation),
        headers={"Authorization": f"Bearer {token}"},
        timeout=TIMEOUT,
    )

    assert response.status_code == 403
    assert response.json()["message"] == f"Missing scope: {operation.scope}"
