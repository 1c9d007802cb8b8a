"""A collection run in Chromium against a sandbox of the test's own: make a collection,
add two saved requests and a free request typed on the free request page, set a variable
from the first step's response, run the three steps (create a meter type, read it by the
id the first answer gave, delete it) and read the results: all three green."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from console.collections.models import Collection
from console.explorer.reopen import FormState
from console.history.models import CallRecord
from console.saved.services import saved_create
from console.specs.models import Operation
from console.variables.models import Variable
from console.vault.models import ApplicationAccess
from tests.browser.conftest import expect, sign_in
from tests.conftest import Person

pytestmark = pytest.mark.browser


def _saved(person: Person, operation_id: str, name: str, **state: Any) -> None:
    operation = Operation.objects.get(operation_id=operation_id)
    saved_create(scope=person.scope, operation=operation, name=name, state=FormState(**state))


def test_three_steps_create_get_delete_all_green(
    page: Any, member: Person, sandbox_access: ApplicationAccess
) -> None:
    name = f"Browser run {uuid.uuid4().hex[:6]}"
    body = {"name": name, "unit": "requests", "aggregation": {"type": "increment"}}
    _saved(member, "createMeterType", "Create meter type", body=json.dumps(body))
    _saved(member, "getMeterType", "Get meter type", values={"path:meterTypeId": "{{meterTypeId}}"})

    sign_in(page, "mia", "pw-mia")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Collections").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Collections")
    page.get_by_label("New collection").fill("Meter type round trip")
    page.get_by_role("button", name="Make collection").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Meter type round trip")
    collection_url = page.url

    # Two saved requests, in order.
    for saved_name, label in (
        ("Create meter type", "Create meter type (POST /metering/v1/meter-types)"),
        ("Get meter type", "Get meter type (GET /metering/v1/meter-types/{meterTypeId})"),
    ):
        page.get_by_label("Saved request").select_option(label=label)
        page.locator("form").filter(has=page.get_by_label("Saved request")).get_by_role(
            "button", name="Add"
        ).click()
        expect(page.locator(f'[data-step="{saved_name}"]')).to_be_visible()

    # A free request typed on its page, saved into the collection.
    page.get_by_role("link", name="Type a new free request for this collection").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Free request")
    page.get_by_label("Method").select_option("DELETE")
    page.get_by_label("Path").fill("/metering/v1/meter-types/{{meterTypeId}}")
    page.get_by_label("Request name").fill("Delete meter type")
    page.get_by_role("button", name="Save into Meter type round trip").click()
    expect(page).to_have_url(collection_url)
    expect(page.locator('[data-step="Delete meter type"]')).to_be_visible()

    # The first step sets {{meterTypeId}} from its response's /id.
    first = page.locator('[data-step="Create meter type"]')
    first.get_by_text("Edit: name, folder, variables it sets").click()
    first.get_by_label("Set variable").last.fill("meterTypeId")
    first.get_by_label("from response pointer").last.fill("/id")
    first.get_by_role("button", name="Save variables").click()
    expect(page.locator('[data-step="Create meter type"]')).to_contain_text(
        "sets {{meterTypeId}} from /id"
    )
    steps = page.locator("[data-step]")
    expect(steps).to_have_count(3)
    assert steps.evaluate_all("els => els.map(e => e.dataset.step)") == [
        "Create meter type",
        "Get meter type",
        "Delete meter type",
    ]

    # Run them with the sandbox's access.
    page.get_by_role("link", name="Run", exact=True).click()
    page.get_by_label("Application Access").select_option(label="Sandbox demo — Sandbox")
    page.get_by_role("button", name="Run 3 steps").click()
    results = page.locator("#run-results")
    expect(results).to_contain_text("All 3 steps passed")
    rows = results.locator("[data-step-result]")
    expect(rows).to_have_count(3)
    for index, (method, status) in enumerate([("POST", "201"), ("GET", "200"), ("DELETE", "204")]):
        row = rows.nth(index)
        expect(row).to_have_attribute("data-step-result", "passed")
        expect(row).to_contain_text(method)
        expect(row).to_contain_text(status)
        expect(row.get_by_role("link", name="In history")).to_be_visible()

    created = CallRecord.objects.filter(method="POST").get()
    meter_type_id = json.loads(created.response_body)["id"]
    assert Variable.objects.get(name="meterTypeId").value == meter_type_id
    urls = list(CallRecord.objects.order_by("id").values_list("method", "url"))
    assert urls[1] == (
        "GET",
        sandbox_access.environment.base_url.rstrip("/")
        + f"/metering/v1/meter-types/{meter_type_id}",
    )
    assert urls[2][0] == "DELETE"
    assert urls[2][1].endswith(meter_type_id)
    # The history record of step 2 opens from the results.
    rows.nth(1).get_by_role("link", name="In history").click()
    expect(page.get_by_text(meter_type_id).first).to_be_visible()
    assert Collection.objects.count() == 1


def test_a_free_request_sends_into_the_response_panel(
    page: Any, member: Person, sandbox_access: ApplicationAccess
) -> None:
    sign_in(page, "mia", "pw-mia")
    page.get_by_role("navigation", name="Operations").wait_for()
    page.get_by_role("link", name="Free request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Free request")
    page.get_by_label("Path").fill("/metering/v1/meter-types")
    page.get_by_label("Query parameter 1 name").fill("limit")
    page.get_by_label("Query parameter 1 value").fill("1")
    page.get_by_role("button", name="Send").click()
    panel = page.locator("#response-slot")
    expect(panel.locator(".response-status")).to_contain_text("200")
    expect(panel).to_contain_text("/metering/v1/meter-types?limit=1")
    top = panel.locator(".response").bounding_box()
    assert top is not None
    assert 0 <= top["y"] < 900  # beside the form at 1400x900, as on the operation page
    assert CallRecord.objects.get().operation_id is None

    # A path that leaves the environment is refused in words, nothing sent.
    page.get_by_label("Path").fill("https://elsewhere.example/x")
    page.get_by_role("button", name="Send").click()
    expect(panel).to_contain_text("Type the path only")
    assert CallRecord.objects.count() == 1


def test_the_production_banner_names_the_environment_on_both_pages(
    page: Any, admin: Person, member: Person, sandbox_access: ApplicationAccess
) -> None:
    from console.collections.services import collection_create
    from console.vault import services as vault
    from console.vault.models import Environment

    live = vault.environment_save(
        scope=admin.scope,
        environment=Environment(
            name="Live", base_url=sandbox_access.environment.base_url, is_production=True
        ),
    )
    vault.access_create(
        scope=admin.scope, name="Live access", environment=live,
        client_id="live-client", client_secret="live-secret-0123456789",
    )  # fmt: skip
    collection = collection_create(scope=member.scope, name="Banner")
    sign_in(page, "mia", "pw-mia")
    for url in (
        f"/t/{member.scope.team.slug}/free/new/",
        f"/t/{member.scope.team.slug}/collections/{collection.pk}/run/",
    ):
        page.goto(url)
        banner = page.locator("[data-prod-banner]")
        page.get_by_label("Application Access").select_option(label="Sandbox demo — Sandbox")
        expect(banner).to_be_hidden()
        page.get_by_label("Application Access").select_option(
            label="Live access — Live (production)"
        )
        expect(banner).to_be_visible()
        expect(banner).to_contain_text("Live")
