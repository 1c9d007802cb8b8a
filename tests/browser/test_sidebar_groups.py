"""A big spec's sidebar in a real browser: tag groups collapsed but the current one, a
group's operations loaded with htmx when it is opened (keyboard included), one of them
opened; and the same group opened without JavaScript through its link."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.urls import reverse

from console.explorer.sidebar import SIDEBAR_COLLAPSE_AT
from console.specs.models import Operation
from console.specs.services import spec_import
from tests.browser.conftest import expect, sign_in
from tests.conftest import Person
from tests.explorer.many_operations import many_operations

pytestmark = pytest.mark.browser

COUNT, TAGS = 600, 30  # 20 operations in each tag group


@pytest.fixture
def big_spec(admin: Person) -> Any:
    """600 operations over 30 tags, imported as the team's only spec."""
    assert COUNT > SIDEBAR_COLLAPSE_AT
    document = many_operations(COUNT, TAGS)
    return spec_import(scope=admin.scope, name="Many", data=json.dumps(document).encode())


def _url(team: Any, big_spec: Any, i: int) -> str:
    op = Operation.objects.get(version=big_spec.version, operation_id=f"getThing{i}")
    return reverse("explorer:operation", args=[team.slug, op.pk])


def _group(page: Any, tag: str) -> Any:
    return page.locator("#operation-list details.op-group").filter(
        has=page.locator(".op-group-title", has_text=re.compile(f"^{tag}$"))
    )


def test_opening_a_collapsed_group_loads_it_and_its_operation_opens(
    page: Any, viewer: Person, team: Any, big_spec: Any
) -> None:
    sign_in(page, "victor", "pw-victor")
    page.goto(_url(team, big_spec, 37))  # in tag07
    expect(page.locator("#operation-list details.op-group")).to_have_count(TAGS)
    expect(page.locator("#operation-list details.op-group[open]")).to_have_count(1)
    current = page.locator('#operation-list .op-link[aria-current="page"]')
    expect(current).to_have_text(re.compile("Thing number 37"))
    expect(page.locator("#operation-list .op-link")).to_have_count(20)

    # Open tag12 from the keyboard: its list comes in, the focus stays on its summary.
    group = _group(page, "tag12")
    expect(group.locator(".op-link")).to_have_count(0)
    summary = group.locator("summary")
    summary.focus()
    with page.expect_response(lambda r: "/groups/12/" in r.url) as loaded:
        page.keyboard.press("Enter")
    assert loaded.value.request.headers.get("hx-request") == "true"
    expect(group.locator(".op-link")).to_have_count(20)
    expect(group).to_have_attribute("open", "")
    expect(group).not_to_have_attribute("aria-busy", "true")
    expect(group.locator(".op-group-more")).to_have_count(0)
    expect(summary).to_be_focused()
    # Closing and opening it again loads nothing more.
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    summary.click()
    summary.click()
    expect(group.locator(".op-link")).to_have_count(20)
    assert not [url for url in requests if "/groups/" in url]

    # The search still reaches an operation of a group that was never opened.
    search = page.get_by_role("searchbox", name="Search operations")
    search.fill("getthing459")
    expect(page.locator("#operation-list .op-link")).to_have_count(1)
    expect(page.locator("#operation-list .op-link")).to_contain_text("Thing number 459")
    search.fill("")
    expect(page.locator("#operation-list details.op-group[open]")).to_have_count(1)
    expect(current).to_have_text(re.compile("Thing number 37"))

    # Open tag12 again (the list was swapped by the search) and open one of its operations.
    group = _group(page, "tag12")
    group.locator("summary").click()
    link = group.locator(".op-link", has_text=re.compile(r"Thing number 42\b"))
    link.click()
    expect(page).to_have_url(re.compile(re.escape(_url(team, big_spec, 42)) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Thing number 42")
    expect(page.locator("#operation-list details.op-group[open] .op-group-title")).to_have_text(
        "tag12"
    )
    expect(current).to_have_text(re.compile("Thing number 42"))


@pytest.mark.usefixtures("_browser_turn", "transactional_db")
def test_without_javascript_a_groups_link_opens_it(
    browser: Any, live_server: Any, viewer: Person, team: Any, big_spec: Any
) -> None:
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, "victor", "pw-victor")
        page.goto(_url(team, big_spec, 37))
        group = _group(page, "tag12")
        group.locator("summary").click()  # a native <details>: opens without a script
        group.get_by_role("link", name="List its 20 operations").click()
        expect(page).to_have_url(re.compile(r"\?tag=tag12#op-group-12$"))
        opened = page.locator("#operation-list details.op-group[open]")
        expect(opened.locator(".op-group-title")).to_have_text("tag12")
        expect(opened.locator(".op-link")).to_have_count(20)
    finally:
        context.close()


def test_a_loading_group_is_busy_and_a_focused_link_hands_the_focus_on(
    page: Any, viewer: Person, team: Any, big_spec: Any
) -> None:
    sign_in(page, "victor", "pw-victor")
    page.goto(_url(team, big_spec, 37))
    held: list[Any] = []  # the group's request, answered when the test says so
    page.route("**/groups/15/", lambda route: held.append(route))
    group = _group(page, "tag15")
    group.locator("summary").click()
    expect(group).to_have_attribute("aria-busy", "true")
    # htmx marks the group busy as it sends; the route's handler runs a moment later,
    # when Playwright next dispatches events (which waiting does).
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(20)
    assert len(held) == 1
    # Someone tabs to the fallback link while the list loads; the list replaces the link.
    group.get_by_role("link", name="List its 20 operations").focus()
    held[0].continue_()
    expect(group.locator(".op-link")).to_have_count(20)
    expect(group.locator(".op-link").first).to_be_focused()
    expect(group).not_to_have_attribute("aria-busy", "true")
