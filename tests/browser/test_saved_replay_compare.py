# ruff: noqa: F811 - fixtures are imported here by name (tests/browser has its own conftest)
"""Saved requests, replay and compare in a real browser (htmx swaps, no CSP problems).

What only a browser shows: "Save as…" sits outside the operation form (form="send-form")
yet its htmx request carries the form's values and swaps only the "Saved requests" card;
Enter in the name prompt saves without sending; a saved request opens filled in and
sends; the history's checkboxes belong to the Compare form; Replay fills the form in.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from console.history.models import CallRecord
from console.saved.models import SavedRequest
from tests.browser.conftest import expect, sign_in
from tests.explorer.echo import EchoServer, echo, echo_access  # noqa: F401 - fixtures
from tests.explorer.things import things, things_op  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


def _is_send(response: Any) -> bool:
    return response.request.method == "POST" and response.url.endswith("/send/")


def test_save_open_send_compare_and_replay(
    page: Any, member: Any, things_op: Any, echo: EchoServer, echo_access: Any
) -> None:
    get_thing = things_op("getThing")
    sign_in(page, "mia", "pw-mia")
    page.goto(reverse("explorer:operation", args=[get_thing.team.slug, get_thing.pk]))
    operation_url = page.url
    page.get_by_label("thingId").fill("thing-7")
    page.get_by_label("limit").fill("3")

    # Save as…: the prompt comes into the card, the name is focused; Enter saves.
    card = page.locator("#saved-section")
    card.get_by_role("button", name="Save as…").click()
    name = card.get_by_label("Save as")
    expect(name).to_be_focused()
    name.fill("Thing seven")
    name.press("Enter")
    expect(card).to_contain_text("Saved “Thing seven”.")
    expect(card.get_by_role("link", name="Thing seven")).to_be_visible()
    assert page.url == operation_url
    saved = SavedRequest.objects.get()
    assert saved.values["path:thingId"] == "thing-7"
    assert saved.values["query:limit"] == "3"
    assert not CallRecord.objects.exists()  # saving sent nothing

    # Open it from the list: the form is filled in; Send sends the saved values.
    page.get_by_role("link", name="Saved requests", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Saved requests")
    page.get_by_role("row", name=re.compile("Thing seven")).get_by_role("link", name="Open").click()
    expect(page.locator("#prefill-notice")).to_contain_text("Saved request “Thing seven”")
    expect(page.get_by_label("thingId")).to_have_value("thing-7")
    for _ in range(2):  # twice, for two records to compare
        with page.expect_response(_is_send):
            page.get_by_role("button", name="Send", exact=True).click()
        expect(page.locator("#response-slot .response-status .status")).to_have_text("200")
        page.get_by_label("limit").fill("4")
    assert [r.path for r in echo.api()] == ["/v1/things/thing-7"] * 2
    assert [r.raw_query for r in echo.api()] == ["limit=3", "limit=4"]

    # Compare: tick both calls in the history, press Compare.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="History").click()
    for box in page.get_by_role("checkbox").all():
        box.check()
    page.get_by_role("button", name="Compare").click()
    expect(page).to_have_url(re.compile(r"/history/compare/\?ids=\d+&ids=\d+$"))
    expect(page.locator(".compare-grid .response")).to_have_count(2)
    # The echo server answers both GETs alike: the diff says so.
    expect(page.get_by_role("region", name="Body, line by line")).to_contain_text(
        "The bodies are identical."
    )

    # Replay the newer call from its detail page.
    newer = CallRecord.objects.order_by("-id").first()
    page.goto(reverse("history:detail", args=[newer.team.slug, newer.pk]))
    page.get_by_role("link", name="Replay").click()
    expect(page.locator("#prefill-notice")).to_contain_text(f"Replay of call {newer.pk}")
    expect(page.get_by_label("thingId")).to_have_value("thing-7")
    expect(page.get_by_label("limit")).to_have_value("4")
