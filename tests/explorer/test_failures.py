"""Failures a member meets when pressing Send: each is a clear sentence in the response
panel (never a stack trace, always a 200 from the console) and exactly one history record.
"""

from __future__ import annotations

import html as html_lib
import socket
import time

import pytest

from console.history.models import CallRecord
from console.vault import services as vault
from console.vault.models import Environment
from tests.conftest import SANDBOX_CLIENT_ID, SANDBOX_SECRET
from tests.explorer.support import Reply, assert_no_leak, html, send

pytestmark = pytest.mark.django_db


def only_record() -> CallRecord:
    """The one record the Send produced."""
    (record,) = CallRecord.objects.all()
    return record


def assert_failed(response, kind: str, *phrases: str) -> CallRecord:
    """The panel shows the error in words; one record holds the same kind and message."""
    assert response.status_code == 200
    page = html(response)
    assert_no_leak(page)
    assert 'class="alert alert-error"' in page
    text = html_lib.unescape(page)
    record = only_record()
    assert record.status is None
    assert record.error_kind == kind
    assert record.error_message
    assert record.error_message in text
    for phrase in phrases:
        assert phrase in record.error_message
    assert "The attempt is recorded in the history." in text
    return record


def access_for(admin, name: str, base_url: str, secret: str = SANDBOX_SECRET, **env_fields):
    env = vault.environment_save(
        scope=admin.scope, environment=Environment(name=name, base_url=base_url, **env_fields)
    )
    return vault.access_create(
        scope=admin.scope,
        name=name,
        environment=env,
        client_id=SANDBOX_CLIENT_ID,
        client_secret=secret,
    )


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ---------------------------------------------------------------- no token


@pytest.mark.parametrize("htmx", [False, True], ids=["form-post", "htmx"])
def test_wrong_client_secret(admin, member, sandbox, sandbox_op, htmx):
    access = access_for(admin, "Wrong secret", sandbox.url, secret="not-the-secret-at-all")
    sandbox.reset_counters()

    response = send(member.client(), sandbox_op("listMeterTypes"), access, htmx=htmx)

    record = assert_failed(response, "token_rejected", "client ID or secret", "invalid_client")
    assert "No token" in html(response)
    assert "not-the-secret-at-all" not in html(response)
    assert "not-the-secret-at-all" not in record.error_message
    assert sandbox.token_requests == 1
    assert sandbox.api_requests == 0


def test_wrong_audience(admin, member, sandbox, sandbox_op):
    access = access_for(
        admin, "Other region", sandbox.url, audience="https://api.us.digitalroute.io/"
    )

    response = send(member.client(), sandbox_op("listMeterTypes"), access)

    assert_failed(
        response,
        "token_audience",
        "not enabled for that environment",
        "https://api.us.digitalroute.io/",
    )


def test_upstream_down(admin, member, sandbox_op):
    port = free_port()
    access = access_for(admin, "Down", f"http://127.0.0.1:{port}")

    started = time.monotonic()
    response = send(member.client(), sandbox_op("listMeterTypes"), access, htmx=True)

    assert time.monotonic() - started < 5
    record = assert_failed(response, "unreachable", f"127.0.0.1:{port}", "connection refused")
    assert "Could not reach the API" in html(response)
    assert record.url == f"http://127.0.0.1:{port}/metering/v1/meter-types"


def test_token_endpoint_rate_limit_with_a_long_retry_after(member, fake_access, fake_op, fake_ue):
    fake_ue.token_script.append(Reply(429, {"error": "too_many_requests"}, {"Retry-After": "600"}))

    started = time.monotonic()
    response = send(member.client(), fake_op, fake_access)

    assert time.monotonic() - started < 5  # not waited out
    assert_failed(response, "token_rate_limited", "rate limiting", "about 10 minutes")
    assert len(fake_ue.token_requests) == 1  # no retry of a long wait
    assert fake_ue.api_requests == []


