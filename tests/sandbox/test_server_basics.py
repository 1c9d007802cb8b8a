"""Info and health endpoints, unknown paths, logging without secrets, and the plain WSGI app."""

from __future__ import annotations

import io
import json
import logging
from wsgiref.util import setup_testing_defaults

import pytest
import requests

from console.sandbox.config import SandboxConfig
from console.sandbox.server import make_app

TIMEOUT = 10


def test_root_and_healthz_describe_the_sandbox(sandbox):
    for path in ("/", "/healthz"):
        response = requests.get(sandbox.url + path, timeout=TIMEOUT)
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "ok"
        assert body["audience"] == sandbox.audience
        assert body["tokenUrl"] == sandbox.token_url
        assert body["openapiUrl"] == f"{sandbox.url}/openapi.json"


def test_unknown_paths_are_404_json(sandbox, admin_auth):
    for path in ("/nothing", "/metering/v1/meters", "/metering/v1/meter-types/"):
        response = requests.get(sandbox.url + path, headers=admin_auth, timeout=TIMEOUT)
        assert response.status_code == 404, path
        assert response.json()["error"] == "not_found"


def test_unknown_api_paths_are_404_even_without_a_token(sandbox):
    response = requests.get(f"{sandbox.url}/metering/v2/anything", timeout=TIMEOUT)

    assert response.status_code == 404


def test_wrong_methods_on_service_paths_are_405(sandbox):
    for path in ("/", "/healthz", "/openapi.json", "/.well-known/jwks.json"):
        response = requests.post(sandbox.url + path, timeout=TIMEOUT)
        assert response.status_code == 405
        assert response.headers["Allow"] == "GET"
        assert response.json()["error"] == "method_not_allowed"


def test_the_log_has_one_line_per_request_and_no_secrets(sandbox, token_request, caplog):
    caplog.set_level(logging.INFO, logger="console.sandbox")
    token = token_request().json()["access_token"]
    requests.get(
        f"{sandbox.url}/metering/v1/meter-types?name=x",
        headers={"Authorization": f"Bearer {token}"},
        timeout=TIMEOUT,
    )

    lines = [r.getMessage() for r in caplog.records if r.name == "console.sandbox"]
    assert lines == [
        "POST /authentication/v1/oauth/token 200",
        "GET /metering/v1/meter-types 200",
    ]
    text = caplog.text
    assert token not in text
    assert "admin-secret-value" not in text


def call(app, method, path, body=b"", headers=None):
    """Call the WSGI app directly, without a server."""
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path}
    setup_testing_defaults(environ)
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    for name, value in (headers or {}).items():
        if name.lower() == "content-type":
            environ["CONTENT_TYPE"] = value
        else:
            environ["HTTP_" + name.upper().replace("-", "_")] = value
    captured = {}

    def start_response(status, response_headers):
        captured["status"] = int(status.split()[0])
        captured["headers"] = dict(response_headers)

    payload = b"".join(app(environ, start_response))
    return captured["status"], captured["headers"], payload


def test_a_bare_app_takes_its_audience_from_the_host_header():
    app = make_app(SandboxConfig())
    body = (
        b"grant_type=client_credentials&client_id=sandbox-admin"
        b"&client_secret=sandbox-admin-secret&audience=http://console.test:8900/"
    )
    form = {"Content-Type": "application/x-www-form-urlencoded", "Host": "console.test:8900"}

    status, headers, payload = call(app, "POST", "/authentication/v1/oauth/token", body, form)

    assert status == 200
    assert headers["Cache-Control"] == "no-store"
    assert int(headers["Content-Length"]) == len(payload)
    token = json.loads(payload)["access_token"]
    status, _, _ = call(
        app,
        "GET",
        "/stream-management/v1/streams",
        headers={"Host": "console.test:8900", "Authorization": f"Bearer {token}"},
    )
    assert status == 200
    status, _, _ = call(
        app,
        "GET",
        "/stream-management/v1/streams",
        headers={"Host": "other.test:8900", "Authorization": f"Bearer {token}"},
    )
    assert status == 401


def test_the_default_demo_clients_exist():
    app = make_app(SandboxConfig())

    assert [c.client_id for c in app.config.clients] == ["sandbox-admin", "sandbox-reader"]


def test_stop_is_idempotent_and_frees_the_port(sandbox_config):
    from console.sandbox.server import start_in_thread

    running = start_in_thread(sandbox_config)
    url = running.url
    running.stop()
    running.stop()

    with pytest.raises(requests.ConnectionError):
        requests.get(url + "/healthz", timeout=2)


def test_control_characters_in_a_path_do_not_break_the_log(sandbox, caplog):
    caplog.set_level(logging.INFO, logger="console.sandbox")

    requests.get(f"{sandbox.url}/a%0Afake%20line", timeout=TIMEOUT)

    (line,) = [r.getMessage() for r in caplog.records if r.name == "console.sandbox"]
    assert line == "GET /a?fake line 404"
