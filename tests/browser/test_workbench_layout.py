"""The operation page as a workbench, in a real browser, at 1400x900 and at 390x844.

After Send the response (or the "Not sent" errors, or the production question) has its top
inside the viewport, holds the focus and is announced; the production banner follows the
access picker (and is there without JavaScript); the divider drags, steps with the keys and
is remembered; and no page of the console raises a Content-Security-Policy violation.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from console.specs.models import Operation
from console.vault.models import ApplicationAccess, Environment
from console.vault.services import access_create, environment_save
from tests.browser.conftest import SPEC_NAME, RecordingSandbox, expect, sign_in
from tests.conftest import Person

pytestmark = pytest.mark.browser

WIDE = {"width": 1400, "height": 900}
NARROW = {"width": 390, "height": 844}
LAYOUTS = [pytest.param(WIDE, id="1400x900"), pytest.param(NARROW, id="390x844")]


def _operation_url(access: ApplicationAccess, operation_id: str) -> str:
    op = Operation.objects.get(
        version__spec__team=access.team, version__spec__name=SPEC_NAME, operation_id=operation_id
    )
    return reverse("explorer:operation", args=[access.team.slug, op.pk])


def _top_in_viewport(page: Any, selector: str) -> dict[str, float]:
    """Where `selector`'s top is, beside the viewport's height and the top bar's bottom."""
    return page.evaluate(
        """(sel) => {
          const el = document.querySelector(sel);
          const bar = document.querySelector('.topbar').getBoundingClientRect();
          return {top: el.getBoundingClientRect().top, bar: bar.bottom,
                  height: window.innerHeight,
                  focused: document.activeElement === el};
        }""",
        selector,
    )


def _assert_revealed(page: Any, announced: str | re.Pattern[str]) -> None:
    """The top of what came into the response slot is visible, focused and announced."""
    top = page.locator("#response-slot [data-response-top]")
    expect(top).to_be_focused()
    where = _top_in_viewport(page, "#response-slot [data-response-top]")
    assert where["bar"] <= where["top"] < where["height"] - 40, where
    expect(page.locator("#response-announce")).to_have_text(announced)


def _scroll_to_send(page: Any) -> None:
    """Start with the Send button at the bottom of the screen, as after filling the form
    in (stacked, the response slot is then below the fold)."""
    page.get_by_role("button", name="Send", exact=True).evaluate(
        "b => b.scrollIntoView({block: 'end'})"
    )


def _wait_until(page: Any, script: str) -> None:
    """Poll `script` (a function's source) until it returns true; wait_for_function
    would evaluate a string, which the page's CSP forbids."""
    for _ in range(50):
        if page.evaluate(script):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"still false after 5 s: {script}")


@pytest.mark.parametrize("viewport", LAYOUTS)
def test_after_send_the_response_top_is_in_view_focused_and_announced(
    page: Any, member: Person, sandbox_access: ApplicationAccess, viewport: dict[str, int]
) -> None:
    page.set_viewport_size(viewport)
    sign_in(page, "mia", "pw-mia")
    page.goto(_operation_url(sandbox_access, "listMeterTypes"))
    _scroll_to_send(page)
    before = _top_in_viewport(page, "#response-slot")
    page.get_by_role("button", name="Send", exact=True).click()

    expect(page.locator("#response-slot .response-status .status")).to_have_text("200")
    _assert_revealed(page, re.compile(r"^Response 200 OK in \d+ ms$"))
    # The slot is no live region: only the short sentence is read, not the whole answer.
    assert page.locator("#response-slot").get_attribute("aria-live") is None
    title = page.get_by_role("heading", level=1)
    if viewport is WIDE:
        # The split view and the operation's header share the viewport: nothing moved.
        assert before["top"] < before["height"], before
        expect(title).to_be_in_viewport()
        # Read down the answer, then send again: the response pane starts from its top.
        slot = page.locator("#response-slot")
        slot.evaluate("s => { s.scrollTop = s.scrollHeight; }")
        assert slot.evaluate("s => s.scrollTop") > 0
        with page.expect_response(lambda r: r.url.endswith("/send/")):
            page.get_by_role("button", name="Send", exact=True).click()
        _wait_until(page, "() => document.getElementById('response-slot').scrollTop === 0")
        _assert_revealed(page, re.compile(r"^Response 200 OK in \d+ ms$"))
    else:
        # Stacked, the answer started below the fold: the page scrolled to it.
        assert before["top"] > before["height"], before
        expect(title).not_to_be_in_viewport()


