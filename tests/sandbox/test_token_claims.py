"""The access token: an Auth0-style RS256 JWT, verifiable against the published JWKS."""

from __future__ import annotations

import time
import uuid

import jwt
import pytest
import requests

from console.sandbox.config import ALL_SCOPES, SandboxConfig
from console.sandbox.server import start_in_thread

TIMEOUT = 10


@pytest.fixture
def access_token(token_request):
    response = token_request()
    assert response.status_code == 200
    return response.json()["access_token"]


def public_key_for(sandbox, token):
    jwks = requests.get(f"{sandbox.url}/.well-known/jwks.json", timeout=TIMEOUT).json()
    kid = jwt.get_unverified_header(token)["kid"]
    (key,) = [k for k in jwks["keys"] if k["kid"] == kid]
    return jwt.PyJWK(key).key


def test_jwks_publishes_one_rsa_signing_key(sandbox):
    response = requests.get(f"{sandbox.url}/.well-known/jwks.json", timeout=TIMEOUT)

    assert response.status_code == 200
    (key,) = response.json()["keys"]
    assert key["kty"] == "RSA"
    assert key["alg"] == "RS256"
    assert key["use"] == "sig"
    assert {"n", "e", "kid"} <= set(key)
    assert "d" not in key  # never the private part


def test_the_token_is_rs256_and_verifies_against_the_jwks(sandbox, access_token):
    header = jwt.get_unverified_header(access_token)
    assert header["alg"] == "RS256"
    assert header["typ"] == "JWT"

    claims = jwt.decode(
        access_token,
        public_key_for(sandbox, access_token),
        algorithms=["RS256"],
        audience=sandbox.audience,
        issuer="https://auth.sandbox.local/",
    )
    assert claims["sub"] == "admin-app@clients"


def test_the_claims_match_the_vendors_example(sandbox, access_token, sandbox_config):
    claims = jwt.decode(access_token, options={"verify_signature": False})

    assert set(claims) == {
        "iss",
        "sub",
        "aud",
        "iat",
        "exp",
        "scope",
        "accountId",
        "azp",
        "gty",
        "jti",
    }
    assert claims["iss"] == "https://auth.sandbox.local/"
    assert claims["sub"] == "admin-app@clients"
    assert claims["aud"] == sandbox.audience
    assert claims["azp"] == "admin-app"
    assert claims["gty"] == "client-credentials"
    assert claims["scope"] == " ".join(ALL_SCOPES)
    assert claims["accountId"] == sandbox_config.account_id
    uuid.UUID(claims["accountId"])
    assert claims["exp"] - claims["iat"] == 3600
    assert abs(claims["iat"] - time.time()) < 5


def test_every_token_has_its_own_jti(token_request):
    first = jwt.decode(token_request().json()["access_token"], options={"verify_signature": False})
    second = jwt.decode(token_request().json()["access_token"], options={"verify_signature": False})

    assert first["jti"] != second["jti"]


def test_each_sandbox_signs_with_its_own_key(sandbox, sandbox_config):
    with start_in_thread(sandbox_config) as other:
        assert other.app.tokens.kid != sandbox.app.tokens.kid


def test_tokens_expire_after_the_ttl_and_the_api_refuses_them(sandbox_config, admin_client):
    # exp is iat + ttl with iat in whole seconds, so a token lives between ttl - 1 and
    # ttl seconds: with 1 it could expire before the first call (a flake seen in CI).
    config = SandboxConfig(clients=sandbox_config.clients, token_ttl=2)
    with start_in_thread(config) as short:
        response = requests.post(
            short.token_url,
            data={
                "grant_type": "client_credentials",
                "client_id": admin_client.client_id,
                "client_secret": admin_client.client_secret,
                "audience": short.audience,
            },
            timeout=TIMEOUT,
        )
        assert response.json()["expires_in"] == 2
        headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
        url = f"{short.url}/metering/v1/meter-types"
        assert requests.get(url, headers=headers, timeout=TIMEOUT).status_code == 200

        time.sleep(2.1)
        expired = requests.get(url, headers=headers, timeout=TIMEOUT)

    assert expired.status_code == 401
    assert expired.json() == {"error": "unauthorized", "message": "The access token has expired."}
    assert 'error="invalid_token"' in expired.headers["WWW-Authenticate"]
