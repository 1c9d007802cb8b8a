"""The test OpenID Provider (tests/oidc/provider.mjs) works as the console's SSO will use it.

No browser and no Django views: a `requests.Session` walks the authorization code flow step by
step (PKCE S256, state, nonce, client_secret_post), posting the IdP's own login and consent
forms, and checks what mozilla-django-oidc relies on: the ID token (RS256, against the JWKS)
and the claims at the userinfo endpoint. Nothing here talks to anything but 127.0.0.1.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import jwt
import pytest
import requests

from tests.sso.idp_pages import follow, parse_page, submit
from tests.sso.oidc_provider import (
    ProviderError,
    RunningProvider,
    require_provider,
    start_provider,
)

CLIENT_ID = "ue-console-tests"
CLIENT_SECRET = "tests-oidc-secret-7kQ2pX9vLm4R"  # only ever used against the test provider
CLIENT_NAME = "UE Console (tests)"
# The relying party's callback is never contacted here: the flow stops at the redirect to it.
REDIRECT_URI = "http://127.0.0.1:8765/oidc/callback/"
SCOPE = "openid email profile groups"
ALICE = {
    "login": "alice",
    "password": "pw",
    "sub": "alice-sub",
    "claims": {
        "email": "alice@example.com",
        "email_verified": True,
        "name": "Alice Example",
        "groups": ["ue-admins"],
    },
}
TIMEOUT_S = 10


CLIENT = {
    "client_id": CLIENT_ID,
    "client_secret": CLIENT_SECRET,
    "client_name": CLIENT_NAME,
    "redirect_uris": [REDIRECT_URI],
}


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningProvider]:
    require_provider()
    tmp_dir = tmp_path_factory.mktemp("oidc")
    with start_provider(clients=[CLIENT], accounts=[ALICE], tmp_dir=tmp_dir) as running:
        yield running


@pytest.fixture(scope="module")
def metadata(provider: RunningProvider) -> dict:
    response = local_session().get(provider.discovery_url, timeout=TIMEOUT_S)
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def browser() -> requests.Session:
    """A fresh cookie jar: every test starts without a session at the IdP."""
    return local_session()


def local_session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment, no .netrc: straight to 127.0.0.1
    return session


# --- the flow, step by step -------------------------------------------------------------


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


@dataclass
class Request:
    """One authorization request's secrets, as the relying party keeps them."""

    state: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    nonce: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    verifier: str = field(default_factory=lambda: secrets.token_urlsafe(48))

    @property
    def challenge(self) -> str:
        return b64url(hashlib.sha256(self.verifier.encode("ascii")).digest())


def authorize(
    session: requests.Session, provider: RunningProvider, metadata: dict, request: Request
) -> requests.Response:
    """Send the authorization request; returns the first page the provider shows."""
    params = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "scope": SCOPE,
        "state": request.state,
        "nonce": request.nonce,
        "code_challenge": request.challenge,
        "code_challenge_method": "S256",
    }
    response = session.get(
        metadata["authorization_endpoint"], params=params, allow_redirects=False, timeout=TIMEOUT_S
    )
    assert response.status_code in {302, 303}, response.text
    return follow(session, response, provider.issuer)


def callback_params(response: requests.Response) -> dict[str, str]:
    """The query of the redirect to the relying party's callback."""
    assert response.status_code in {302, 303}, response.text
    location = urljoin(response.url, response.headers["Location"])
    assert location.split("?")[0] == REDIRECT_URI
    return {name: values[0] for name, values in parse_qs(urlsplit(location).query).items()}


def sign_in_and_allow(
    session: requests.Session, provider: RunningProvider, metadata: dict, request: Request
) -> dict[str, str]:
    login = authorize(session, provider, metadata, request)
    consent = submit(session, provider, login, "Sign in", login="alice", password="pw")
    assert parse_page(consent).h1 == "Allow access?"
    return callback_params(submit(session, provider, consent, "Allow"))


def token_request(
    session: requests.Session, metadata: dict, code: str, verifier: str
) -> requests.Response:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "code_verifier": verifier,
    }
    return session.post(metadata["token_endpoint"], data=data, timeout=TIMEOUT_S)


# --- the tests --------------------------------------------------------------------------


def test_discovery_lists_the_endpoints_and_s256(provider: RunningProvider, metadata: dict) -> None:
    assert metadata["issuer"] == provider.issuer
    assert provider.issuer.startswith("http://127.0.0.1:")
    for endpoint in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri"):
        assert metadata[endpoint].startswith(f"{provider.issuer}/"), endpoint
    assert "S256" in metadata["code_challenge_methods_supported"]
    assert "client_secret_post" in metadata["token_endpoint_auth_methods_supported"]
    assert "RS256" in metadata["id_token_signing_alg_values_supported"]
    assert set(SCOPE.split()) <= set(metadata["scopes_supported"])


