"""Variables in a real browser: click a JSON value in the response panel, save it into a
variable, preview the next operation's call with it resolved, and send it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from console.specs.models import Operation
from console.variables.models import Variable
from tests.browser.conftest import expect, sign_in

pytestmark = pytest.mark.browser


def _op_url(operation_id: str) -> str:
    op = Operation.objects.get(operation_id=operation_id)
    return reverse("explorer:operation", args=[op.team.slug, op.pk])


def test_pick_a_value_preview_and_send(page: Any, member: Any, sandbox_access: Any) -> None:
    sign_in(page, "mia", "pw-mia")
    page.goto(_op_url("listMeterTypes"))
    page.get_by_role("button", name="Send", exact=True).click()
    panel = page.locator("#response-slot")
    expect(panel.locator(".response-status .status")).to_have_text("200")

    # A JSON value is a button: pick it with the keyboard.
    value = panel.locator('.jt-pick[data-pointer="/meterTypes/0/id"]')
    value.focus()
    page.keyboard.press("Enter")
    box = panel.locator("[data-set-variable]")
    expect(box).to_have_attribute("open", "")
    name = box.get_by_label("Variable name")
    expect(name).to_be_focused()
    expect(name).to_have_value("meterTypeId")  # suggested from the pointer
    expect(box.get_by_label("JSON Pointer")).to_have_value("/meterTypes/0/id")
    box.get_by_role("button", name="Save variable").click()
    expect(box.locator("[data-set-variable-result]")).to_contain_text(
        "Saved {{meterTypeId}} for Sandbox"
    )
    saved = Variable.objects.get(name="meterTypeId")
    picked = value.inner_text().strip('"')
    assert saved.value == picked

    page.goto(_op_url("getMeterType"))
    page.locator('[name="path:meterTypeId"]').fill("{{ meterTypeId }}")
    page.get_by_role("button", name="Preview with variables").click()
    preview = page.locator("#variables-preview")
    expect(preview.locator("[data-preview-url]")).to_have_text(
        re.compile(r"/metering/v1/meter-types/" + re.escape(picked) + "$")
    )
    page.get_by_role("button", name="Send", exact=True).click()
    expect(panel.locator(".response-status .status")).to_have_text("200")
    expect(panel.locator(".json-tree")).to_contain_text(picked)
