"""Postman in and out in Chromium: import the fixture collection from the Collections page
(counts, free and skipped lists), export it again as a download, and import the
environment file, confirming the offered Application Access. No CSP violation on the way
(the `page` fixture fails the test on one); the client secret never reaches a page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from console.vault.models import ApplicationAccess, Environment
from tests.browser.conftest import expect, sign_in
from tests.conftest import SANDBOX_SECRET, Person
from tests.postman.conftest import FIXTURES

pytestmark = pytest.mark.browser


def test_import_export_and_environment_offer(
    page: Any, admin: Person, sandbox_env: Environment
) -> None:
    sign_in(page, "adam", "pw-adam")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Collections").click()
    page.get_by_role("link", name="Import from Postman").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import from Postman")
    page.get_by_label("Postman file (.json)").set_input_files(
        str(FIXTURES / "metering.postman_collection.json")
    )
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Imported from Postman")
    counts = page.locator("#import-counts")
    expect(counts).to_contain_text("9 matched an operation")
    expect(counts).to_contain_text("3 became free requests")
    expect(counts).to_contain_text("3 skipped")
    expect(page.get_by_role("heading", name="Skipped")).to_be_visible()

    page.get_by_role("link", name="Open the collection").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Usage Engine \u2013 metering")
    with page.expect_download() as info:
        page.get_by_role("link", name="Export as Postman v2.1").click()
    download = info.value
    assert download.suggested_filename == "Usage-Engine-metering.postman_collection.json"
    exported = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert exported["auth"]["bearer"] == [{"key": "token", "value": "{{token}}", "type": "string"}]

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Collections").click()
    page.get_by_role("link", name="Import environment").click()
    page.get_by_label("Postman file (.json)").set_input_files(
        str(FIXTURES / "sandbox.postman_environment.json")
    )
    page.get_by_label("Set the values for").select_option(label=sandbox_env.name)
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("heading", name="Make an Application Access?")).to_be_visible()
    assert SANDBOX_SECRET not in page.content()
    page.get_by_role("button", name="Make Application Access").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("UE sandbox (from Postman)")
    assert SANDBOX_SECRET not in page.content()
    assert ApplicationAccess.objects.filter(name="UE sandbox (from Postman)").exists()