@pytest.mark.parametrize(
    ("reply", "kind", "phrase"),
    [
        (Reply(500, {"error": "server_error"}), "token_server_error", "failed on its side"),
        (
            Reply(200, "<html>maintenance</html>", {"Content-Type": "text/html"}),
            "token_bad_response",
            "not a JSON object",
        ),
        (Reply(200, {"token_type": "Bearer"}), "token_bad_response", "no access_token"),
    ],
    ids=["500", "html", "no-token"],
)
def test_token_endpoint_other_failures(member, fake_access, fake_op, fake_ue, reply, kind, phrase):
    fake_ue.token_script.append(reply)

    response = send(member.client(), fake_op, fake_access)

    assert_failed(response, kind, phrase)
    assert fake_ue.api_requests == []


# ---------------------------------------------------------------- the API call


def test_read_timeout(settings, member, fake_access, fake_op, fake_ue):
    settings.CONSOLE_READ_TIMEOUT = 0.3
    fake_ue.api_script.append(Reply(200, {"late": True}, delay=1.5))

    started = time.monotonic()
    response = send(member.client(), fake_op, fake_access, htmx=True)

    assert time.monotonic() - started < 1.4
    assert_failed(response, "timeout", "did not answer within 0.3 s")
    assert "Timed out" in html(response)


def test_json_content_type_with_a_body_that_is_not_json(member, fake_access, fake_op, fake_ue):
    fake_ue.api_script.append(
        Reply(
            200,
            b"<h1>Gateway says hi</h1><script>alert(1)</script>",
            {"Content-Type": "application/json; charset=utf-8"},
        )
    )

    response = send(member.client(), fake_op, fake_access, htmx=True)

    assert response.status_code == 200
    page = html(response)
    assert_no_leak(page)
    assert 'title="HTTP 200">200<' in page
    assert "says it is JSON but does not parse; shown as text" in page
    assert "<script>alert(1)</script>" not in page  # shown, escaped
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    record = only_record()
    assert record.status == 200
    assert record.error_kind == ""
    assert record.error_message == ""
    assert "<script>alert(1)</script>" in record.response_body  # kept as it came


@pytest.mark.parametrize(
    ("reply", "status"),
    [
        (Reply(429, {"error": "too_many_requests", "retryIn": 30}, {"Retry-After": "30"}), 429),
        (Reply(500, {"error": "internal_error", "message": "Something broke."}), 500),
    ],
    ids=["429", "500"],
)
def test_api_error_statuses_are_shown_as_responses(
    member, fake_access, fake_op, fake_ue, reply, status
):
    fake_ue.api_script.append(reply)

    response = send(member.client(), fake_op, fake_access, htmx=True)

    assert response.status_code == 200
    page = html(response)
    assert_no_leak(page)
    assert f'title="HTTP {status}">{status}<' in page
    assert f"status-{status // 100}xx" in page
    assert reply.body["error"] in page  # the API's own explanation is shown
    assert 'class="alert alert-error"' not in page  # an answer, not a failure to call
    assert len(fake_ue.api_requests) == 1  # no retry of a 429 or a 500
    record = only_record()
    assert record.status == status
    assert record.error_kind == ""
    assert reply.body["error"] in record.response_body


# ---------------------------------------------------------------- refused by the console


def test_private_address_refused_before_a_token_is_asked_for(
    settings, member, sandbox_access, sandbox_op, sandbox
):
    settings.CONSOLE_ALLOW_PRIVATE_HOSTS = False
    sandbox.reset_counters()

    response = send(member.client(), sandbox_op("listMeterTypes"), sandbox_access)

    assert_failed(response, "refused", "loopback", "not allowed")
    assert "Refused by the console" in html(response)
    assert sandbox.token_requests == 0
    assert sandbox.api_requests == 0


def test_private_address_refused_with_a_cached_token(
    settings, member, sandbox_access, sandbox_op, sandbox
):
    client = member.client()
    op = sandbox_op("listMeterTypes")
    send(client, op, sandbox_access)  # a token is cached while private hosts are allowed
    first_id = CallRecord.objects.get().pk
    settings.CONSOLE_ALLOW_PRIVATE_HOSTS = False
    sandbox.reset_counters()

    response = send(client, op, sandbox_access, htmx=True)

    assert response.status_code == 200
    assert_no_leak(html(response))
    record = CallRecord.objects.exclude(pk=first_id).get()
    assert record.error_kind == "refused"
    assert "loopback" in record.error_message
    assert record.error_message in html_lib.unescape(html(response))
    assert sandbox.token_requests == 0
    assert sandbox.api_requests == 0
