"""A header parameter with CR or LF is refused with a clear message; nothing is sent.

A line break in a header value would let the value add headers of its own (or end the
head and start a body). The console refuses the value while building the request,
names the header beside its field, and sends nothing: no token request, no call. The
attempt is one history record, marked refused.
"""

from __future__ import annotations

import html as html_lib

import pytest

from console.history.models import CallRecord
from tests.explorer.support import assert_no_leak, html, send

pytestmark = pytest.mark.django_db

VALUES = {
    "crlf": "ok\r\nX-Injected: 1",
    "lf": "ok\nX-Injected: 1",
    "cr": "ok\rX-Injected: 1",
    "crlf-crlf-body": "ok\r\n\r\nGET /v1/items/smuggled HTTP/1.1",
    "nul": "ok\x00X-Injected: 1",
}
MESSAGE = "The header X-Note must not contain line breaks."


@pytest.mark.parametrize("value", list(VALUES.values()), ids=list(VALUES))
@pytest.mark.parametrize("force", [False, True], ids=["send", "send-anyway"])
def test_line_break_in_a_header_is_refused(member, wire, wire_access, wire_op, value, force):
    values = {"header:X-Note": value}
    if force:
        values["force"] = "1"

    response = send(member.client(), wire_op("getNote"), wire_access, values, htmx=True)

    assert response.status_code == 200
    page = html(response)
    assert_no_leak(page)
    assert "Not sent" in page
    assert MESSAGE in html_lib.unescape(page)
    assert wire.api() == []  # nothing reached the server
    assert wire.token_requests == 0  # not even a token request
    (record,) = CallRecord.objects.all()
    assert record.error_kind == "refused"
    assert record.error_message == MESSAGE
    assert record.status is None
    assert record.url == f"{wire_access.environment.base_url}/v1/notes"


def test_the_same_header_without_a_line_break_is_sent(member, wire, wire_access, wire_op):
    # Control: the header parameter does reach the server when its value is clean.
    response = send(member.client(), wire_op("getNote"), wire_access, {"header:X-Note": "ok"})

    assert response.status_code == 200
    (arrived,) = wire.api()
    assert arrived.headers["x-note"] == "ok"
    assert "x-injected" not in arrived.headers
    assert CallRecord.objects.count() == 1


def test_a_refused_header_leaves_one_history_record(member, wire_access, wire_op):
    send(member.client(), wire_op("getNote"), wire_access, {"header:X-Note": VALUES["crlf"]})

    (record,) = CallRecord.objects.all()
    assert record.error_kind == "refused"
    assert "line break" in record.error_message
