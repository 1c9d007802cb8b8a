"""No path parameter value can change the path: checked on the wire.

The wire server records the raw request target exactly as it came off the socket, so
these are the bytes the upstream sees, after the console, requests and urllib3 (which
would resolve a literal ``..`` segment) had their say. Each value stays inside its one
segment of ``/v1/items/{itemId}``; none adds a query or a fragment. Each Send makes one
call and one history record with the same URL.
"""

from __future__ import annotations

import pytest

from tests.explorer.support import assert_no_leak, send
from tests.explorer.wire import only_record

pytestmark = pytest.mark.django_db

CASES = [
    ("dot-dot-slash", "../admin", "..%2Fadmin"),
    ("deep-dot-dot", "../../../etc/passwd", "..%2F..%2F..%2Fetc%2Fpasswd"),
    ("dot-dot-alone", "..", "%2E%2E"),
    ("dot-alone", ".", "%2E"),
    ("slash", "a/b", "a%2Fb"),
    ("encoded-slash", "a%2Fb", "a%252Fb"),
    ("encoded-dots", "%2e%2e", "%252e%252e"),
    ("question-mark", "x?admin=1", "x%3Fadmin%3D1"),
    ("hash", "y#frag", "y%23frag"),
    ("backslash", "..\\admin", "..%5Cadmin"),
    ("space-and-semicolon", "a b;c", "a%20b%3Bc"),
]


@pytest.mark.parametrize(("value", "segment"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_path_parameter_stays_in_its_segment(member, wire, wire_access, wire_op, value, segment):
    response = send(member.client(), wire_op("getItem"), wire_access, {"path:itemId": value})

    assert response.status_code == 200
    assert_no_leak(response.content.decode())
    (arrived,) = wire.api()
    assert arrived.target == f"/v1/items/{segment}"  # no query, no fragment, one segment
    record = only_record()
    assert record.status == 200
    assert record.url == f"{wire.url}/v1/items/{segment}"
