"""Meters of a meter type: list, create, read, delete."""

from __future__ import annotations

import pytest
import requests

TIMEOUT = 10
MISSING_ID = "00000000-0000-4000-8000-000000000000"
METER_KEYS = [
    "id",
    "accountId",
    "meterTypeId",
    "name",
    "description",
    "externalRef",
    "value",
    "createdAt",
    "updatedAt",
]


@pytest.fixture
def types_url(sandbox):
    return f"{sandbox.url}/metering/v1/meter-types"


@pytest.fixture
def api_calls(types_url, admin_auth):
    """The seeded "API calls" meter type, which has three meters."""
    types = requests.get(types_url, headers=admin_auth, timeout=TIMEOUT).json()["meterTypes"]
    return next(t for t in types if t["name"] == "API calls")


@pytest.fixture
def meters_url(types_url, api_calls):
    return f"{types_url}/{api_calls['id']}/meters"


def test_list_returns_the_meters_of_the_type(meters_url, admin_auth, api_calls, sandbox_config):
    response = requests.get(meters_url, headers=admin_auth, timeout=TIMEOUT)

    assert response.status_code == 200
    meters = response.json()["meters"]
    assert list(response.json()) == ["meters"]
    assert len(meters) == api_calls["numberOfMeters"] == 3
    for meter in meters:
        assert list(meter) == METER_KEYS
        assert meter["meterTypeId"] == api_calls["id"]
        assert meter["accountId"] == sandbox_config.account_id
    assert {m["name"] for m in meters} == {"acme-corp", "globex", "initech"}


def test_a_reader_may_list_meters(meters_url, reader_auth):
    assert requests.get(meters_url, headers=reader_auth, timeout=TIMEOUT).status_code == 200


def test_create_get_and_delete_a_meter(sandbox, meters_url, types_url, admin_auth, api_calls):
    created = requests.post(
        meters_url,
        json={
            "name": "umbrella",
            "description": "Umbrella Corp",
            "externalRef": "CUST-9",
            "value": 5,
        },
        headers=admin_auth,
        timeout=TIMEOUT,
    )
    assert created.status_code == 201, created.text
    meter = created.json()
    assert list(meter) == METER_KEYS
    assert meter["value"] == 5
    assert created.headers["Location"] == f"{meters_url}/{meter['id']}"
    type_after = requests.get(f"{types_url}/{api_calls['id']}", headers=admin_auth, timeout=TIMEOUT)
    assert type_after.json()["numberOfMeters"] == 4

    fetched = requests.get(f"{meters_url}/{meter['id']}", headers=admin_auth, timeout=TIMEOUT)
    assert fetched.status_code == 200
    assert fetched.json() == meter

    deleted = requests.delete(f"{meters_url}/{meter['id']}", headers=admin_auth, timeout=TIMEOUT)
    assert deleted.status_code == 204
    gone = requests.get(f"{meters_url}/{meter['id']}", headers=admin_auth, timeout=TIMEOUT)
    assert gone.status_code == 404


def test_a_new_meter_starts_at_zero(meters_url, admin_auth):
    meter = requests.post(
        meters_url, json={"name": "hooli"}, headers=admin_auth, timeout=TIMEOUT
    ).json()

    assert meter["value"] == 0
    assert meter["description"] == ""
    assert meter["externalRef"] is None


def test_deleting_every_meter_lets_the_type_be_deleted(
    types_url, meters_url, admin_auth, api_calls
):
    for meter in requests.get(meters_url, headers=admin_auth, timeout=TIMEOUT).json()["meters"]:
        response = requests.delete(
            f"{meters_url}/{meter['id']}", headers=admin_auth, timeout=TIMEOUT
        )
        assert response.status_code == 204

    response = requests.delete(
        f"{types_url}/{api_calls['id']}", headers=admin_auth, timeout=TIMEOUT
    )
    assert response.status_code == 204


def test_a_duplicate_meter_name_is_409(meters_url, admin_auth):
    response = requests.post(
        meters_url, json={"name": "Globex"}, headers=admin_auth, timeout=TIMEOUT
    )

    assert response.status_code == 409
    assert response.json()["error"] == "conflict"


def test_the_same_meter_name_may_be_used_in_another_type(types_url, admin_auth):
    types = requests.get(types_url, headers=admin_auth, timeout=TIMEOUT).json()["meterTypes"]
    transfer = next(t for t in types if t["name"] == "Data transfer")

    response = requests.post(
        f"{types_url}/{transfer['id']}/meters",
        json={"name": "globex"},
        headers=admin_auth,
        timeout=TIMEOUT,
    )

    assert response.status_code == 201


def test_validation_errors_name_the_fields(meters_url, admin_auth):
    response = requests.post(
        meters_url,
        json={"name": " ", "value": "lots", "extra": 1},
        headers=admin_auth,
        timeout=TIMEOUT,
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "name": "Must be a non-empty string.",
        "value": "Must be a number.",
        "extra": "Unknown field.",
    }


def test_a_negative_value_is_refused(meters_url, admin_auth):
    response = requests.post(
        meters_url, json={"name": "neg", "value": -1}, headers=admin_auth, timeout=TIMEOUT
    )

    assert response.json()["fields"] == {"value": "Must not be negative."}


def test_meters_of_an_unknown_type_are_404(types_url, admin_auth):
    url = f"{types_url}/{MISSING_ID}/meters"

    assert requests.get(url, headers=admin_auth, timeout=TIMEOUT).status_code == 404
    posted = requests.post(url, json={"name": "x"}, headers=admin_auth, timeout=TIMEOUT)
    assert posted.status_code == 404


def test_an_unknown_meter_is_404(meters_url, admin_auth):
    for method in ("GET", "DELETE"):
        response = requests.request(
            method, f"{meters_url}/{MISSING_ID}", headers=admin_auth, timeout=TIMEOUT
        )
        assert response.status_code == 404
        assert response.json()["error"] == "not_found"


def test_a_meter_of_another_type_is_404(types_url, meters_url, admin_auth):
    meter = requests.get(meters_url, headers=admin_auth, timeout=TIMEOUT).json()["meters"][0]
    types = requests.get(types_url, headers=admin_auth, timeout=TIMEOUT).json()["meterTypes"]
    other = next(t for t in types if t["id"] != meter["meterTypeId"])

    url = f"{types_url}/{other['id']}/meters/{meter['id']}"
    assert requests.get(url, headers=admin_auth, timeout=TIMEOUT).status_code == 404


def test_meters_cannot_be_updated(meters_url, admin_auth):
    meter = requests.get(meters_url, headers=admin_auth, timeout=TIMEOUT).json()["meters"][0]

    response = requests.put(
        f"{meters_url}/{meter['id']}", json={}, headers=admin_auth, timeout=TIMEOUT
    )

    assert response.status_code == 405
    assert response.headers["Allow"] == "DELETE, GET"


def test_a_reader_cannot_create_or_delete_meters(meters_url, reader_auth):
    meter = requests.get(meters_url, headers=reader_auth, timeout=TIMEOUT).json()["meters"][0]

    created = requests.post(meters_url, json={"name": "x"}, headers=reader_auth, timeout=TIMEOUT)
    deleted = requests.delete(f"{meters_url}/{meter['id']}", headers=reader_auth, timeout=TIMEOUT)

    assert created.json() == {"error": "forbidden", "message": "Missing scope: create:meters"}
    assert deleted.status_code == 403
    assert deleted.json() == {"error": "forbidden", "message": "Missing scope: delete:meters"}
