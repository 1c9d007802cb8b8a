"""Single sign-on end to end against the real test provider: the console's start and
callback views, mozilla-django-oidc's code exchange (PKCE, nonce, signature) and the
console's own rules, each failure shown on the sign-in page in words."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from console.history.models import TeamEvent, TeamEventAction
from console.sso.discovery import forget_metadata
from console.sso.models import SsoIdentity
from console.teams.models import Membership, Role
from tests.conftest import sign_in
from tests.sso.conftest import configure_sso, sign_in_with_sso

User = get_user_model()


def _text(response) -> str:
    return response.content.decode()


def _signed_in_as(client: Client) -> object:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def _replace_query(url: str, **values: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(values)
    return urlunsplit(parts._replace(query=urlencode(query)))


def test_the_sign_in_page_offers_the_provider(sso):
    page = _text(Client().get(reverse("login")))
    assert "Sign in with Test IdP" in page
    assert 'href="/oidc/start/"' in page
    assert 'name="password"' in page  # local passwords stay allowed by default


def test_a_first_sign_in_creates_the_user_and_links_the_provider_account(db, sso):
    client = Client()
    flow = sign_in_with_sso(client, sso, "alice")
    assert flow.response.status_code == 302
    assert flow.response["Location"] == reverse("home")
    user = _signed_in_as(client)
    assert user.username == "alice"
    assert user.email == "alice@example.com"
    assert not user.has_usable_password()  # the provider is how this account signs in
    identity = SsoIdentity.objects.get(user=user)
    assert (identity.issuer, identity.subject) == (sso.issuer, "alice-sub-0001")
    assert client.session["console_signin_method"] == "sso"
    # and the next click is a signed-in page
    assert client.get(reverse("account:home")).status_code == 200


def test_the_second_sign_in_finds_the_same_user(db, sso):
    sign_in_with_sso(Client(), sso, "alice")
    client = Client()
    sign_in_with_sso(client, sso, "alice")
    assert User.objects.filter(email="alice@example.com").count() == 1
    assert _signed_in_as(client).username == "alice"


def test_the_next_address_is_kept_through_the_provider(db, sso):
    client = Client()
    flow = sign_in_with_sso(client, sso, "alice", next_url="/account/")
    assert flow.response["Location"] == "/account/"


def test_a_verified_email_takes_over_the_existing_account(db, sso, team):
    existing = User.objects.create_user("alice.local", email="Alice@Example.com", password="pw")
    Membership.objects.create(team=team, user=existing, role=Role.MEMBER)
    other_device = Client()
    assert sign_in(other_device, "alice.local", "pw")

    client = Client()
    sign_in_with_sso(client, sso, "alice")

    assert _signed_in_as(client).pk == existing.pk
    existing.refresh_from_db()
    assert not existing.has_usable_password()  # whoever made the account cannot use it now
    assert other_device.get(reverse("account:home")).status_code == 302  # signed out
    assert User.objects.count() == 1


def test_an_unverified_email_never_matches_an_existing_account(db, sso):
    User.objects.create_user("bob.local", email="bob@example.com", password="pw")
    client = Client()
    flow = sign_in_with_sso(client, sso, "bob")
    assert flow.response["Location"] == reverse("login")
    assert "has not confirmed the address is yours" in flow.page
    assert _signed_in_as(client) is None
    assert not SsoIdentity.objects.exists()


def test_an_unverified_email_of_nobody_makes_a_new_account(db, sso):
    client = Client()
    sign_in_with_sso(client, sso, "bob")
    assert _signed_in_as(client).email == "bob@example.com"


def test_an_email_outside_the_allowed_domains_is_refused(db, sso, settings):
    settings.CONSOLE_SSO_ALLOWED_DOMAINS = ["example.com"]
    client = Client()
    flow = sign_in_with_sso(client, sso, "eve")
    assert flow.response["Location"] == reverse("login")
    page = flow.page
    assert "The address eve@other.org is not one this console accepts" in page
    assert "example.com" in page
    assert _signed_in_as(client) is None
    assert not User.objects.exists()


def test_an_allowed_domain_needs_a_verified_email(db, sso, settings):
    settings.CONSOLE_SSO_ALLOWED_DOMAINS = ["example.com"]
    flow = sign_in_with_sso(Client(), sso, "bob")
    assert "has not confirmed that bob@example.com is yours" in flow.page
    assert not User.objects.exists()


def test_a_disabled_user_stays_out_and_it_is_a_team_event(db, sso, team):
    dave = User.objects.create_user("dave", email="dave@example.com", is_active=False)
    Membership.objects.create(team=team, user=dave, role=Role.MEMBER)
    client = Client()
    flow = sign_in_with_sso(client, sso, "dave")
    assert flow.response["Location"] == reverse("login")
    assert "The console account dave is disabled" in flow.page
    assert _signed_in_as(client) is None
    event = TeamEvent.objects.get(team=team, action=TeamEventAction.SIGN_IN_FAILED)
    assert event.subject_name == "dave"
    assert event.detail["reason"] == "account disabled (single sign-on)"


def test_a_denied_consent_is_said_in_words(db, sso):
    client = Client()
    flow = sign_in_with_sso(client, sso, "carl", allow=False)
    assert "error=access_denied" in flow.callback
    assert flow.response["Location"] == reverse("login")
    assert "You did not allow the console to use your Test IdP account" in flow.page
    assert _signed_in_as(client) is None
    assert not User.objects.exists()


def test_a_wrong_state_is_refused(db, sso):
    client = Client()
    flow = sign_in_with_sso(
        client, sso, "alice", alter_callback=lambda u: _replace_query(u, state="forged")
    )
    assert flow.response["Location"] == reverse("login")
    assert "does not belong to a sign-in started in this browser" in flow.page
    assert _signed_in_as(client) is None
    assert not User.objects.exists()


def test_a_callback_replayed_in_another_browser_is_refused(db, sso):
    flow = sign_in_with_sso(Client(), sso, "alice")
    parts = urlsplit(flow.callback)
    other = Client()
    replay = other.get(f"{parts.path}?{parts.query}")
    assert replay["Location"] == reverse("login")
    page = other.get(replay["Location"]).content.decode()
    assert "does not belong to a sign-in started in this browser" in page


def test_a_wrong_nonce_is_refused(db, sso):
    client = Client()
    flow = sign_in_with_sso(
        client, sso, "alice", alter_authorize=lambda u: _replace_query(u, nonce="not-the-sessions")
    )
    assert flow.response["Location"] == reverse("login")
    assert "could not be verified" in flow.page
    assert _signed_in_as(client) is None
    assert not User.objects.exists()


def test_a_provider_that_does_not_answer_is_said_on_the_sign_in_page(db, settings):
    configure_sso(settings, "http://127.0.0.1:9")  # discard port: nothing listens
    client = Client()
    response = client.get(reverse("sso:start"))
    assert response["Location"] == reverse("login")
    page = _text(client.get(response["Location"]))
    assert "Single sign-on is not available right now: Test IdP does not answer" in page
    assert "or sign in with your password" in page
    assert 'name="password"' in page  # the password form is still there
    forget_metadata()


def test_a_provider_gone_after_the_login_is_said_on_the_sign_in_page(db, settings, tmp_path):
    from tests.sso.conftest import CALLBACK, start_idp

    idp = start_idp(tmp_path, [CALLBACK])
    configure_sso(settings, idp.issuer)
    client = Client()

    def stop_then_return(callback: str) -> str:
        idp.stop()  # the code exchange will find nobody
        return callback

    try:
        flow = sign_in_with_sso(client, idp, "alice", alter_callback=stop_then_return)
    finally:
        idp.stop()
        forget_metadata()
    assert flow.response["Location"] == reverse("login")
    assert "Test IdP did not complete the sign-in" in flow.page
    assert _signed_in_as(client) is None


def test_an_issuer_other_than_the_configured_one_is_refused(db, sso, settings):
    settings.OIDC_ISSUER = "https://login.example.com"
    client = Client()
    response = client.get(reverse("sso:start"))
    assert response["Location"] == reverse("login")  # discovery names another issuer
    assert "not available right now" in _text(client.get(reverse("login")))


def test_single_sign_on_is_404_when_not_set_up(db):
    assert Client().get(reverse("sso:start")).status_code == 404
    assert Client().get(reverse("sso:callback") + "?code=x&state=y").status_code == 404


def test_a_sign_in_is_a_team_event_with_its_method(db, sso, team):
    carl = User.objects.create_user("carl", email="carl@example.com")
    Membership.objects.create(team=team, user=carl, role=Role.VIEWER)
    sign_in_with_sso(Client(), sso, "carl")
    event = TeamEvent.objects.get(team=team, action=TeamEventAction.SIGNED_IN)
    assert event.subject_name == "carl"
    assert event.detail == {"method": "sso"}
    assert event.address == "127.0.0.1"


def test_a_single_sign_on_session_meets_a_two_factor_rule(db, sso, team):
    team.require_two_factor = True
    team.save()
    carl = User.objects.create_user("carl", email="carl@example.com")
    Membership.objects.create(team=team, user=carl, role=Role.VIEWER)
    client = Client()
    sign_in_with_sso(client, sso, "carl")
    assert client.get(reverse("history:list", args=[team.slug])).status_code == 200


class TestPasswordsOff:
    """CONSOLE_LOCAL_PASSWORDS=0: only the provider signs people in (and operators)."""

    @pytest.fixture(autouse=True)
    def _passwords_off(self, settings, sso):
        settings.CONSOLE_LOCAL_PASSWORDS = False

    def test_the_page_has_no_password_form(self):
        page = _text(Client().get(reverse("login")))
        assert "Sign in with Test IdP" in page
        assert 'name="password"' not in page

    def test_a_password_sign_in_is_refused(self, member):
        response = Client().post(reverse("login"), {"username": "mia", "password": "pw-mia"})
        assert response.status_code == 200
        assert "Signing in with a password is turned off here" in _text(response)

    def test_an_operator_still_signs_in_with_a_password(self, db):
        User.objects.create_superuser("root", password="pw-root-9f8e")
        assert sign_in(Client(), "root", "pw-root-9f8e")
