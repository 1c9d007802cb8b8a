"""Replay: the history's "Replay" opens the operation form with what a recorded call sent.

Records keep the posted form's values (redacted like the request), so path, query and
header parameters come back exactly, and the body is the recorded request body. Secrets
were redacted before storage: they come back as "[redacted]" and the page says so.
Records written before the values were kept get them read back from the URL and headers.
The values are part of the record's hash; records without them hash as they always did.
"""

from __future__ import annotations

import hashlib
import json
from urllib.parse import parse_qs

import pytest
from django.db import connection, transaction
from django.urls import reverse

from console.history.chain import HASHED_FIELDS, LATER_HASHED_FIELDS, _plain, chain_verify
from console.history.models import CallRecord
from console.history.services import CallFacts, call_record
from tests.explorer.echo import echo, echo_access  # noqa: F401 - fixtures by name
from tests.explorer.page_form import form_action, form_dict
from tests.explorer.support import html, send
from tests.explorer.things import (  # noqa: F401 - fixtures by name
    import_things,
    things,
    things_op,
)

pytestmark = pytest.mark.django_db

SENT = {
    "path:thingId": "thing-42",
    "query:limit": "7",
    "query:tags": "red, blue",
    "header:X-Request-Tag": "nightly",
    "header:X-Api-Key": "key-that-must-not-be-kept",
}


def replay_url(record: CallRecord) -> str:
    return reverse("history:replay", args=[record.team.slug, record.pk])


@pytest.fixture
def sent_get(member, things_op, echo_access) -> CallRecord:  # noqa: F811
    """A real send of getThing to the echo server, with every kind of parameter."""
    response = send(member.client(), things_op("getThing"), echo_access, SENT)
    assert response.status_code == 200
    return CallRecord.objects.get()


def test_records_keep_the_forms_values_redacted(sent_get):
    stored = sent_get.form_values
    assert stored["values"]["path:thingId"] == "thing-42"
    assert stored["values"]["query:tags"] == ["red, blue"]
    assert stored["values"]["header:X-Api-Key"] == "[redacted]"
    assert "key-that-must-not-be-kept" not in json.dumps(stored)


def test_replay_prefills_path_query_and_header_values(sent_get, member, things_op):  # noqa: F811
    page = html(member.client().get(replay_url(sent_get)))
    fields = form_dict(page)
    assert fields["path:thingId"] == "thing-42"
    assert fields["query:limit"] == "7"
    assert fields["query:tags"] == "red, blue"
    assert fields["header:X-Request-Tag"] == "nightly"
    assert fields["access"] == str(sent_get.access_id)  # the Application Access it used
    assert form_action(page) == reverse(
        "explorer:send", args=[sent_get.team.slug, things_op("getThing").pk]
    )


def test_redacted_values_stay_redacted_and_the_page_says_so(sent_get, member):
    page = html(member.client().get(replay_url(sent_get)))
    assert form_dict(page)["header:X-Api-Key"] == "[redacted]"
    assert "Secrets were redacted before the call was stored" in page
    assert "header:X-Api-Key" in page  # named, to be typed again
    assert "key-that-must-not-be-kept" not in page


def test_replay_prefills_the_recorded_body(member, things_op, echo, echo_access):  # noqa: F811
    body = '{"name": "Widget", "size": 5, "password": "hunter2-hunter2"}'
    send(member.client(), things_op("createThing"), echo_access, body=body)
    record = CallRecord.objects.get()
    page = html(member.client().get(replay_url(record)))
    replayed = json.loads(form_dict(page)["body"])
    assert replayed == {"name": "Widget", "size": 5, "password": "[redacted]"}
    assert "hunter2" not in page
    assert '<span class="mono">body</span>' in page  # the body holds a redacted value


def test_replay_then_send_repeats_the_call(sent_get, member, echo):  # noqa: F811
    client = member.client()
    page = html(client.get(replay_url(sent_get)))
    fields = {**form_dict(page), "header:X-Api-Key": "a-new-key-typed-again"}
    client.post(form_action(page), fields)
    first, second = echo.api()
    assert second.path == first.path == "/v1/things/thing-42"
    assert parse_qs(second.raw_query) == parse_qs(first.raw_query)
    assert second.headers["x-request-tag"] == "nightly"
    assert second.headers["x-api-key"] == "a-new-key-typed-again"


def test_the_detail_page_offers_replay(sent_get, member, team):
    page = html(member.client().get(reverse("history:detail", args=[team.slug, sent_get.pk])))
    assert f'href="{replay_url(sent_get)}"' in page


