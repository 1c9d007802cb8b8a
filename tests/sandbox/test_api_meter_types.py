"""Meter types: list, create, read, update, delete, and the errors around them."""

from __future__ import annotations

import pytest
import requests

TIMEOUT = 10
MISSING_ID = "00000000-0000-4000-8000-000000000000"
METER_TYPE_KEYS = [
    "id",
    "accountId",
    "name",
    "description",
    "category",
    "unit",
    "aggregation",
    "resetSchedule",
    "timezone",
    "activeFrom",
    "activeTo",
    "externalRef",
    "numberOfMeters",
    "createdAt",
    "updatedAt",
]
NEW_TYPE = {
    "name": "SMS sent",
    "description": "Text messages sent through the gateway.",
    "category": "Messaging",
    "unit": "messages",
    "aggregation": {"type": "increment"},
    "resetSchedule": {"minute": "0", "hour": "0", "day": "L", "month": "*", "weekday": "*"},
    "timezone": "Europe/Stockholm",
    "activeFrom": "2025-06-01T00:00:00Z",
    "activeTo": "2026-06-01T00:00:00+02:00",
    "externalRef": "PLAN-SMS-009",
}


@pytest.fixture
def api(sandbox, admin_auth):
    """Call the meter-types API as the admin_auth client: api(method, suffix, **kwargs)."""

    def call(method, suffix="", headers=None, **kwargs):
        url = f"{sandbox.url}/metering/v1/meter-types{suffix}"
        headers = {**admin_auth, **(headers or {})}
        return requests.request(method, url, headers=headers, timeout=TIMEOUT, **kwargs)

    return call


def find(api, name):
    return next(t for t in api("GET").json()["meterTypes"] if t["name"] == name)


def test_the_list_is_shaped_like_the_vendors_example(api, sandbox_config):
    response = api("GET")

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    types = response.json()["meterTypes"]
    assert list(response.json()) == ["meterTypes"]
    assert len(types) >= 3
    for item in types:
        assert list(item) == METER_TYPE_KEYS
        assert item["accountId"] == sandbox_config.account_id
        assert set(item["resetSchedule"]) == {"minute", "hour", "day", "month", "weekday"}
        assert item["aggregation"]["type"] in {"increment", "max", "last", "sum"}
    api_calls = find(api, "API calls")
    assert api_calls["category"] == "API Counts"
    assert api_calls["unit"] == "requests"
    assert api_calls["resetSchedule"]["day"] == "L"
    assert api_calls["numberOfMeters"] == 3
    assert api_calls["createdAt"].endswith("Z")


def test_seeded_ids_are_stable_across_instances(sandbox, sandbox_config, admin_client, api):
    from console.sandbox.server import start_in_thread

    with start_in_thread(sandbox_config) as other:
        token = other.issue_token(admin_client.client_id)
        other_types = requests.get(
            f"{other.url}/metering/v1/meter-types",
            headers={"Authorization": f"Bearer {token}"},
            timeout=TIMEOUT,
        ).json()["meterTypes"]

    assert [t["id"] for t in other_types] == [t["id"] for t in api("GET").json()["meterTypes"]]


def test_create_returns_201_with_the_new_meter_type(sandbox, api):
    response = api("POST", json=NEW_TYPE)

    assert response.status_code == 201, response.text
    created = response.json()
    assert list(created) == METER_TYPE_KEYS
    assert created["name"] == "SMS sent"
    assert created["numberOfMeters"] == 0
    assert created["activeFrom"] == "2025-06-01T00:00:00.000Z"
    assert created["activeTo"] == "2026-05-31T22:00:00.000Z"  # normalised to UTC
    assert created["createdAt"] == created["updatedAt"]
    assert response.headers["Location"] == (
        f"{sandbox.url}/metering/v1/meter-types/{created['id']}"
    )
    assert find(api, "SMS sent")["id"] == created["id"]


def test_create_fills_defaults(api):
    created = api(
        "POST", json={"name": "Minimal", "unit": "events", "aggregation": {"type": "sum"}}
    ).json()

    assert created["description"] == ""
    assert created["category"] == ""
    assert created["timezone"] == "Etc/UTC"
    assert created["resetSchedule"] == {
        "minute": "0",
        "hour": "0",
        "day": "1",
        "month": "*",
        "weekday": "*",
    }
    assert created["activeFrom"] == created["createdAt"]
    assert created["activeTo"] is None
    assert created["externalRef"] is None


def test_get_returns_one_meter_type(api):
    wanted = find(api, "Storage used")

    response = api("GET", f"/{wanted['id']}")

    assert response.status_code == 200
    assert response.json() == wanted


def test_get_accepts_an_upper_case_id(api):
    wanted = find(api, "Storage used")

    assert api("GET", f"/{wanted['id'].upper()}").json()["id"] == wanted["id"]


def test_put_replaces_the_fields(api):
    created = api("POST", json=NEW_TYPE).json()
    changed = {**created, "name": "SMS delivered", "aggregation": {"type": "sum"}}

    response = api("PUT", f"/{created['id']}", json=changed)

    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["name"] == "SMS delivered"
    assert updated["aggregation"] == {"type": "sum"}
    assert updated["id"] == created["id"]
    assert updated["createdAt"] == created["createdAt"]
    assert updated["updatedAt"] >= created["updatedAt"]
    assert api("GET", f"/{created['id']}").json()["name"] == "SMS delivered"


