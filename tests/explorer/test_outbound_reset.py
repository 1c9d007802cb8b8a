"""A connection reset in the middle of the body: a clear message and one record.

The wire server sends the headers and 1,000 of the 100,000 bytes it promised, then
resets the connection (SO_LINGER 0). The console says the answer was cut off by a reset
and records the attempt once, with no status (the answer never arrived whole).
"""

from __future__ import annotations

import time

import pytest

from tests.explorer.support import html, send
from tests.explorer.wire import assert_failed_call

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("htmx", [False, True], ids=["form-post", "htmx"])
def test_a_reset_mid_body_is_a_clear_failure(member, wire, wire_access, wire_op, htmx):
    started = time.monotonic()
    response = send(member.client(), wire_op("getReset"), wire_access, htmx=htmx)

    assert time.monotonic() - started < 5
    record = assert_failed_call(response, "unreachable", "was cut off", "the connection was reset")
    assert "Could not reach the API" in html(response)
    assert record.url == wire.url + "/v1/reset"
    assert [a.path for a in wire.api()] == ["/v1/reset"]  # sent once, not retried
