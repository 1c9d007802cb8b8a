"""A %2E%2E path segment reaches the server as written, not as a ".." it would resolve.

requests decodes %2E to "." while preparing a URL; the safe adapter puts the encoding
of such segments back (literal dot segments were already resolved by urllib3).
"""

from __future__ import annotations

import pytest

from console.upstream.http import keep_dot_segments_encoded, send


@pytest.mark.parametrize(
    ("written", "on_the_wire"),
    [
        ("/api/echo/%2E%2E", "/api/echo/%2E%2E"),
        ("/api/echo/%2e%2e/x", "/api/echo/%2E%2E/x"),
        ("/api/echo/%2E/x", "/api/echo/%2E/x"),
        ("/api/echo/.%2E", "/api/echo/%2E%2E"),
        ("/api/echo/a/../b", "/api/echo/b"),  # a literal dot segment in the URL itself
        ("/api/echo/..%2Fx", "/api/echo/..%2Fx"),
    ],
)
def test_dot_segments_keep_their_encoding(upstream, local_policy, written, on_the_wire):
    send(local_policy, method="GET", url=upstream.url(written), headers={})

    (seen,) = upstream.api_requests
    assert seen.path == on_the_wire


def test_keep_dot_segments_encoded_leaves_other_urls_alone():
    for url in ("https://h/a/b?x=..", "https://h/", "https://h/a..b/.c/"):
        assert keep_dot_segments_encoded(url) == url
    assert keep_dot_segments_encoded("https://h/a/../b?q=1") == "https://h/a/%2E%2E/b?q=1"
