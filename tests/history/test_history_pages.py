"""The history pages after real sends: order, filters, keyset paging, the detail page
(with nothing secret on it), append-only records, and records outliving their credential.
"""

from __future__ import annotations

import html as html_lib
import json
import re
import uuid

import pytest
from django.db import transaction
from django.urls import reverse

from console.history.models import CallRecord
from console.history.selectors import PAGE_SIZE
from console.history.services import CallFacts, call_record
from console.specs.services import spec_delete
from console.vault import services as vault
from console.vault.models import ApplicationAccess, CachedToken
from tests.conftest import SANDBOX_CLIENT_ID
from tests.explorer.support import assert_no_leak, cached_tokens, html, send

pytestmark = pytest.mark.django_db

_ROW_LINK = re.compile(r'href="/t/[\w-]+/history/(\d+)/"')
_OLDER = re.compile(r'<a class="page-link" rel="next" href="([^"]+)"')


def list_url(team) -> str:
    return reverse("history:list", args=[team.slug])


def detail_url(record: CallRecord) -> str:
    return reverse("history:detail", args=[record.team.slug, record.pk])


def listed(client, team, **params) -> list[int]:
    """Ids of the records the list page shows for these filters, in page order."""
    response = client.get(list_url(team), params)
    assert response.status_code == 200
    return [int(i) for i in _ROW_LINK.findall(html(response))]


def ids(queryset) -> list[int]:
    return list(queryset.order_by("-id").values_list("id", flat=True))


@pytest.fixture
def broken_access(admin, sandbox_env) -> ApplicationAccess:
    """An Application Access whose secret the sandbox refuses."""
    return vault.access_create(
        scope=admin.scope,
        name="Broken access",
        environment=sandbox_env,
        client_id=SANDBOX_CLIENT_ID,
        client_secret="a-secret-nobody-issued",
    )


@pytest.fixture
def calls(member, member2, sandbox_access, broken_access, sandbox_op) -> dict[str, CallRecord]:
    """Four sends by two members: 200, 404, 200 with a query, and a failed token fetch."""
    mia, max_ = member.client(), member2.client()
    send(mia, sandbox_op("listMeterTypes"), sandbox_access)
    send(max_, sandbox_op("getMeterType"), sandbox_access, {"path:meterTypeId": str(uuid.uuid4())})
    send(mia, sandbox_op("listStreams"), sandbox_access, {"query:pageSize": "5"}, htmx=True)
    send(max_, sandbox_op("listMeterTypes"), broken_access)
    records = list(CallRecord.objects.order_by("id"))
    assert [r.status for r in records] == [200, 404, 200, None]
    return dict(zip(["types", "missing", "streams", "broken"], records, strict=True))


# ---------------------------------------------------------------- list and filters


def test_list_shows_newest_first(viewer, team, calls):
    shown = listed(viewer.client(), team)
    expected = [calls[k].pk for k in ("broken", "streams", "missing", "types")]
    assert shown == expected


def test_list_page_shows_who_what_and_how_it_went(viewer, team, calls):
    page = html(viewer.client().get(list_url(team)))
    assert_no_leak(page)
    for text in ("mia", "max", "Sandbox access", "Broken access", "List meter types", "404"):
        assert text in page
    assert "token_rejected" in page  # the failed call says why


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"user": "max"}, ["broken", "missing"]),
        ({"user": "mia"}, ["streams", "types"]),
        ({"operation": "listMeterTypes"}, ["broken", "types"]),
        ({"operation": "getMeterType"}, ["missing"]),
        ({"status": "2xx"}, ["streams", "types"]),
        ({"status": "4xx"}, ["missing"]),
        ({"status": "5xx"}, []),
        ({"status": "error"}, ["broken"]),
        ({"access": "Broken access"}, ["broken"]),
        ({"access": "Sandbox access"}, ["streams", "missing", "types"]),
        ({"q": "pageSize=5"}, ["streams"]),
        ({"q": "METER-TYPES"}, ["broken", "missing", "types"]),
        ({"user": "mia", "operation": "listMeterTypes"}, ["types"]),
        ({"user": "max", "status": "2xx"}, []),
        ({"status": "bogus"}, ["broken", "streams", "missing", "types"]),  # ignored
    ],
)
def test_filters(viewer, team, calls, params, expected):
    assert listed(viewer.client(), team, **params) == [calls[k].pk for k in expected]


