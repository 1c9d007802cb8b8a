# ruff: noqa: F811 - the echo fixtures are imported here by name (tests/browser has its own conftest)
"""The explorer's body forms and checks in a real browser (htmx swaps, no CSP problems).

What only a browser shows: "Send anyway" in the swapped-in response panel submits the
send form it names (form="send-form"), the oneOf choice swaps only the body editor, a
multipart form posts files through htmx, the Application Access picker refreshes the
scope badges, and none of the nested htmx controls trips over attributes of the form.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from console.vault.models import CachedToken
from tests.browser.conftest import expect, sign_in
from tests.explorer.echo import (  # noqa: F401 - fixtures are found by name
    EchoServer,
    echo,
    echo_access,
    echo_op,
    echo_spec,
)

pytestmark = pytest.mark.browser


def _open(page: Any, op: Any, query: str = "") -> None:
    page.goto(reverse("explorer:operation", args=[op.team.slug, op.pk]) + query)


def _status(page: Any) -> Any:
    return page.locator("#response-slot .response-status .status")


def test_bad_values_are_held_back_then_sent_anyway(
    page: Any, member: Any, echo: EchoServer, echo_access: Any, echo_op: Any
) -> None:
    sign_in(page, "mia", "pw-mia")
    _open(page, echo_op("listWidgets"))
    page.get_by_label(re.compile("^q")).fill("x")
    page.get_by_label(re.compile("^limit")).fill("500")
    page.get_by_role("button", name="Send", exact=True).click()

    panel = page.locator("#response-slot")
    expect(panel).to_contain_text("Not sent")
    expect(panel).to_contain_text("limit must be at most 100.")
    assert echo.api() == []

    panel.get_by_role("button", name="Send anyway").click()
    expect(_status(page)).to_have_text("200")
    expect(panel).to_contain_text("Sent anyway")
    assert echo.api()[-1].raw_query == "limit=500&q=x"


def test_variant_form_view_multipart_and_urlencoded(
    page: Any, member: Any, echo: EchoServer, echo_access: Any, echo_op: Any, tmp_path: Path
) -> None:
    sign_in(page, "mia", "pw-mia")

    _open(page, echo_op("createShape"))
    page.get_by_label("One of").select_option(label="Square")
    expect(page.locator("#body")).to_contain_text('"side": 4')
    page.get_by_role("button", name="Send", exact=True).click()
    expect(_status(page)).to_have_text("200")
    assert echo.api()[-1].json() == {"kind": "square", "side": 4}

    _open(page, echo_op("createWidget"))
    page.get_by_role("link", name="Form", exact=True).click()
    expect(page.locator("#f-bodyname")).to_have_value("Sprocket")
    page.locator("#f-bodysize").fill("4")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(_status(page)).to_have_text("201")
    assert echo.api()[-1].json() == {"name": "Sprocket", "size": 4, "color": "green"}

    upload = tmp_path / "usage.csv"
    upload.write_bytes(b"day,calls\n1,2\n")
    _open(page, echo_op("uploadFile"))
    page.locator("#f-bodytitle").fill("January")
    page.locator("#f-bodyfile").set_input_files(str(upload))
    page.get_by_role("button", name="Send", exact=True).click()
    expect(_status(page)).to_have_text("200")
    parts = echo.api()[-1].multipart()
    assert [(p["name"], p["filename"]) for p in parts] == [("title", None), ("file", "usage.csv")]
    assert parts[1]["data"] == b"day,calls\n1,2\n"

    _open(page, echo_op("submitForm"))
    page.locator("#f-bodyname").fill("A & B")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(_status(page)).to_have_text("200")
    assert echo.api()[-1].body == b"name=A+%26+B"


def test_scope_badges_and_schema_notice(
    page: Any, member: Any, echo: EchoServer, echo_access: Any, echo_op: Any
) -> None:
    echo.token_scope = "read:widgets"
    sign_in(page, "mia", "pw-mia")
    _open(page, echo_op("getMismatch"))
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator("#response-slot .schema-notice")).to_contain_text(
        "The answer does not match the spec"
    )
    assert CachedToken.objects.filter(access=echo_access).exists()

    _open(page, echo_op("createWidget"))
    expect(page.locator("#op-scopes .scope-missing")).to_have_text(
        "write:widgets (the token lacks it)"
    )
    page.get_by_label("Application Access").select_option(str(echo_access.pk))
    expect(page.locator("#op-scopes")).to_contain_text("lacks write:widgets")