def test_code_flow_with_pkce_gives_a_verified_id_token_and_the_claims(
    provider: RunningProvider, metadata: dict, browser: requests.Session
) -> None:
    request = Request()
    login = authorize(browser, provider, metadata, request)
    login_page = parse_page(login)
    assert login_page.h1 == "Sign in to Test IdP"
    assert sorted(login_page.labels.values()) == ["Password", "Username"]

    consent = submit(browser, provider, login, "Sign in", login="alice", password="pw")
    consent_page = parse_page(consent)
    assert consent_page.h1 == "Allow access?"
    assert CLIENT_NAME in consent.text
    for scope in SCOPE.split():
        assert f"<li>{scope}</li>" in consent.text
    assert {"Allow", "Deny"} <= {button for form in consent_page.forms for button in form.buttons}

    params = callback_params(submit(browser, provider, consent, "Allow"))
    assert params["state"] == request.state
    assert params["code"]

    tokens = token_request(browser, metadata, params["code"], request.verifier)
    assert tokens.status_code == 200, tokens.text
    body = tokens.json()
    assert body["token_type"].lower() == "bearer"
    # no resource indicator in the request: an opaque access token, meant for userinfo
    assert body["access_token"].count(".") != 2

    assert jwt.get_unverified_header(body["id_token"])["alg"] == "RS256"
    jwks = jwt.PyJWKSet.from_dict(browser.get(metadata["jwks_uri"], timeout=TIMEOUT_S).json())
    kid = jwt.get_unverified_header(body["id_token"])["kid"]
    key = next(jwk for jwk in jwks.keys if jwk.key_id == kid)
    claims = jwt.decode(
        body["id_token"],
        key=key,
        algorithms=["RS256"],
        audience=CLIENT_ID,
        issuer=provider.issuer,
        options={"require": ["exp", "iat", "sub", "nonce"]},
    )
    assert claims["sub"] == "alice-sub"
    assert claims["nonce"] == request.nonce

    userinfo = browser.get(
        metadata["userinfo_endpoint"],
        headers={"Authorization": f"Bearer {body['access_token']}"},
        timeout=TIMEOUT_S,
    )
    assert userinfo.status_code == 200, userinfo.text
    assert userinfo.json() == {"sub": "alice-sub", **ALICE["claims"]}


def test_wrong_password_shows_the_error_and_does_not_redirect(
    provider: RunningProvider, metadata: dict, browser: requests.Session
) -> None:
    login = authorize(browser, provider, metadata, Request())
    again = submit(browser, provider, login, "Sign in", login="alice", password="not-pw")
    assert again.status_code == 200
    assert "Location" not in again.headers
    assert parse_page(again).h1 == "Sign in to Test IdP"
    assert "Wrong username or password" in again.text

    # the form still works afterwards
    consent = submit(browser, provider, again, "Sign in", login="alice", password="pw")
    assert parse_page(consent).h1 == "Allow access?"


def test_deny_on_consent_redirects_with_access_denied_and_the_state(
    provider: RunningProvider, metadata: dict, browser: requests.Session
) -> None:
    request = Request()
    login = authorize(browser, provider, metadata, request)
    consent = submit(browser, provider, login, "Sign in", login="alice", password="pw")
    params = callback_params(submit(browser, provider, consent, "Deny"))
    assert params["error"] == "access_denied"
    assert params["state"] == request.state
    assert "code" not in params


def test_cancel_on_login_redirects_with_access_denied_and_the_state(
    provider: RunningProvider, metadata: dict, browser: requests.Session
) -> None:
    request = Request()
    login = authorize(browser, provider, metadata, request)
    params = callback_params(submit(browser, provider, login, "Cancel"))
    assert params["error"] == "access_denied"
    assert params["state"] == request.state


def test_token_request_with_a_wrong_code_verifier_is_refused(
    provider: RunningProvider, metadata: dict, browser: requests.Session
) -> None:
    request = Request()
    params = sign_in_and_allow(browser, provider, metadata, request)
    refused = token_request(browser, metadata, params["code"], Request().verifier)
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_grant"


def test_pkce_is_required(
    provider: RunningProvider, metadata: dict, browser: requests.Session
) -> None:
    params = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "scope": SCOPE,
        "state": "s-1",
        "nonce": "n-1",
    }
    response = browser.get(
        metadata["authorization_endpoint"], params=params, allow_redirects=False, timeout=TIMEOUT_S
    )
    error = callback_params(response)
    assert error["error"] == "invalid_request"
    assert "PKCE" in error["error_description"]
    assert error["state"] == "s-1"


def test_stop_ends_the_provider_cleanly(tmp_path: Path) -> None:
    require_provider()
    running = start_provider(clients=[CLIENT], accounts=[ALICE], tmp_dir=tmp_path)
    assert running.process.poll() is None
    running.stop()
    assert running.process.returncode == 0


def test_a_provider_that_exits_early_reports_its_stderr(
    provider: RunningProvider, tmp_path: Path
) -> None:
    taken = urlsplit(provider.issuer).port
    with pytest.raises(ProviderError, match=r"exited early(.|\n)*EADDRINUSE"):
        start_provider(clients=[CLIENT], accounts=[ALICE], tmp_dir=tmp_path, port=taken)
