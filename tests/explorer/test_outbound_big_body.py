"""A 50 MB answer is cut at CONSOLE_MAX_RESPONSE_BYTES, marked as cut, and still recorded.

The wire server offers 50 MiB of JSON with its full Content-Length. The console reads up
to the cap (set to 1 MiB here), closes the connection instead of draining the rest,
shows the beginning with a notice, and writes one record marked truncated that keeps at
most CONSOLE_HISTORY_BODY_LIMIT bytes of the body.
"""

from __future__ import annotations

import time

import pytest

from tests.explorer.support import assert_no_leak, html, send
from tests.explorer.wire import only_record

pytestmark = pytest.mark.django_db

MIB = 1024 * 1024


@pytest.mark.parametrize("htmx", [False, True], ids=["form-post", "htmx"])
def test_a_50_mb_body_is_cut_marked_and_recorded(
    settings, member, wire, wire_access, wire_op, htmx
):
    settings.CONSOLE_MAX_RESPONSE_BYTES = 1 * MIB
    settings.CONSOLE_HISTORY_BODY_LIMIT = 64 * 1024
    assert wire.big_size == 50 * MIB

    started = time.monotonic()
    response = send(member.client(), wire_op("getBig"), wire_access, htmx=htmx)
    elapsed = time.monotonic() - started

    assert response.status_code == 200
    page = html(response)
    assert_no_leak(page)
    assert "HTTP 200" in page
    assert "larger than the console keeps" in page  # the cut is said on the page
    assert 'class="alert alert-error"' not in page  # an answer, cut; not a failure
    record = only_record()
    assert record.status == 200
    assert record.response_truncated
    assert record.response_size == 1 * MIB  # read up to the cap, not one byte more
    assert len(record.response_body.encode()) <= 64 * 1024
    assert record.response_body.startswith('[{"meter":"m","value":12345},')
    # The console hung up instead of draining 50 MB: the server could not send it all.
    assert wire.big_done.wait(10)
    assert wire.big_sent < 50 * MIB
    assert elapsed < 10
