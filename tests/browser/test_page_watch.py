"""The browser fixtures' own guard: CSP violations and JS errors in a page are noticed.

Without this, a change in how Chromium reports them would silently turn the "no CSP
violation, no JS error" check of every browser test into a check of nothing.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import PageProblems, expect

pytestmark = pytest.mark.browser


def test_csp_violations_and_js_errors_are_reported(page: Any, page_problems: PageProblems) -> None:
    page.goto("/login/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert page_problems.problems == []

    # Evaluated through the DevTools protocol (not subject to the CSP), this adds what a
    # template must never contain: an inline script, an inline style, an inline handler.
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.inlineRan = true";
          document.body.appendChild(script);
          const div = document.createElement("div");
          div.setAttribute("style", "color: red");
          document.body.appendChild(div);
          setTimeout(() => { throw new Error("boom from a timer"); }, 0);
        }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.inlineRan === undefined")  # the CSP blocked it
    reported = "\n".join(page_problems.problems)
    assert "CSP violation: script-src" in reported
    assert "CSP violation: style-src" in reported
    assert "boom from a timer" in reported

    page_problems.problems.clear()  # seen and checked: do not fail this test for them
