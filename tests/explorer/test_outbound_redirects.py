"""Redirects are never followed: the 3xx is the answer, and no Authorization goes anywhere else.

The wire server answers the call with a redirect; `elsewhere` is a second server (another
port, named "localhost") that counts every request reaching it. Whatever the status
(302, 303, and the method- and body-preserving 307 and 308, which is how a redirect
would try to carry the Authorization header along), the console shows the 3xx with its
Location, records it once, and nothing at all reaches the redirect target. A redirect
to the same server is not followed either.
"""

from __future__ import annotations

import html as html_lib

import pytest
import requests

from console.history.models import CallRecord
from tests.explorer.support import assert_no_leak, html, send
from tests.explorer.wire import only_record

pytestmark = pytest.mark.django_db


def _assert_redirect_shown(response, status: int, location: str) -> CallRecord:
    assert response.status_code == 200
    page = html(response)
    assert_no_leak(page)
    assert 'class="alert alert-error"' not in page  # an answer, not a failure
    assert f"HTTP {status}" in page
    assert location in html_lib.unescape(page)  # the Location header is shown
    record = only_record()
    assert record.status == status
    assert record.error_kind == ""
    assert ["Location", location] in record.response_headers
    return record


def test_the_counting_server_counts(elsewhere):
    # Control: the "nothing reached it" checks below can see a request when one comes.
    requests.get(elsewhere.url + "/probe", headers={"Authorization": "Bearer x"}, timeout=5)
    (seen,) = elsewhere.requests()
    assert seen.headers["authorization"] == "Bearer x"


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_to_another_host_is_not_followed(
    member, wire, wire_access, wire_op, elsewhere, status
):
    wire.redirect_status = status
    wire.location = elsewhere.url + "/steal?from=console"

    response = send(member.client(), wire_op("followRedirect"), wire_access, htmx=True)

    record = _assert_redirect_shown(response, status, wire.location)
    assert record.url == wire.url + "/v1/redirect"
    # The call itself carried the token...
    (call,) = wire.api()
    assert call.headers["authorization"].startswith("Bearer wire-token-")
    # ...and nothing, so no Authorization header either, reached the redirect target.
    assert elsewhere.requests() == []


def test_a_redirect_to_the_same_server_is_not_followed_either(
    member, wire, wire_access, wire_op, elsewhere
):
    wire.redirect_status = 307
    wire.location = wire.url + "/v1/items/moved"

    response = send(member.client(), wire_op("followRedirect"), wire_access)

    _assert_redirect_shown(response, 307, wire.location)
    assert [a.path for a in wire.api()] == ["/v1/redirect"]  # /v1/items/moved never asked
    assert elsewhere.requests() == []


def test_the_token_is_not_in_the_history_of_a_redirect(member, wire, wire_access, wire_op):
    wire.redirect_status = 308
    wire.location = "http://localhost:1/elsewhere"

    send(member.client(), wire_op("followRedirect"), wire_access)

    record = only_record()
    (call,) = wire.api()
    token = call.headers["authorization"].removeprefix("Bearer ")
    assert ["Authorization", "Bearer [redacted]"] in record.request_headers
    assert token not in str(record.request_headers) + record.response_body
