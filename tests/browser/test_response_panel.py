# ruff: noqa: F811 - the echo fixtures are imported here by name (tests/browser has its own conftest)
"""The response panel in a real browser: the production guard's confirm button (outside the
form, in the swapped-in panel) re-posts the form through htmx; JSON folds without script
errors or CSP violations; the timing bar and the copy-as blocks render."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from console.vault.models import Environment
from tests.browser.conftest import expect, sign_in
from tests.explorer.echo import (  # noqa: F401 - fixtures are found by name
    EchoServer,
    echo,
    echo_access,
    echo_op,
    echo_spec,
)

pytestmark = pytest.mark.browser


def test_production_post_is_confirmed_in_the_panel_then_sent_once(
    page: Any, member: Any, echo: EchoServer, echo_access: Any, echo_op: Any
) -> None:
    Environment.objects.filter(pk=echo_access.environment_id).update(
        name="Production EU", is_production=True
    )
    op = echo_op("createWidget")
    sign_in(page, "mia", "pw-mia")
    page.goto(reverse("explorer:operation", args=[op.team.slug, op.pk]))

    page.get_by_role("button", name="Send", exact=True).click()
    panel = page.locator("#response-slot")
    expect(panel).to_contain_text("Send POST Create a widget to Production EU?")
    assert echo.api() == []

    panel.get_by_role("button", name="Send to Production EU").click()
    expect(panel.locator(".response-status .status")).to_have_text("201")
    assert len(echo.api()) == 1
    expect(panel.locator("[data-timing-part='upstream']")).to_be_visible()

    # The JSON answer folds and unfolds with a click on its first line.
    tree = panel.locator(".json-tree")
    summary = tree.locator("summary").first
    expect(tree).to_contain_text('"name"')
    summary.click()
    expect(tree.locator("details").first).not_to_have_attribute("open", "")
    expect(summary).to_contain_text("… ")

    panel.get_by_text("Copy as curl or Python").click()
    expect(panel.locator("#snippet-curl")).to_contain_text("Authorization: Bearer $TOKEN")
