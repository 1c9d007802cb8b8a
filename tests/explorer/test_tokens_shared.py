"""One token per Application Access, shared by the team; a 401 renews it exactly once.

The token cache lives in the database, so each test (its own transaction) starts
with no cached token.
"""

from __future__ import annotations

import pytest

from console.history.models import CallRecord
from console.vault.models import CachedToken
from tests.conftest import SANDBOX_CLIENT_ID
from tests.explorer.support import (
    FAKE_CLIENT_ID,
    FAKE_SECRET,
    assert_no_leak,
    cached_tokens,
    html,
    records,
    send,
)

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded"


def test_twenty_sends_by_two_members_fetch_one_token(
    member, member2, sandbox_access, sandbox_op, sandbox
):
    op = sandbox_op("listMeterTypes")
    clients = [member.client(), member2.client()]
    sandbox.reset_counters()

    for i in range(20):
        response = send(clients[i % 2], op, sandbox_access, htmx=bool(i % 3))
        assert response.status_code == 200
        assert "status-2xx" in html(response)

    assert sandbox.token_requests == 1
    assert sandbox.api_requests == 20
    assert CachedToken.objects.filter(access=sandbox_access).count() == 1
    calls = records()
    assert len(calls) == 20
    assert {c.username for c in calls} == {member.user.username, member2.user.username}
    assert [c.token_source for c in calls] == ["fetched"] + ["cached"] * 19


def test_token_request_is_a_form_with_body_credentials(member, sandbox_access, sandbox_op, sandbox):
    sandbox.reset_counters()

    send(member.client(), sandbox_op("listMeterTypes"), sandbox_access)

    (request,) = sandbox.token_request_details
    assert request.content_type == FORM
    assert request.fields == ("audience", "client_id", "client_secret", "grant_type")
    assert request.has_authorization is False
    assert request.authorization_scheme is None
    assert request.client_id == SANDBOX_CLIENT_ID
    assert request.status == 200


def test_token_request_carries_the_environment_audience(member, fake_access, fake_op, fake_ue):
    send(member.client(), fake_op, fake_access)

    (request,) = fake_ue.token_requests
    assert request.method == "POST"
    assert request.headers["content-type"].startswith(FORM)
    assert "authorization" not in request.headers
    assert request.form == {
        "grant_type": "client_credentials",
        "client_id": FAKE_CLIENT_ID,
        "client_secret": FAKE_SECRET,
        "audience": fake_ue.url + "/",
    }


def test_a_rejected_token_is_dropped_renewed_and_the_call_retried_once(
    member, fake_access, fake_op, fake_ue
):
    client = member.client()
    send(client, fake_op, fake_access)  # caches the first token
    (first,) = fake_ue.issued
    assert cached_tokens() == [first]
    fake_ue.rejected.add(first)  # the API now refuses it (revoked, key rotated, ...)

    response = send(client, fake_op, fake_access, htmx=True)

    page = html(response)
    assert response.status_code == 200
    assert 'status-2xx status-lg" title="HTTP 200">200<' in page
    assert "renewed after a 401" in page
    assert len(fake_ue.token_requests) == 2
    second = fake_ue.issued[1]
    assert [r.bearer for r in fake_ue.api_requests] == [first, first, second]
    assert cached_tokens() == [second]  # the rejected token is gone from the cache
    record = CallRecord.objects.order_by("-id").first()
    assert record.status == 200
    assert record.error_kind == ""
    assert record.token_source == "fetched"
    assert CallRecord.objects.count() == 2  # one record per Send, not per attempt

    send(client, fake_op, fake_access)  # the renewed token is reused from now on
    assert len(fake_ue.token_requests) == 2
    assert fake_ue.api_requests[-1].bearer == second


def test_a_second_401_is_shown_without_looping(member, fake_access, fake_op, fake_ue):
    client = member.client()
    send(client, fake_op, fake_access)
    fake_ue.reject_all = True  # every token is refused now, even brand-new ones

    response = send(client, fake_op, fake_access, htmx=True)

    page = html(response)
    assert response.status_code == 200
    assert 'title="HTTP 401">401<' in page
    assert "Token revoked" in page or "Invalid token" in page  # the API's own answer
    assert_no_leak(page)
    assert len(fake_ue.api_requests) == 3  # 1 earlier call + the attempt + exactly one retry
    assert len(fake_ue.token_requests) == 2  # exactly one renewal
    record = CallRecord.objects.order_by("-id").first()
    assert record.status == 401
    assert CallRecord.objects.count() == 2
