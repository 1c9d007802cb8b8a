"""Invitations in real browsers: an admin invites new@example.com as member from the
settings page; in a browser of its own the invited person opens the link, creates an
account, lands in the team and sends a call. A viewer's invitation gives a viewer, and a
revoked and an expired link each say so."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from console.invitations.models import Invitation
from console.invitations.services import invitation_send
from console.teams.models import Membership, Role
from console.vault.models import ApplicationAccess, Environment
from tests.browser.conftest import expect, sign_in
from tests.conftest import Person

pytestmark = pytest.mark.browser
PASSWORD = "Correct-Horse-Battery-42"


def _invite(page: Any, email: str, role: str) -> str:
    """Invite `email` from the settings page; returns the link the page shows."""
    page.goto("/t/metering/settings/#invitations")
    invitations = page.locator("#invitations")
    invitations.get_by_label("Email address").fill(email)
    invitations.get_by_label("Role").select_option(role)
    invitations.get_by_role("button", name="Invite").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Invitation ready")
    link = page.get_by_label("Invitation link").input_value()
    assert re.fullmatch(r"http://[^/]+/invite/metering/[\w-]{43}/", link), link
    return link


def _create_account(page: Any, link: str, username: str) -> None:
    page.goto(link)
    expect(page).to_have_url(re.compile(r"/invite/$"))  # the token left the address
    expect(page.get_by_role("heading", level=1)).to_have_text("Join Metering")
    page.get_by_label("Username").fill(username)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Create account and join").click()


def test_an_invited_member_joins_from_the_link_and_sends_a_call(
    page: Any, another_page: Any, admin: Person, sandbox_access: ApplicationAccess
) -> None:
    sign_in(page, "adam", "pw-adam")
    link = _invite(page, "new@example.com", "member")

    newcomer = another_page
    _create_account(newcomer, link, "newbie")
    expect(newcomer).to_have_url(re.compile(r"/t/metering/specs/\d+/$"))
    expect(newcomer.locator(".messages")).to_contain_text(
        "Welcome to Metering: you joined as Member"
    )
    expect(newcomer.locator(".team-name .badge")).to_have_text("Member")

    operations = newcomer.get_by_role("navigation", name="Operations")
    operations.get_by_role("link", name=re.compile("List meter types")).click()
    newcomer.get_by_role("button", name="Send", exact=True).click()
    panel = newcomer.locator("#response-slot")
    expect(panel.locator(".response-status .status")).to_have_text("200")
    expect(panel.locator("#response-body")).to_contain_text("meterTypes")

    user = get_user_model().objects.get(username="newbie")
    assert user.email == "new@example.com"
    assert Membership.objects.get(user=user).role == Role.MEMBER

    # The inviter sees it accepted in the list.
    page.goto("/t/metering/settings/#invitations")
    row = page.locator('[data-invitation="new@example.com"]')
    expect(row.locator("[data-state]")).to_have_text("Accepted")
    expect(row).to_contain_text("by newbie")


def test_a_viewers_invitation_gives_a_viewer(
    page: Any, another_page: Any, admin: Person, sandbox_env: Environment
) -> None:
    sign_in(page, "adam", "pw-adam")
    link = _invite(page, "watcher@example.com", "viewer")
    _create_account(another_page, link, "watcher")
    expect(another_page.locator(".team-name .badge")).to_have_text("Viewer")
    assert Membership.objects.get(user__username="watcher").role == Role.VIEWER


def test_a_revoked_link_says_so(page: Any, another_page: Any, admin: Person) -> None:
    sign_in(page, "adam", "pw-adam")
    link = _invite(page, "gone@example.com", "member")
    page.goto("/t/metering/settings/#invitations")
    page.once("dialog", lambda dialog: dialog.accept())  # "Revoke the invitation for …?"
    page.locator('[data-invitation="gone@example.com"]').get_by_role(
        "button", name="Revoke"
    ).click()
    expect(page.locator(".messages")).to_contain_text(
        "The invitation for gone@example.com is revoked."
    )

    another_page.goto(link)
    refusal = another_page.locator("[data-invite-refusal]")
    expect(refusal).to_contain_text("This invitation was withdrawn")
    expect(another_page.get_by_role("button", name="Create account and join")).to_have_count(0)


def test_an_expired_link_says_so(another_page: Any, admin: Person) -> None:
    sent = invitation_send(scope=admin.scope, email="late@example.com", role=Role.MEMBER)
    Invitation.objects.filter(pk=sent.invitation.pk).update(
        expires_at=timezone.now() - timedelta(hours=1)
    )
    another_page.goto(sent.url)
    refusal = another_page.locator("[data-invite-refusal]")
    expect(refusal).to_contain_text("This invitation expired on")
    expect(refusal).to_contain_text("Ask adam to send a new one.")