def test_filter_choices_list_what_the_history_holds(viewer, team, calls):
    page = html(viewer.client().get(list_url(team)))
    for value in ("mia", "max", "listMeterTypes", "getMeterType", "listStreams", "Broken access"):
        assert f'<option value="{value}"' in page


def test_records_of_another_team_are_not_listed_or_shown(outsider, other_team, team, calls):
    client = outsider.client()
    assert listed(client, other_team) == []
    assert client.get(list_url(team)).status_code == 404
    detail = reverse("history:detail", args=[other_team.slug, calls["types"].pk])
    assert client.get(detail).status_code == 404


# ---------------------------------------------------------------- keyset paging


def _bulk_records(scope, count: int) -> list[int]:
    """`count` records written directly (no HTTP), each with its number in the URL."""
    made = []
    for n in range(count):
        parity = "even" if n % 2 == 0 else "odd"
        facts = CallFacts(
            method="GET",
            url=f"https://api.example.test/things/{parity}/{n}",
            status=200 if n % 3 else 503,
            duration_ms=1.0,
        )
        made.append(call_record(scope=scope, facts=facts).pk)
    return made


def _walk(client, url: str) -> tuple[list[list[int]], list[str]]:
    """Follow "Older calls" links from `url`; the ids of each page and the links followed."""
    pages, links = [], []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        page = html(response)
        pages.append([int(i) for i in _ROW_LINK.findall(page)])
        older = _OLDER.search(page)
        url = html_lib.unescape(older.group(1)) if older else ""
        if url:
            url = list_url_of(response) + url
            links.append(url)
    return pages, links


def list_url_of(response) -> str:
    return response.wsgi_request.path


def test_keyset_paging_with_before(member, viewer, team):
    made = _bulk_records(member.scope, 2 * PAGE_SIZE + 20)

    pages, links = _walk(viewer.client(), list_url(team))

    assert [len(p) for p in pages] == [PAGE_SIZE, PAGE_SIZE, 20]
    everything = [i for p in pages for i in p]
    assert everything == sorted(made, reverse=True)  # newest first, none lost or repeated
    assert links[0].endswith(f"before={pages[0][-1]}")
    assert links[1].endswith(f"before={pages[1][-1]}")


def test_paging_keeps_the_filters(member, viewer, team):
    made = _bulk_records(member.scope, 2 * PAGE_SIZE + 20)  # 60 "even" ones

    pages, links = _walk(viewer.client(), list_url(team) + "?q=even")

    assert [len(p) for p in pages] == [PAGE_SIZE, 10]
    assert [i for p in pages for i in p] == sorted(made[::2], reverse=True)
    assert "q=even" in links[0]
    assert links[0].count("before=") == 1


def test_paging_with_a_status_filter(member, viewer, team):
    made = _bulk_records(member.scope, 2 * PAGE_SIZE + 20)
    failed = [pk for n, pk in enumerate(made) if n % 3 == 0]  # 40 answers of 503

    pages, _ = _walk(viewer.client(), list_url(team) + "?status=5xx")

    assert pages == [sorted(failed, reverse=True)]


def test_before_that_is_not_a_number_is_ignored(member, viewer, team):
    made = _bulk_records(member.scope, 3)
    assert listed(viewer.client(), team, before="abc") == sorted(made, reverse=True)
    assert listed(viewer.client(), team, before=str(made[1])) == [made[0]]


# ---------------------------------------------------------------- detail, and no token anywhere


