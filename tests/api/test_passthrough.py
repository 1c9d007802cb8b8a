"""The pass-through, driven by `curl` against a real console server (pytest-django's live
server) in front of the real sandbox and the echo server: the answer comes back as
Usage Engine gave it, the managed token replaces the caller's, and the call is recorded."""

from __future__ import annotations

import json
import subprocess

import pytest

from console.history.models import CallRecord


def curl(url: str, secret: str, *args: str) -> tuple[int, dict[str, str], str]:
    """Run curl; returns the status, the response headers (lower-case) and the body."""
    done = subprocess.run(
        [
            "curl",
            "-sS",
            "-i",
            "--noproxy",
            "*",
            "-H",
            f"Authorization: Bearer {secret}",
            *args,
            url,
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    head, _, body = done.stdout.replace("\r\n", "\n").partition("\n\n")
    status_line, *lines = head.split("\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    return int(status_line.split()[1]), headers, body


@pytest.fixture
def base(live_server, transactional_db) -> str:
    return f"{live_server.url}/proxy/t/metering"


def test_curl_gets_the_sandboxs_answer_and_leaves_a_record(base, member, token_for, sandbox_access):
    status, headers, body = curl(
        f"{base}/Sandbox%20access/metering/v1/meter-types", token_for(member)
    )
    assert status == 200, body
    assert "meterTypes" in json.loads(body)
    record = CallRecord.objects.get(pk=int(headers["x-console-record"]))
    assert record.via == "API token ci of mia"
    assert record.url.endswith("/metering/v1/meter-types")
    assert record.status == 200
    assert record.access_name == "Sandbox access"


def test_the_operation_is_found_by_its_path_template(
    base, member, token_for, sandbox_access, sandbox_spec
):
    status, headers, _ = curl(f"{base}/Sandbox%20access/metering/v1/meter-types", token_for(member))
    assert status == 200
    assert (
        CallRecord.objects.get(pk=int(headers["x-console-record"])).operation_key
        == "listMeterTypes"
    )


def test_method_query_headers_and_body_go_through(base, member, token_for, echo, echo_access):
    status, headers, body = curl(
        f"{base}/Echo%20access/v1/anything?x=1&y=two",
        token_for(member),
        "-X", "PATCH", "-H", "Content-Type: text/plain", "-H", "X-Trace: abc",
        "-H", "Cookie: session=mine", "--data-binary", "hello",
    )  # fmt: skip
    assert status == 200
    assert json.loads(body) == {"method": "PATCH", "contentType": "text/plain", "bytes": 5}
    (received,) = [r for r in echo.api() if r.path == "/v1/anything"]
    assert received.raw_query == "x=1&y=two"
    assert received.headers["x-trace"] == "abc"
    assert "cookie" not in received.headers  # the caller's cookies stay here
    assert received.headers["authorization"].startswith("Bearer ")
    assert "uec_" not in received.headers["authorization"]  # never the console API token
    record = CallRecord.objects.get(pk=int(headers["x-console-record"]))
    assert record.request_body == "hello"
    assert ("Authorization", "Bearer [redacted]") in [tuple(h) for h in record.request_headers]


def test_a_viewers_token_cannot_pass_through(base, viewer, token_for, sandbox_access):
    status, _, body = curl(f"{base}/Sandbox%20access/metering/v1/meter-types", token_for(viewer))
    assert status == 403
    assert json.loads(body)["error"] == "forbidden"
    assert not CallRecord.objects.exists()


def test_another_teams_token_and_access_are_404(
    base, member, outsider, token_for, sandbox_access, theirs_access
):
    status, _, _ = curl(f"{base}/Sandbox%20access/metering/v1/meter-types", token_for(outsider))
    assert status == 404
    status, _, _body = curl(f"{base}/Theirs/metering/v1/meter-types", token_for(member))
    assert status == 404
    assert not CallRecord.objects.exists()


def test_production_needs_the_confirmation_header(
    base, member, token_for, sandbox_access, sandbox_env
):
    sandbox_env.is_production = True
    sandbox_env.save()
    secret = token_for(member)
    url = f"{base}/Sandbox%20access/metering/v1/meter-types"
    payload = '{"name": "P", "unit": "requests", "aggregation": {"type": "increment"}}'
    status, _, body = curl(
        url, secret, "-X", "POST", "-H", "Content-Type: application/json", "-d", payload
    )
    assert status == 409
    assert "X-Console-Confirm-Production: Sandbox" in json.loads(body)["message"]
    status, _, _ = curl(
        url, secret, "-X", "POST", "-H", "Content-Type: application/json",
        "-H", "X-Console-Confirm-Production: Sandbox", "-d", payload,
    )  # fmt: skip
    assert status == 201
    assert curl(url, secret)[0] == 200  # a GET needs no confirmation


def test_an_upstream_refusal_comes_back_as_it_was(base, member, token_for, sandbox_access):
    status, headers, _body = curl(
        f"{base}/Sandbox%20access/metering/v1/meter-types/not-a-uuid", token_for(member)
    )
    assert status in (400, 404)
    assert CallRecord.objects.get(pk=int(headers["x-console-record"])).status == status
