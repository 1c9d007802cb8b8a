"""Stream management: paged listing with a name filter, reading, runs and their executions."""

from __future__ import annotations

import time

import pytest
import requests

TIMEOUT = 10
MISSING_ID = "00000000-0000-4000-8000-000000000000"
STREAM_KEYS = {
    "id",
    "accountId",
    "name",
    "description",
    "status",
    "deployedVersion",
    "latestVersion",
    "tags",
    "createdAt",
    "updatedAt",
}


@pytest.fixture
def streams_url(sandbox):
    return f"{sandbox.url}/stream-management/v1/streams"


@pytest.fixture
def list_streams(streams_url, admin_auth):
    def get(**params):
        return requests.get(streams_url, params=params, headers=admin_auth, timeout=TIMEOUT)

    return get


@pytest.fixture
def deployed_stream(list_streams):
    return next(
        s for s in list_streams(pageSize=100).json()["streams"] if s["status"] == "DEPLOYED"
    )


def test_the_first_page_has_the_default_size_and_the_totals(list_streams):
    response = list_streams()

    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["streams", "page", "pageSize", "totalItems", "totalPages"]
    assert body["page"] == 1
    assert body["pageSize"] == 20
    assert body["totalItems"] == 45
    assert body["totalPages"] == 3
    assert len(body["streams"]) == 20
    for stream in body["streams"]:
        assert set(stream) == STREAM_KEYS
    names = [s["name"] for s in body["streams"]]
    assert names == sorted(names)


def test_paging_walks_every_stream_once(list_streams):
    seen = []
    for page in (1, 2, 3):
        body = list_streams(page=page, pageSize=20).json()
        assert body["page"] == page
        seen.extend(s["id"] for s in body["streams"])

    assert len(seen) == 45
    assert len(set(seen)) == 45
    assert len(list_streams(page=3).json()["streams"]) == 5


def test_a_page_past_the_end_is_empty(list_streams):
    body = list_streams(page=4).json()

    assert body["streams"] == []
    assert body["totalItems"] == 45


def test_page_size_changes_the_page_count(list_streams):
    body = list_streams(pageSize=7).json()

    assert len(body["streams"]) == 7
    assert body["totalPages"] == 7


def test_the_name_filter_is_a_case_insensitive_substring(list_streams):
    body = list_streams(name="BILLING").json()

    assert body["totalItems"] == 5
    assert body["totalPages"] == 1
    assert all("billing" in s["name"] for s in body["streams"])


def test_the_name_filter_pages_too(list_streams):
    body = list_streams(name="eu-", pageSize=4, page=3).json()

    assert body["totalItems"] == 18  # nine kinds in eu-west and eu-north
    assert body["totalPages"] == 5
    assert len(body["streams"]) == 4


def test_a_filter_matching_nothing_gives_zero_pages(list_streams):
    body = list_streams(name="no-such-stream").json()

    assert body["streams"] == []
    assert body["totalItems"] == 0
    assert body["totalPages"] == 0


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": "0"}, "page"),
        ({"page": "two"}, "page"),
        ({"pageSize": "0"}, "pageSize"),
        ({"pageSize": "101"}, "pageSize"),
        ({"pageSize": "1.5"}, "pageSize"),
    ],
)
def test_bad_paging_parameters_are_400(list_streams, params, field):
    response = list_streams(**params)

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {field}


def test_get_a_stream(streams_url, admin_auth, deployed_stream):
    response = requests.get(
        f"{streams_url}/{deployed_stream['id']}", headers=admin_auth, timeout=TIMEOUT
    )

    assert response.status_code == 200
    assert response.json() == deployed_stream


def test_an_unknown_stream_is_404(streams_url, admin_auth):
    response = requests.get(f"{streams_url}/{MISSING_ID}", headers=admin_auth, timeout=TIMEOUT)

    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_a_run_is_accepted_and_its_execution_finishes(
    sandbox, streams_url, admin_auth, deployed_stream
):
    started = requests.post(
        f"{streams_url}/{deployed_stream['id']}/runs",
        json={"parameters": {"date": "2025-06-01"}},
        headers=admin_auth,
        timeout=TIMEOUT,
    )

    assert started.status_code == 202, started.text
    body = started.json()
    assert set(body) == {"executionId", "status"}
    assert body["status"] == "RUNNING"
    execution_url = f"{sandbox.url}/stream-management/v1/executions/{body['executionId']}"
    assert started.headers["Location"] == execution_url

    running = requests.get(execution_url, headers=admin_auth, timeout=TIMEOUT).json()
    assert running["status"] == "RUNNING"
    assert running["finishedAt"] is None
    assert running["streamId"] == deployed_stream["id"]
    assert running["parameters"] == {"date": "2025-06-01"}

    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        finished = requests.get(execution_url, headers=admin_auth, timeout=TIMEOUT).json()
        if finished["status"] != "RUNNING":
            break
        time.sleep(0.1)
    assert finished["status"] == "SUCCEEDED"
    assert finished["finishedAt"] > finished["startedAt"]


def test_a_run_without_a_body_is_fine(streams_url, admin_auth, deployed_stream):
    response = requests.post(
        f"{streams_url}/{deployed_stream['id']}/runs", headers=admin_auth, timeout=TIMEOUT
    )

    assert response.status_code == 202


def test_a_run_with_bad_parameters_is_400(streams_url, admin_auth, deployed_stream):
    url = f"{streams_url}/{deployed_stream['id']}/runs"

    not_object = requests.post(url, json={"parameters": [1]}, headers=admin_auth, timeout=TIMEOUT)
    bad_json = requests.post(
        url,
        data=b"{oops",
        headers={**admin_auth, "Content-Type": "application/json"},
        timeout=TIMEOUT,
    )

    assert not_object.status_code == 400
    assert not_object.json()["fields"] == {"parameters": "Must be an object."}
    assert bad_json.status_code == 400


def test_an_undeployed_stream_cannot_run(list_streams, streams_url, admin_auth):
    undeployed = list_streams(name="roaming").json()["streams"][0]
    assert undeployed["status"] == "UNDEPLOYED"

    response = requests.post(
        f"{streams_url}/{undeployed['id']}/runs", headers=admin_auth, timeout=TIMEOUT
    )

    assert response.status_code == 409
    assert "not deployed" in response.json()["message"]


def test_running_an_unknown_stream_is_404(streams_url, admin_auth):
    response = requests.post(
        f"{streams_url}/{MISSING_ID}/runs", headers=admin_auth, timeout=TIMEOUT
    )

    assert response.status_code == 404


def test_an_unknown_execution_is_404(sandbox, admin_auth):
    url = f"{sandbox.url}/stream-management/v1/executions/{MISSING_ID}"

    assert requests.get(url, headers=admin_auth, timeout=TIMEOUT).status_code == 404


def test_runs_need_the_run_scope(streams_url, reader_auth, deployed_stream):
    response = requests.post(
        f"{streams_url}/{deployed_stream['id']}/runs", headers=reader_auth, timeout=TIMEOUT
    )

    assert response.status_code == 403
    assert response.json() == {"error": "forbidden", "message": "Missing scope: run:streams"}


def test_streams_are_read_only(streams_url, admin_auth, deployed_stream):
    response = requests.delete(
        f"{streams_url}/{deployed_stream['id']}", headers=admin_auth, timeout=TIMEOUT
    )

    assert response.status_code == 405
    assert response.headers["Allow"] == "GET"
