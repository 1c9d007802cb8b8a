"""The demo flow in a real browser, as a new team member does it.

Sign in through the form, land in the explorer, open "List meter types", press Send,
read the answer in the response panel (an htmx swap), then find the call in the history
and open it. Also: the sidebar's search box narrows the operations (htmx, no reload).
(The README's screenshots are taken by docs/screenshots/take.py.)
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from console.specs.models import Operation
from console.vault.models import ApplicationAccess, Environment
from tests.browser.conftest import expect, sign_in
from tests.conftest import Person

pytestmark = pytest.mark.browser


def _is_send(response: Any) -> bool:
    return response.request.method == "POST" and response.url.endswith("/send/")


def test_member_signs_in_sends_list_meter_types_and_finds_it_in_history(
    page: Any, member: Person, sandbox_access: ApplicationAccess
) -> None:
    sign_in(page, "mia", "pw-mia")

    # Signed in, the member lands in the explorer on the team's only spec.
    expect(page).to_have_url(re.compile(r"/t/metering/specs/\d+/$"))
    main_nav = page.get_by_role("navigation", name="Main")
    expect(main_nav.get_by_role("link", name="Explorer")).to_have_attribute("aria-current", "page")
    operations = page.get_by_role("navigation", name="Operations")
    operations.get_by_role("link", name=re.compile("List meter types")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("List meter types")
    expect(page.locator(".op-header code.path")).to_have_text("/metering/v1/meter-types")
    access_picker = page.get_by_label("Application Access")
    expect(access_picker).to_have_value(str(sandbox_access.pk))
    access_picker.select_option(label="Sandbox demo — Sandbox")  # as a person picks it
    operation_url = page.url
    panel = page.locator("#response-slot")
    expect(panel).to_contain_text("Send the request to see the response here.")

    with page.expect_response(_is_send) as sent:
        page.get_by_role("button", name="Send", exact=True).click()
    # An htmx request that swapped the panel, not a page load.
    assert sent.value.status == 200
    assert sent.value.request.headers.get("hx-request") == "true"
    expect(panel.locator(".response-status .status")).to_have_text("200")
    body = panel.locator("#response-body")
    expect(body).to_contain_text("meterTypes")
    expect(body).to_contain_text("API calls")  # a meter type the sandbox is seeded with
    expect(panel.locator(".request-line")).to_contain_text("/metering/v1/meter-types")
    assert page.url == operation_url

    # The call is in the history, newest first, and its detail page opens.
    main_nav.get_by_role("link", name="History").click()
    expect(page).to_have_url(re.compile(r"/t/metering/history/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("History")
    rows = page.locator("#history-rows tr")
    expect(rows).to_have_count(1)
    row = rows.first
    expect(row).to_contain_text("List meter types")
    expect(row.locator(".status")).to_have_text("200")
    expect(row).to_contain_text("mia")
    expect(row).to_contain_text("Sandbox demo")

    row.locator("a.row-link").click()
    expect(page).to_have_url(re.compile(r"/t/metering/history/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("List meter types")
    expect(page.locator(".response-head .status")).to_have_text("200")
    expect(page.locator("#response-body")).to_contain_text("meterTypes")
    expect(page.locator(".request-line")).to_contain_text("/metering/v1/meter-types")


def test_sidebar_search_narrows_the_operations(
    page: Any, member: Person, sandbox_env: Environment
) -> None:
    sign_in(page, "mia", "pw-mia")
    stream_paths = sorted(
        Operation.objects.filter(path__contains="/stream-management/").values_list(
            "path", flat=True
        )
    )
    total = Operation.objects.count()
    assert 0 < len(stream_paths) < total

    links = page.locator("#operation-list a.op-link")
    expect(links).to_have_count(total)
    search = page.get_by_role("searchbox", name="Search operations")
    page.locator("main").click()  # "/" from anywhere outside a field focuses the search box
    page.keyboard.press("/")
    expect(search).to_be_focused()

    url_before = page.url
    with page.expect_response(lambda r: "q=stream" in r.url) as searched:
        search.fill("stream")
    assert searched.value.request.headers.get("hx-request") == "true"
    expect(links).to_have_count(len(stream_paths))
    paths = page.locator("#operation-list .op-path").all_inner_texts()
    assert sorted(paths) == stream_paths
    expect(page.locator("#operation-list .op-group-title")).to_have_text(["Streams"])
    expect(page.locator("#operation-list")).not_to_contain_text("List meter types")
    assert page.url == url_before  # swapped in place, no navigation

    search.fill("no-such-operation")
    expect(page.locator("#operation-list")).to_contain_text(
        "No operation matches “no-such-operation”."
    )

    search.fill("")
    expect(links).to_have_count(total)