def test_detail_shows_the_request_with_authorization_redacted(viewer, calls, sandbox):
    record = calls["streams"]

    response = viewer.client().get(detail_url(record))

    assert response.status_code == 200
    page = html(response)
    assert_no_leak(page)
    assert '<dt>Authorization</dt><dd class="break">Bearer [redacted]</dd>' in page
    assert f"{sandbox.url}/stream-management/v1/streams?pageSize=5" in page
    assert "mia" in page
    assert "Sandbox access" in page
    assert "listStreams" in page
    assert ["Authorization", "Bearer [redacted]"] in record.request_headers


def test_detail_of_a_failed_call_shows_the_error(viewer, calls):
    page = html_lib.unescape(html(viewer.client().get(detail_url(calls["broken"]))))
    assert "token_rejected" in page
    assert calls["broken"].error_message in page
    assert "client ID or secret" in page


def test_the_access_token_is_on_no_page_and_in_no_record(member, viewer, team, calls):
    (token,) = cached_tokens()
    assert len(token) > 20
    client = viewer.client()
    pages = [html(client.get(list_url(team)))]
    pages += [html(client.get(detail_url(r))) for r in calls.values()]
    pages += [html(client.get(list_url(team), {"q": token}))]
    for page in pages:
        assert token not in page
    for record in CallRecord.objects.all():
        stored = (
            json.dumps([record.request_headers, record.request_body, record.response_headers])
            + record.response_body
            + record.url
            + record.error_message
        )
        assert token not in stored
    assert CachedToken.objects.count() == 1  # the one token, shared, never shown


def test_the_send_response_panel_shows_no_token(member, sandbox_access, sandbox_op):
    response = send(member.client(), sandbox_op("listMeterTypes"), sandbox_access)
    (token,) = cached_tokens()
    assert token not in html(response)


# ---------------------------------------------------------------- append-only


def test_records_cannot_be_changed_or_deleted(calls):
    record = CallRecord.objects.get(pk=calls["types"].pk)
    before = CallRecord.objects.filter(pk=record.pk).values().get()

    record.status = 500
    with pytest.raises(PermissionError):
        record.save()
    with pytest.raises(PermissionError):
        record.delete()
    with pytest.raises(PermissionError):
        CallRecord.objects.filter(pk=record.pk).update(status=500)
    with pytest.raises(PermissionError):
        CallRecord.objects.update(status=500)
    with pytest.raises(PermissionError):
        CallRecord.objects.filter(pk=record.pk).delete()
    with pytest.raises(PermissionError):
        CallRecord.objects.all().delete()
    # bulk_update runs inside atomic(savepoint=False): give it a savepoint of its own.
    with pytest.raises(PermissionError), transaction.atomic():
        CallRecord.objects.bulk_update([record], ["status"])

    assert CallRecord.objects.filter(pk=record.pk).values().get() == before
    assert CallRecord.objects.count() == 4


# ---------------------------------------------------------------- records outlive what they name


def test_deleting_the_access_keeps_its_records_readable(admin, viewer, team, calls, sandbox_access):
    kept = [calls[k].pk for k in ("streams", "missing", "types")]

    vault.access_delete(scope=admin.scope, access=sandbox_access)

    assert not ApplicationAccess.objects.filter(pk=sandbox_access.pk).exists()
    client = viewer.client()
    assert listed(client, team, access="Sandbox access") == kept
    page = html(client.get(list_url(team)))
    assert "Sandbox access" in page
    for pk in kept:
        record = CallRecord.objects.get(pk=pk)
        assert record.access_name == "Sandbox access"
        assert record.environment_name == "Sandbox"
        detail = client.get(detail_url(record))
        assert detail.status_code == 200
        assert "Sandbox access" in html(detail)


def test_deleting_the_spec_keeps_its_records_readable(admin, viewer, team, calls, sandbox_spec):
    spec_delete(scope=admin.scope, spec=sandbox_spec.spec)

    client = viewer.client()
    assert len(listed(client, team)) == 4
    detail = client.get(detail_url(calls["streams"]))
    assert detail.status_code == 200
    assert "listStreams" in html(detail)