def test_put_may_keep_the_same_name(api):
    created = api("POST", json=NEW_TYPE).json()

    assert api("PUT", f"/{created['id']}", json={**NEW_TYPE, "unit": "SMS"}).status_code == 200


def test_delete_returns_204_and_the_meter_type_is_gone(api):
    created = api("POST", json=NEW_TYPE).json()

    response = api("DELETE", f"/{created['id']}")

    assert response.status_code == 204
    assert response.content == b""
    assert api("GET", f"/{created['id']}").status_code == 404


def test_a_meter_type_with_meters_cannot_be_deleted(api):
    wanted = find(api, "API calls")

    response = api("DELETE", f"/{wanted['id']}")

    assert response.status_code == 409
    assert response.json()["error"] == "conflict"


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_unknown_ids_are_404(api, method):
    response = api(method, f"/{MISSING_ID}", json=NEW_TYPE)

    assert response.status_code == 404
    assert response.json() == {
        "error": "not_found",
        "message": f"Meter type {MISSING_ID} not found.",
    }


def test_an_id_that_is_not_a_uuid_is_400(api):
    response = api("GET", "/not-a-uuid")

    assert response.status_code == 400
    assert response.json()["fields"] == {"meterTypeId": "Must be a UUID."}


def test_a_wrong_method_is_405_with_allow(api):
    collection = api("PATCH")
    item = api("POST", f"/{MISSING_ID}")

    assert collection.status_code == 405
    assert collection.headers["Allow"] == "GET, POST"
    assert collection.json()["error"] == "method_not_allowed"
    assert item.status_code == 405
    assert item.headers["Allow"] == "DELETE, GET, PUT"


def test_a_duplicate_name_is_409(api):
    response = api("POST", json={**NEW_TYPE, "name": "api CALLS"})

    assert response.status_code == 409
    assert response.json()["error"] == "conflict"
    assert "API CALLS".lower() in response.json()["message"].lower()


def test_renaming_onto_an_existing_name_is_409(api):
    created = api("POST", json=NEW_TYPE).json()

    response = api("PUT", f"/{created['id']}", json={**NEW_TYPE, "name": "Storage used"})

    assert response.status_code == 409


def test_invalid_json_is_400(api):
    response = api("POST", data=b'{"name": "x",', headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"
    assert "JSON" in response.json()["message"]


def test_an_empty_body_is_400(api):
    assert api("POST").status_code == 400


def test_a_body_that_is_not_an_object_is_400(api):
    response = api("POST", json=["SMS sent"])

    assert response.status_code == 400
    assert response.json()["fields"] == {"body": "Must be a JSON object."}


def test_validation_errors_name_every_bad_field(api):
    response = api(
        "POST",
        json={
            "description": 7,
            "aggregation": {"type": "average"},
            "resetSchedule": {"minute": "0", "hour": "midnight!"},
            "timezone": "Mars/Olympus",
            "activeFrom": "yesterday",
            "colour": "blue",
        },
    )

    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "bad_request"
    assert body["fields"] == {
        "name": "This field is required.",
        "description": "Must be a string.",
        "unit": "This field is required.",
        "aggregation.type": "Must be one of: increment, max, last, sum.",
        "resetSchedule.hour": 'Must be a cron-style value such as "0", "*" or "L".',
        "resetSchedule.day": "This field is required.",
        "resetSchedule.month": "This field is required.",
        "resetSchedule.weekday": "This field is required.",
        "timezone": "Must be an IANA time zone name such as Etc/UTC or Europe/Stockholm.",
        "activeFrom": "Must be an ISO 8601 date-time, e.g. 2025-01-01T00:00:00Z.",
        "colour": "Unknown field.",
    }


def test_active_to_must_follow_active_from(api):
    response = api(
        "POST",
        json={**NEW_TYPE, "activeFrom": "2026-01-01T00:00:00Z", "activeTo": "2025-01-01T00:00:00Z"},
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {"activeTo": "Must be later than activeFrom."}


def test_a_body_over_one_megabyte_is_413(api):
    huge = {**NEW_TYPE, "description": "x" * (1024 * 1024)}

    response = api("POST", json=huge)

    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"


def test_a_body_just_under_the_limit_is_read(api):
    # Just under 1 MB: the description is too long for validation, so a 400, not a 413.
    response = api("POST", json={**NEW_TYPE, "description": "x" * (1024 * 1024 - 500)})

    assert response.status_code == 400
    assert "description" in response.json()["fields"]


def test_a_reader_may_list_but_not_change(sandbox, reader_auth):
    url = f"{sandbox.url}/metering/v1/meter-types"
    listing = requests.get(url, headers=reader_auth, timeout=TIMEOUT)
    some_id = listing.json()["meterTypes"][0]["id"]

    assert listing.status_code == 200
    for method, scope in [("PUT", "update"), ("DELETE", "delete")]:
        response = requests.request(
            method, f"{url}/{some_id}", headers=reader_auth, timeout=TIMEOUT
        )
        assert response.status_code == 403
        assert response.json()["message"] == f"Missing scope: {scope}:meter_types"