@pytest.mark.parametrize("viewport", LAYOUTS)
def test_not_sent_errors_are_shown_in_view(
    page: Any, member: Person, sandbox_access: ApplicationAccess, viewport: dict[str, int]
) -> None:
    page.set_viewport_size(viewport)
    sign_in(page, "mia", "pw-mia")
    page.goto(_operation_url(sandbox_access, "getMeterType"))
    page.locator("#send-form input[name$='meterTypeId']").fill("")
    _scroll_to_send(page)
    page.get_by_role("button", name="Send", exact=True).click()

    expect(page.locator("#response-slot .alert-title")).to_have_text("Not sent")
    _assert_revealed(page, "Not sent: 1 field needs attention")


def _production_access(admin: Person, fresh_sandbox: RecordingSandbox) -> ApplicationAccess:
    """A production environment that is really the sandbox, and an access to it."""
    env = environment_save(
        scope=admin.scope,
        environment=Environment(
            name="Production EU", base_url=fresh_sandbox.url + "/", is_production=True
        ),
    )
    return access_create(
        scope=admin.scope,
        name="Live",
        environment=env,
        client_id=fresh_sandbox.client_id,
        client_secret=fresh_sandbox.client_secret,
    )


@pytest.mark.parametrize("viewport", LAYOUTS)
def test_production_banner_follows_the_picker_and_the_question_is_shown_in_view(
    page: Any,
    admin: Person,
    member: Person,
    sandbox_access: ApplicationAccess,
    fresh_sandbox: RecordingSandbox,
    viewport: dict[str, int],
) -> None:
    live = _production_access(admin, fresh_sandbox)
    page.set_viewport_size(viewport)
    sign_in(page, "mia", "pw-mia")
    page.goto(_operation_url(sandbox_access, "createMeterType"))  # a write: it is confirmed
    banner = page.locator("#send-form [data-prod-banner]")
    picker = page.get_by_label("Application Access")

    # "Live" sorts first, so it is the preselected access: the banner is there on load.
    expect(picker).to_have_value(str(live.pk))
    expect(banner).to_be_visible()
    picker.select_option(label="Sandbox demo — Sandbox")
    expect(banner).to_be_hidden()
    picker.select_option(label="Live — Production EU (production)")
    expect(banner).to_be_visible()
    expect(banner).to_have_text("Production: Production EU — calls change live data")

    _scroll_to_send(page)
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator("#response-slot .alert-title")).to_have_text("Confirm a call to production")
    _assert_revealed(page, "Confirm a call to production: nothing was sent to Production EU yet")


@pytest.mark.usefixtures("_browser_turn", "transactional_db")
def test_production_banner_is_rendered_without_javascript(
    browser: Any,
    live_server: Any,
    admin: Person,
    member: Person,
    sandbox_access: ApplicationAccess,
    fresh_sandbox: RecordingSandbox,
) -> None:
    live = _production_access(admin, fresh_sandbox)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, "mia", "pw-mia")
        url = _operation_url(sandbox_access, "listMeterTypes")
        page.goto(f"{url}?access={sandbox_access.pk}")
        expect(page.locator("[data-prod-banner]")).to_be_hidden()
        page.goto(f"{url}?access={live.pk}")  # the access preselected on load
        expect(page.get_by_label("Application Access")).to_have_value(str(live.pk))
        expect(page.locator("[data-prod-banner]")).to_have_text(
            "Production: Production EU — calls change live data"
        )
    finally:
        context.close()


def _split(page: Any) -> dict[str, float]:
    """The divider's value and the two panes' widths."""
    return page.evaluate(
        """() => ({
          value: +document.querySelector('[data-split-handle]').getAttribute('aria-valuenow'),
          form: document.getElementById('send-form').getBoundingClientRect().width,
          slot: document.getElementById('response-slot').getBoundingClientRect().width,
        })"""
    )


