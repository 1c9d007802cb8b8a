"""Single sign-on in Chromium against the real test provider (oidc-provider on 127.0.0.1):
"Sign in with …" goes through the provider's own login and consent pages and comes back
signed in as a new user; the allowed-domain rule refuses another domain with a message."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from console.sso.discovery import forget_metadata
from console.sso.models import SsoIdentity
from tests.browser.conftest import expect
from tests.sso.conftest import configure_sso, start_idp
from tests.sso.oidc_provider import RunningProvider

pytestmark = pytest.mark.browser


@pytest.fixture
def idp_for_browser(live_server: Any, settings: Any, tmp_path: Any) -> Iterator[RunningProvider]:
    """The provider, with the live server's callback registered, and the console pointed at it."""
    with start_idp(tmp_path, [f"{live_server.url}/oidc/callback/"]) as running:
        configure_sso(settings, running.issuer)
        yield running
    forget_metadata()


def _through_the_provider(page: Any, idp: RunningProvider, login: str) -> None:
    page.goto("/login/")
    page.get_by_role("link", name="Sign in with Test IdP").click()
    expect(page).to_have_url(re.compile(re.escape(idp.issuer) + "/interaction/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Test IdP")
    page.get_by_label("Username").fill(login)
    page.get_by_label("Password").fill(f"pw-{login}")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Allow access?")
    page.get_by_role("button", name="Allow").click()


def test_sign_in_with_the_provider_creates_the_user(page: Any, idp_for_browser, db) -> None:
    _through_the_provider(page, idp_for_browser, "alice")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.get_by_text("You are not in a team yet")).to_be_visible()
    user = get_user_model().objects.get(username="alice")
    assert user.email == "alice@example.com"
    assert SsoIdentity.objects.get(user=user).issuer == idp_for_browser.issuer
    page.goto("/account/")
    expect(page.locator(".kv")).to_contain_text("signed in with single sign-on")


def test_an_address_outside_the_allowed_domains_is_refused(
    page: Any, idp_for_browser, settings, db
) -> None:
    settings.CONSOLE_SSO_ALLOWED_DOMAINS = ["example.com"]
    _through_the_provider(page, idp_for_browser, "eve")
    expect(page).to_have_url(re.compile(r"/login/$"))  # no code left in the address bar
    error = page.locator("[data-sign-in-error]")
    expect(error).to_contain_text("The address eve@other.org is not one this console accepts")
    expect(error).to_contain_text("example.com")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    assert not get_user_model().objects.filter(email="eve@other.org").exists()