def test_a_viewer_sees_no_replay(sent_get, viewer, team):
    """Viewers cannot send, so the detail page offers them no Replay, and its URL is 403."""
    page = html(viewer.client().get(reverse("history:detail", args=[team.slug, sent_get.pk])))
    assert "Open operation" in page
    assert replay_url(sent_get) not in page
    assert ">Replay<" not in page
    assert viewer.client().get(replay_url(sent_get)).status_code == 403


def test_the_replay_note_says_the_body_is_the_recorded_calls(member, things_op, echo, echo_access):  # noqa: F811
    send(member.client(), things_op("createThing"), echo_access, body='{"name": "Widget"}')
    record = CallRecord.objects.get()
    page = html(member.client().get(replay_url(record)))
    assert "The body comes from the recorded call, as it was sent: not the spec" in page
    assert "The body the recorded call sent (secrets redacted)." in page
    assert "Prefilled with an example from the spec." not in page


def test_replay_after_a_new_version_opens_the_newest_operation(sent_get, admin, member, team):
    v2 = import_things(admin, 2).version
    page = html(member.client().get(replay_url(sent_get)))
    newest = v2.operations.get(operation_id="getThing")
    assert form_action(page) == reverse("explorer:send", args=[team.slug, newest.pk])
    assert form_dict(page)["path:thingId"] == "thing-42"
    assert "earlier version of this operation" in page


def test_records_without_kept_values_are_read_back_from_the_url(member, things_op):  # noqa: F811
    """A record as written before the form's values were kept (no `form_values`)."""
    facts = CallFacts(
        method="GET",
        url="https://api.example.test/v1/things/thing%2042?limit=9&tags=a&tags=b",
        request_headers=[("X-Request-Tag", "weekly"), ("Accept", "application/json")],
        status=200,
    )
    record = call_record(scope=member.scope, facts=facts, operation=things_op("getThing"))
    assert record.form_values is None
    page = html(member.client().get(replay_url(record)))
    fields = form_dict(page)
    assert fields["path:thingId"] == "thing 42"
    assert fields["query:limit"] == "9"
    assert fields["query:tags"] == "a, b"
    assert fields["header:X-Request-Tag"] == "weekly"
    assert "read back from the recorded URL" in page


def test_a_call_whose_operation_is_gone_has_no_replay(member, viewer, things_op, team):  # noqa: F811
    facts = CallFacts(method="GET", url="https://api.example.test/v1/status", status=200)
    record = call_record(scope=member.scope, facts=facts, operation=None)
    assert member.client().get(replay_url(record)).status_code == 404
    page = html(viewer.client().get(reverse("history:detail", args=[team.slug, record.pk])))
    assert replay_url(record) not in page


def test_outsiders_get_404(sent_get, outsider):
    assert outsider.client().get(replay_url(sent_get)).status_code == 404


# ---------------------------------------------------------------- the hash chain


def _raw(sql: str, params: list) -> None:
    """Change a row behind the console's back (on PostgreSQL, past its trigger)."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)


def test_the_values_are_hashed_and_the_chain_verifies(sent_get, team):
    assert chain_verify(team).ok
    tampered = {**sent_get.form_values, "values": {"path:thingId": "thing-43"}}
    _raw(
        "UPDATE history_callrecord SET form_values = %s WHERE id = %s",
        [json.dumps(tampered), sent_get.pk],
    )
    report = chain_verify(team)
    assert not report.ok
    assert report.record_id == sent_get.pk
    assert "altered" in report.problem


def _digest_without_form_values(record: CallRecord, prev_hash: str) -> str:
    """The digest as it was computed before records kept form values."""
    content = {name: _plain(getattr(record, name)) for name in HASHED_FIELDS}
    for name, absent in LATER_HASHED_FIELDS.items():
        if name != "form_values" and getattr(record, name) != absent:
            content[name] = _plain(getattr(record, name))
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def test_records_without_values_hash_as_before_the_field_existed(member, team):
    facts = CallFacts(method="GET", url="https://api.example.test/v1/status", status=200)
    record = call_record(scope=member.scope, facts=facts)
    assert record.form_values is None
    assert record.record_hash == _digest_without_form_values(record, record.prev_hash)
    assert chain_verify(team).ok
    # Setting values on such a row afterwards breaks its hash.
    _raw(
        "UPDATE history_callrecord SET form_values = %s WHERE id = %s",
        ['{"values": {}}', record.pk],
    )
    assert not chain_verify(team).ok
