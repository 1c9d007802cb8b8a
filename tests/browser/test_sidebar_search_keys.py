"""The explorer sidebar's search by keyboard, in a real browser: ArrowDown moves from the
search box into the results, ArrowDown/ArrowUp through them (ArrowUp from the first back
to the box), Escape back to the box, and Enter opens a result (the focused one, or from
the box the first). And the scope hint refreshes after a Send that fetched a token."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse

from console.specs.models import Operation
from console.specs.services import spec_import
from tests.browser.conftest import SPEC_NAME, expect, sign_in
from tests.conftest import Person
from tests.explorer.many_operations import many_operations

pytestmark = pytest.mark.browser


@pytest.fixture
def things(admin: Person) -> Any:
    """40 operations ("Thing number 0" … 39) over 4 tags, the team's only spec."""
    document = many_operations(40, 4)
    return spec_import(scope=admin.scope, name="Things", data=json.dumps(document).encode())


def _op_url(team: Any, things: Any, i: int) -> str:
    op = Operation.objects.get(version=things.version, operation_id=f"getThing{i}")
    return reverse("explorer:operation", args=[team.slug, op.pk])


def _focused_text(page: Any) -> str:
    return page.evaluate("document.activeElement.textContent.trim()")


def test_arrow_keys_move_through_the_results_and_enter_opens_one(
    page: Any, viewer: Person, team: Any, things: Any
) -> None:
    sign_in(page, "victor", "pw-victor")
    page.goto(reverse("explorer:spec", args=[team.slug, things.spec.pk]))
    box = page.locator("#op-search")
    box.focus()
    box.press_sequentially("getThing3")  # 3, 30…39: eleven results from the server
    results = page.locator("#operation-list .op-link")
    expect(results).to_have_count(11)

    box.press("ArrowDown")
    expect(results.nth(0)).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(results.nth(1)).to_be_focused()
    page.keyboard.press("End")
    expect(results.nth(10)).to_be_focused()
    page.keyboard.press("Home")
    expect(results.nth(0)).to_be_focused()
    page.keyboard.press("ArrowUp")  # from the first: back to the box
    expect(box).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Escape")
    expect(box).to_be_focused()

    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    second = results.nth(1).get_attribute("href")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{second}")


def test_enter_in_the_box_opens_the_first_result(
    page: Any, viewer: Person, team: Any, things: Any
) -> None:
    sign_in(page, "victor", "pw-victor")
    page.goto(reverse("explorer:spec", args=[team.slug, things.spec.pk]))
    box = page.locator("#op-search")
    box.focus()
    box.press_sequentially("number 27")
    expect(page.locator("#operation-list .op-link")).to_have_count(1)
    box.press("Enter")
    page.wait_for_url(f"**{_op_url(team, things, 27)}")
    expect(page.get_by_role("heading", name="Thing number 27")).to_be_visible()


def test_the_scope_hint_refreshes_after_a_send_that_fetched_a_token(
    page: Any, member: Person, team: Any, sandbox_access: Any
) -> None:
    op = Operation.objects.get(version__spec__name=SPEC_NAME, operation_id="listMeterTypes")
    sign_in(page, "mia", "pw-mia")
    page.goto(reverse("explorer:operation", args=[team.slug, op.pk]))
    hint = page.locator("#op-scopes")
    expect(hint).to_contain_text("No token of Sandbox demo is cached yet")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator("#response-slot")).to_contain_text("200")
    expect(hint).to_contain_text("The token of Sandbox demo has the scopes this operation needs")
    expect(hint).not_to_contain_text("No token")