def test_divider_drags_steps_with_keys_and_is_remembered(
    page: Any, member: Person, sandbox_access: ApplicationAccess
) -> None:
    sign_in(page, "mia", "pw-mia")
    url = _operation_url(sandbox_access, "listMeterTypes")
    page.goto(url)
    handle = page.get_by_role("separator", name="Resize the request and response panes")
    expect(handle).to_be_visible()
    start = _split(page)
    assert start["value"] == 50
    assert abs(start["form"] - start["slot"]) < 4, start

    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + 200
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 120, y, steps=6)
    page.mouse.move(x - 200, y, steps=6)
    page.mouse.up()
    dragged = _split(page)
    assert dragged["value"] < 40, dragged
    assert dragged["form"] < start["form"] - 150, (start, dragged)
    assert dragged["slot"] > start["slot"] + 150, (start, dragged)

    handle.focus()
    page.keyboard.press("ArrowRight")
    expect(handle).to_have_attribute("aria-valuenow", str(int(dragged["value"]) + 2))
    page.keyboard.press("Home")
    expect(handle).to_have_attribute("aria-valuenow", "25")
    page.keyboard.press("Shift+ArrowRight")
    expect(handle).to_have_attribute("aria-valuenow", "35")

    # Remembered: the next page opens with the same split.
    page.goto(url)
    expect(handle).to_have_attribute("aria-valuenow", "35")
    again = _split(page)
    assert again["form"] < again["slot"], again

    # Each pane scrolls on its own: the page's header stays put while the form scrolls.
    before = page.evaluate("window.scrollY")
    page.locator("#send-form").evaluate("f => f.scrollTop = 40")
    assert page.evaluate("window.scrollY") == before


def test_narrow_screens_stack_the_panes_without_a_divider(
    page: Any, member: Person, sandbox_access: ApplicationAccess
) -> None:
    page.set_viewport_size(NARROW)
    sign_in(page, "mia", "pw-mia")
    page.goto(_operation_url(sandbox_access, "listMeterTypes"))
    expect(page.locator("[data-split-handle]")).to_be_hidden()
    form = page.locator("#send-form").bounding_box()
    slot = page.locator("#response-slot").bounding_box()
    assert slot["y"] >= form["y"] + form["height"], (form, slot)


def _indicator_style(page: Any) -> bool:
    """Whether htmx put its own indicator <style> into the page (the CSP would block it)."""
    return page.evaluate(
        "() => [...document.querySelectorAll('style')]"
        ".some(s => s.textContent.includes('htmx-indicator'))"
    )


def test_no_page_raises_a_csp_violation(
    page: Any, admin: Person, sandbox_access: ApplicationAccess, page_problems: Any
) -> None:
    """Every main page, signed in as an admin: no CSP violation, and no indicator <style>
    from htmx (switched off in base.html's htmx-config; console.css styles .htmx-indicator)."""
    team = admin.scope.team.slug
    env = sandbox_access.environment
    spec = Operation.objects.get(
        version__spec__team=sandbox_access.team, operation_id="listMeterTypes"
    ).version.spec
    list_url = _operation_url(sandbox_access, "listMeterTypes")

    def visit(url: str) -> None:
        response = page.goto(url)
        assert response is not None, url
        assert response.ok, (url, response.status)
        page.wait_for_load_state("load")
        assert not _indicator_style(page), url
        assert page_problems.problems == [], (url, page_problems.problems)

    visit("/")  # the sign-in page
    sign_in(page, "adam", "pw-adam")
    # An htmx Send shows the indicator and swaps the panel in: still no violation.
    visit(list_url)
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator("#response-slot .response-status .status")).to_have_text("200")
    assert not _indicator_style(page)
    assert page_problems.problems == []
    record_url = page.get_by_role("link", name="In history").get_attribute("href")

    for url in [
        reverse("explorer:index", args=[team]),
        reverse("explorer:spec", args=[team, spec.pk]),
        _operation_url(sandbox_access, "getMeterType"),
        reverse("bulk:new", args=[team, Operation.objects.get(pk=list_url.split("/")[-2]).pk]),
        reverse("history:list", args=[team]),
        record_url,
        reverse("history:compare", args=[team]),
        reverse("history:events", args=[team]),
        reverse("history:team_events", args=[team]),
        reverse("saved:list", args=[team]),
        reverse("collections:list", args=[team]),
        reverse("freeform:list", args=[team]),
        reverse("freeform:new", args=[team]),
        reverse("variables:list", args=[team]),
        reverse("postman:import", args=[team]),
        reverse("postman:environment", args=[team]),
        reverse("postman:curl", args=[team]),
        reverse("bulk:list", args=[team]),
        reverse("teams:settings", args=[team]),
        reverse("vault:environment_new", args=[team]),
        reverse("vault:environment", args=[team, env.pk]),
        reverse("vault:access_new", args=[team]),
        reverse("vault:access", args=[team, sandbox_access.pk]),
        reverse("vault:access_edit", args=[team, sandbox_access.pk]),
        reverse("specs:import", args=[team]),
        reverse("specs:detail", args=[team, spec.pk]),
        reverse("apitokens:list", args=[team]),
        reverse("account:home"),
        reverse("account:password"),
        reverse("account:two_factor_setup"),
        _operation_url(sandbox_access, "createMeterType"),  # a JSON body editor
    ]:
        visit(url)
