"""Single sign-on against the real test provider (tests/oidc): its accounts, the console's
settings pointing at it, and a walk through the flow with Django's test client on the
console's side and `requests` on the provider's (the browser tests use Chromium).

Fixtures
    idp          the provider (one per module), its client registered for the test client's
                 callback (http://testserver/oidc/callback/)
    sso          the console's single sign-on settings pointing at `idp` (function scope)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from django.test import Client

from console.sso.discovery import forget_metadata
from tests.sso.idp_pages import follow, parse_page, submit
from tests.sso.oidc_provider import RunningProvider, require_provider, start_provider

CLIENT_ID = "ue-console"
CLIENT_SECRET = "tests-console-oidc-secret-Hq3vN8"  # only ever used against the test provider
CALLBACK = "http://testserver/oidc/callback/"


def account(login: str, email: str, *, verified: bool = True, **claims: object) -> dict:
    """One account of the test provider (its password is "pw-" + login)."""
    return {
        "login": login,
        "password": f"pw-{login}",
        "sub": f"{login}-sub-0001",
        "claims": {"email": email, "email_verified": verified, "name": login.title(), **claims},
    }


ACCOUNTS = [
    account("alice", "alice@example.com", groups=["ue-admins"], preferred_username="alice"),
    account("bob", "bob@example.com", verified=False),
    account("eve", "eve@other.org"),
    account("dave", "dave@example.com"),
    account("carl", "carl@example.com", groups=["ue-devs"], preferred_username="carl"),
    account("nora", "nora@example.com", groups=[]),
]


def start_idp(tmp_dir: Path, redirect_uris: list[str]) -> RunningProvider:
    """The provider with the console registered as a client for `redirect_uris`."""
    require_provider()
    client = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "client_name": "Usage Engine Console",
        "redirect_uris": redirect_uris,
    }
    return start_provider(clients=[client], accounts=ACCOUNTS, tmp_dir=tmp_dir)


@pytest.fixture(scope="module")
def idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningProvider]:
    """The test provider for this module."""
    with start_idp(tmp_path_factory.mktemp("idp"), [CALLBACK]) as running:
        yield running


def configure_sso(settings: object, discovery_issuer: str, **extra: object) -> None:
    """Point the console's single sign-on at a provider (as the OIDC_* variables would)."""
    settings.OIDC_ISSUER = discovery_issuer
    settings.OIDC_DISCOVERY_URL = f"{discovery_issuer}/.well-known/openid-configuration"
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_RP_SCOPES = "openid email profile groups"
    settings.CONSOLE_SSO = True
    settings.CONSOLE_SSO_LABEL = "Test IdP"
    backends = [b for b in settings.AUTHENTICATION_BACKENDS if "sso" not in b]
    settings.AUTHENTICATION_BACKENDS = [*backends, "console.sso.backend.OidcBackend"]
    for name, value in extra.items():
        setattr(settings, name, value)
    forget_metadata()


@pytest.fixture
def sso(settings: object, idp: RunningProvider) -> Iterator[RunningProvider]:
    """The console's single sign-on pointed at `idp`."""
    configure_sso(settings, idp.issuer)
    yield idp
    forget_metadata()


@dataclass
class Flow:
    """One sign-in through the provider: the console's answer to the callback, and the
    callback's address (to replay or alter)."""

    response: object
    callback: str
    client: Client

    @property
    def page(self) -> str:
        """The page the person ends on (redirects followed), as text."""
        response = self.response
        while response.status_code == 302:
            response = self.client.get(response["Location"])
        return response.content.decode()


def idp_session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    return session


def sign_in_with_sso(
    client: Client,
    idp: RunningProvider,
    login: str,
    *,
    allow: bool = True,
    next_url: str = "",
    alter_authorize: Callable[[str], str] | None = None,
    alter_callback: Callable[[str], str] | None = None,
) -> Flow:
    """Press "Sign in with …" on the console, sign in and answer consent at the provider,
    and follow the provider's redirect back to the console's callback."""
    start = client.get("/oidc/start/" + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302, start.content[:500]
    authorize = start["Location"]
    assert authorize.startswith(idp.issuer + "/"), authorize
    if alter_authorize is not None:
        authorize = alter_authorize(authorize)
    browser = idp_session()
    page = follow(browser, browser.get(authorize, allow_redirects=False, timeout=10), idp.issuer)
    answer = submit(browser, idp, page, "Sign in", login=login, password=f"pw-{login}")
    if answer.status_code == 200 and parse_page(answer).h1 == "Allow access?":
        answer = submit(browser, idp, answer, "Allow" if allow else "Deny")
    assert answer.status_code in {302, 303}, answer.text[:500]
    callback = answer.headers["Location"]
    assert callback.startswith(CALLBACK), callback
    if alter_callback is not None:
        callback = alter_callback(callback)
    parts = urlsplit(callback)
    return Flow(client.get(f"{parts.path}?{parts.query}"), callback, client)
