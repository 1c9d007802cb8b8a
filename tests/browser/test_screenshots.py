"""The README's screenshots of the operation page, light and dark (opt-in, not a check).

Skipped unless CONSOLE_SCREENSHOTS is set; `docs/screenshots/take.py` sets it and runs
this file. The page is the split view at 1400x900 after a Send of "Create a meter type"
(the body editor and the answer) against a fresh sandbox, saved as
docs/screenshots/operation-light.png and -dark.png.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from console.specs.models import Operation
from console.vault.models import ApplicationAccess
from tests.browser.conftest import expect, sign_in
from tests.conftest import Person

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.environ.get("CONSOLE_SCREENSHOTS"),
        reason="screenshots are taken on demand: .venv/bin/python docs/screenshots/take.py",
    ),
]

OUT = Path(settings.BASE_DIR) / "docs" / "screenshots"


@pytest.mark.usefixtures("_browser_turn", "transactional_db")
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_operation_page_screenshot(
    browser: Any,
    live_server: Any,
    member: Person,
    sandbox_access: ApplicationAccess,
    scheme: str,
) -> None:
    def url(operation_id: str) -> str:
        op = Operation.objects.get(version__spec__team=member.scope.team, operation_id=operation_id)
        return reverse("explorer:operation", args=[op.team.slug, op.pk])

    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 1400, "height": 900},
        color_scheme=scheme,
        reduced_motion="reduce",
        device_scale_factor=1,
    )
    try:
        page = context.new_page()
        sign_in(page, "mia", "pw-mia")
        status = page.locator("#response-slot .response-status .status")
        # "Create a meter type": the body editor with the spec's example, and its answer.
        page.goto(url("createMeterType"))
        expect(page.locator(".cm-editor")).to_be_visible()
        # The spec's example names a meter type the sandbox already has (a 409): rename it.
        page.evaluate(
            """() => {
                const area = document.querySelector("textarea#body");
                const body = JSON.parse(area.value);
                body.name = "Dashboard refreshes";
                area.value = JSON.stringify(body, null, 2);
                area.dispatchEvent(new Event("input", { bubbles: true }));
            }"""
        )
        page.get_by_role("button", name="Send", exact=True).click()
        expect(status).to_have_text("201")
        page.evaluate("window.scrollTo(0, 0)")  # the operation's header in the picture too
        page.mouse.move(0, 0)  # no hover state in the picture
        page.evaluate("document.activeElement && document.activeElement.blur()")
        OUT.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(OUT / f"operation-{scheme}.png"))
    finally:
        context.close()
