"""Send through the view: what a member sees in the response panel, against the real sandbox.

Every test posts to explorer:send as the operation page does, both as a plain form
post (the whole page comes back) and as htmx (only the response partial comes back).
"""

from __future__ import annotations

import html as html_lib
import json
import re
import uuid
from typing import Any

import pytest

from console.history.models import CallRecord
from tests.explorer.support import assert_no_leak, html, records, send

pytestmark = pytest.mark.django_db

_RESPONSE_TEXT = re.compile(r'<textarea id="response-text"[^>]*>(.*?)</textarea>', re.DOTALL)


def panel_json(page: str) -> Any:
    """The response body the panel shows, parsed (from its copy-to-clipboard text)."""
    match = _RESPONSE_TEXT.search(page)
    assert match, "the response panel shows no body"
    return json.loads(html_lib.unescape(match.group(1)))


def panel_status(page: str) -> int:
    """The status the panel's badge shows."""
    match = re.search(r'<span class="response-status"><span class="status[^"]*"[^>]*>(\d+)<', page)
    assert match, "the response panel shows no status"
    return int(match.group(1))


def not_sent_messages(page: str) -> list[str]:
    """The messages of the "Not sent" alert."""
    assert "Not sent" in page
    alert = page.split("Not sent", 1)[1].split("</div>", 1)[0]
    return [html_lib.unescape(m) for m in re.findall(r"<(?:li|p)>(.*?)</(?:li|p)>", alert)]


@pytest.mark.parametrize("htmx", [False, True], ids=["form-post", "htmx"])
def test_list_shows_status_and_body(member, sandbox_access, sandbox_op, htmx):
    response = send(member.client(), sandbox_op("listMeterTypes"), sandbox_access, htmx=htmx)

    assert response.status_code == 200
    page = html(response)
    assert panel_status(page) == 200
    body = panel_json(page)
    assert {"API calls", "Storage used"} <= {t["name"] for t in body["meterTypes"]}
    assert "application/json" in page  # the response headers are listed
    if htmx:
        assert "<html" not in page  # just the partial
        assert 'id="response-title"' in page
    else:
        assert "<html" in page
        assert 'id="response-slot"' in page
        assert 'name="access"' in page  # the form is still there to send again
    assert_no_leak(page)
    (record,) = records()
    assert record.status == 200
    assert record.username == member.user.username
    assert record.operation_key == "listMeterTypes"


@pytest.mark.parametrize("htmx", [False, True], ids=["form-post", "htmx"])
def test_path_parameter(member, sandbox_access, sandbox_op, htmx, sandbox):
    client = member.client()
    listing = panel_json(html(send(client, sandbox_op("listMeterTypes"), sandbox_access)))
    wanted = next(t for t in listing["meterTypes"] if t["name"] == "Storage used")

    response = send(
        client,
        sandbox_op("getMeterType"),
        sandbox_access,
        {"path:meterTypeId": wanted["id"]},
        htmx=htmx,
    )

    assert response.status_code == 200
    page = html(response)
    assert panel_status(page) == 200
    assert panel_json(page)["id"] == wanted["id"]
    assert panel_json(page)["name"] == "Storage used"
    record = CallRecord.objects.order_by("-id").first()
    assert record.url == f"{sandbox.url}/metering/v1/meter-types/{wanted['id']}"
    assert record.status == 200


def test_query_parameters_page_size_and_name_filter(member, sandbox_access, sandbox_op, sandbox):
    client = member.client()
    op = sandbox_op("listStreams")

    paged = panel_json(html(send(client, op, sandbox_access, {"query:pageSize": "5"})))
    assert paged["pageSize"] == 5
    assert paged["page"] == 1
    assert len(paged["streams"]) == 5
    assert paged["totalItems"] > 5
    assert paged["totalPages"] > 1

    second = panel_json(
        html(send(client, op, sandbox_access, {"query:pageSize": "5", "query:page": "2"}))
    )
    assert second["page"] == 2
    assert {s["id"] for s in second["streams"]}.isdisjoint(s["id"] for s in paged["streams"])

    filtered = panel_json(html(send(client, op, sandbox_access, {"query:name": "billing"})))
    names = [s["name"] for s in filtered["streams"]]
    assert names
    assert all("billing" in name for name in names)
    assert filtered["totalItems"] == len(names)

    urls = [r.url for r in records()]
    assert urls[0] == f"{sandbox.url}/stream-management/v1/streams?pageSize=5"
    assert "page=2" in urls[1]
    assert "pageSize=5" in urls[1]
    assert urls[2].endswith("/stream-management/v1/streams?name=billing")


