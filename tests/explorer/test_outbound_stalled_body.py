"""An upstream that stops sending in the middle of the body hits the read timeout.

(A server that does not answer at all is in test_failures.py::test_read_timeout.) Here
the headers and 1,000 bytes arrive, then nothing for longer than CONSOLE_READ_TIMEOUT:
the console gives up after the read timeout, says the answer was cut off, and records
the attempt once.
"""

from __future__ import annotations

import time

import pytest

from tests.explorer.support import html, send
from tests.explorer.wire import assert_failed_call

pytestmark = pytest.mark.django_db


def test_a_body_that_stalls_times_out(settings, member, wire, wire_access, wire_op):
    settings.CONSOLE_READ_TIMEOUT = 0.4
    wire.stall_seconds = 2.0

    started = time.monotonic()
    response = send(member.client(), wire_op("getStall"), wire_access, htmx=True)

    assert time.monotonic() - started < 1.8  # the timeout, not the server, ended it
    assert_failed_call(
        response, "timeout", "stopped sending for more than 0.4 s", "the answer was cut off"
    )
    assert "Timed out" in html(response)
