"""A bulk run in Chromium with a real worker process beside the live server: upload a CSV on
an operation's page, map the columns, read the preview, start, watch the progress reach
100%, download the result CSV."""

from __future__ import annotations

import csv
import io
import re
import uuid
from typing import Any

import pytest

from console.bulk.models import BulkRun, RunState
from console.vault.models import ApplicationAccess
from tests.browser.conftest import expect, sign_in
from tests.bulk.conftest import start_worker
from tests.conftest import Person

pytestmark = pytest.mark.browser


@pytest.fixture
def worker(transactional_db: None):
    """A task-queue worker process for the test's database."""
    process = start_worker()
    yield process
    process.terminate()
    process.wait(timeout=10)


def test_upload_map_preview_run_and_download(
    page: Any, member: Person, sandbox_access: ApplicationAccess, worker: Any
) -> None:
    tag = uuid.uuid4().hex[:6]
    text = "Name,unit,aggregation.type\n" + "".join(
        f"Browser {tag} {n},requests,increment\n" for n in range(1, 4)
    )
    sign_in(page, "mia", "pw-mia")
    page.get_by_role("navigation", name="Operations").get_by_role(
        "link", name=re.compile("Create a meter type")
    ).click()
    page.get_by_role("link", name="Run from CSV").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Run from CSV")
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "meters.csv", "mimeType": "text/csv", "buffer": text.encode()}]
    )
    page.get_by_role("button", name="Upload").click()

    expect(page).to_have_url(re.compile(r"/t/metering/bulk/\d+/$"))
    page.get_by_label("Application Access").select_option(label="Sandbox demo — Sandbox")
    expect(page.locator('select[data-target="body:name"]')).to_have_value("Name")  # by name
    page.get_by_role("button", name="Save and check the rows").click()
    expect(page.locator("[data-check-summary]")).to_contain_text("3 rows match the spec")
    preview = page.locator('[data-preview-row="1"]')
    expect(preview).to_contain_text("/metering/v1/meter-types")
    expect(preview).to_contain_text(f'"name": "Browser {tag} 1"')

    page.get_by_role("button", name="Start the run").click()
    progress = page.locator("#bulk-progress")
    expect(progress).to_have_attribute("data-state", "finished", timeout=30_000)
    expect(page.locator("[data-progress-text]")).to_contain_text("100%")
    expect(page.locator("[data-progress-text]")).to_contain_text("3 sent, 0 failed")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the results (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(open(download.value.path()).read())))  # noqa: SIM115
    assert [r["state"] for r in rows] == ["Sent", "Sent", "Sent"]
    assert [r["status"] for r in rows] == ["201"] * 3
    assert rows[0]["response.name"] == f"Browser {tag} 1"
    assert BulkRun.objects.get().state == RunState.FINISHED