@pytest.mark.parametrize("htmx", [False, True], ids=["form-post", "htmx"])
def test_post_with_json_body_creates(member, sandbox_access, sandbox_op, htmx):
    name = f"Created by a test {uuid.uuid4().hex[:8]}"
    payload = {
        "name": name,
        "description": "From the explorer test.",
        "category": "API Counts",
        "unit": "requests",
        "aggregation": {"type": "increment"},
    }

    response = send(
        member.client(),
        sandbox_op("createMeterType"),
        sandbox_access,
        body=json.dumps(payload),
        htmx=htmx,
    )

    assert response.status_code == 200
    page = html(response)
    assert panel_status(page) == 201
    created = panel_json(page)
    assert created["name"] == name
    assert created["id"]
    (record,) = records()
    assert record.status == 201
    assert record.method == "POST"
    assert json.loads(record.request_body)["name"] == name
    assert ["Content-Type", "application/json"] in record.request_headers


def test_operation_form_is_prefilled_with_an_example_body(member, sandbox_access, sandbox_op):
    op = sandbox_op("createMeterType")
    page = html(member.client().get(f"/t/{op.team.slug}/operations/{op.pk}/"))
    assert 'name="body"' in page
    assert "resetSchedule" in page  # the spec's example request body


@pytest.mark.parametrize("htmx", [False, True], ids=["form-post", "htmx"])
def test_invalid_json_body_is_not_sent(member, sandbox_access, sandbox_op, sandbox, htmx):
    sandbox.reset_counters()

    response = send(
        member.client(),
        sandbox_op("createMeterType"),
        sandbox_access,
        body='{"name": "half',
        htmx=htmx,
    )

    assert response.status_code == 200
    page = html(response)
    (message,) = not_sent_messages(page)
    assert message.startswith("The request body is not valid JSON")
    assert 'id="response-title"' not in page  # no response panel: nothing came back
    assert_no_leak(page)
    assert records() == []
    assert sandbox.api_requests == 0
    assert sandbox.token_requests == 0
    if not htmx:
        assert "{&quot;name&quot;: &quot;half" in page  # what was typed is kept


@pytest.mark.parametrize("htmx", [False, True], ids=["form-post", "htmx"])
def test_missing_required_path_parameter(member, sandbox_access, sandbox_op, sandbox, htmx):
    sandbox.reset_counters()

    response = send(
        member.client(),
        sandbox_op("getMeterType"),
        sandbox_access,
        {"path:meterTypeId": ""},
        htmx=htmx,
    )

    assert response.status_code == 200
    page = html(response)
    assert not_sent_messages(page) == ["meterTypeId is required."]
    assert_no_leak(page)
    assert records() == []
    assert sandbox.api_requests == 0
    if not htmx:
        assert "has-error" in page  # the field itself is marked


def test_malformed_path_parameter_is_not_sent(member, sandbox_access, sandbox_op, sandbox):
    sandbox.reset_counters()
    response = send(
        member.client(), sandbox_op("getMeterType"), sandbox_access, {"path:meterTypeId": "nope"}
    )
    (message,) = not_sent_messages(html(response))
    assert message.startswith("meterTypeId ")
    assert records() == []
    assert sandbox.api_requests == 0


@pytest.mark.parametrize("htmx", [False, True], ids=["form-post", "htmx"])
def test_no_application_access_chosen(member, sandbox_access, sandbox_op, sandbox, htmx):
    sandbox.reset_counters()

    response = send(member.client(), sandbox_op("listMeterTypes"), None, htmx=htmx)

    assert response.status_code == 200
    page = html(response)
    assert not_sent_messages(page) == ["Choose an Application Access to send with."]
    assert records() == []
    assert sandbox.api_requests == 0


def test_viewer_cannot_send(viewer, sandbox_access, sandbox_op, sandbox):
    sandbox.reset_counters()
    response = send(viewer.client(), sandbox_op("listMeterTypes"), sandbox_access)
    assert response.status_code == 403
    assert records() == []
    assert sandbox.api_requests == 0


def test_outsider_gets_404(outsider, sandbox_access, sandbox_op, sandbox):
    sandbox.reset_counters()
    response = send(outsider.client(), sandbox_op("listMeterTypes"), sandbox_access)
    assert response.status_code == 404
    assert records() == []
    assert sandbox.api_requests == 0


def test_send_is_post_only(member, sandbox_access, sandbox_op):
    op = sandbox_op("listMeterTypes")
    response = member.client().get(f"/t/{op.team.slug}/operations/{op.pk}/send/")
    assert response.status_code == 405


def test_another_teams_access_is_a_404(member, sandbox, theirs_access, sandbox_op):
    sandbox.reset_counters()

    response = send(member.client(), sandbox_op("listMeterTypes"), theirs_access)

    assert response.status_code == 404
    assert records() == []
    assert sandbox.token_requests == 0
