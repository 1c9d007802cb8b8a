"""send(): real requests to a local server, answers returned as plain objects."""

from __future__ import annotations

import json
import socket
import time
from dataclasses import replace

import pytest

from console.upstream.errors import UpstreamError, UpstreamTimeout, UpstreamUnreachable
from console.upstream.http import OutboundPolicy, make_session, send


def test_post_sends_method_headers_and_body(upstream, local_policy):
    response = send(
        local_policy,
        method="post",
        url=upstream.url("/api/echo?page=2"),
        headers={"Content-Type": "application/json", "X-Trace": "abc"},
        body=b'{"name": "calls"}',
    )
    assert response.status == 200
    assert response.reason == "OK"
    assert response.content_type == "application/json"
    echo = response.json()
    assert echo["method"] == "POST"
    assert echo["query"] == {"page": "2"}
    assert echo["headers"]["x-trace"] == "abc"
    assert echo["body"] == '{"name": "calls"}'
    assert response.truncated is False
    assert response.elapsed_ms > 0
    assert response.url == upstream.url("/api/echo?page=2")


def test_repeated_headers_are_kept_apart(upstream, local_policy):
    response = send(local_policy, method="GET", url=upstream.url("/cookie"), headers={})
    assert [v for k, v in response.headers if k.lower() == "set-cookie"] == [
        "a=1; Path=/",
        "b=2; Path=/",
    ]
    assert response.header("SET-COOKIE") == "a=1; Path=/"
    assert response.json() is None  # empty body


def test_non_json_body_gives_none(upstream, local_policy):
    response = send(local_policy, method="GET", url=upstream.url("/status/418"), headers={})
    assert response.status == 418
    assert response.body == b"status"
    assert response.content_type == "text/plain"
    assert response.json() is None


def test_redirects_are_returned_not_followed(upstream, local_policy):
    response = send(local_policy, method="GET", url=upstream.url("/redirect"), headers={})
    assert response.status == 302
    assert response.header("Location") == upstream.url("/api/echo")
    assert [r.path for r in upstream.api_requests] == ["/redirect"]


def test_read_timeout(upstream, local_policy):
    policy = replace(local_policy, read_timeout=0.3)
    started = time.monotonic()
    with pytest.raises(UpstreamTimeout) as info:
        send(policy, method="GET", url=upstream.url("/slow?delay=3"), headers={})
    assert time.monotonic() - started < 2
    assert info.value.message == "127.0.0.1 did not answer within 0.3 s."
    assert info.value.kind == "timeout"


def test_big_body_is_cut_at_the_limit_without_reading_the_rest(upstream, local_policy):
    limit = 256 * 1024
    policy = replace(local_policy, max_response_bytes=limit)
    size = 64 * 1024 * 1024
    response = send(policy, method="GET", url=upstream.url(f"/big?size={size}"), headers={})
    assert response.status == 200
    assert response.truncated is True
    assert len(response.body) == limit
    assert upstream.big_done.wait(5)
    # The server could only push what fits in socket buffers before we hung up.
    assert upstream.big_bytes_sent < size // 2


def test_body_exactly_at_the_limit_is_not_truncated(upstream, local_policy):
    policy = replace(local_policy, max_response_bytes=1000)
    response = send(policy, method="GET", url=upstream.url("/big?size=1000"), headers={})
    assert len(response.body) == 1000
    assert response.truncated is False


def test_connection_reset_mid_body(upstream, local_policy):
    with pytest.raises(UpstreamUnreachable) as info:
        send(local_policy, method="GET", url=upstream.url("/reset"), headers={})
    assert info.value.message.startswith("The answer from 127.0.0.1 was cut off")
    assert info.value.kind == "unreachable"


def test_connection_refused(local_policy):
    with socket.socket() as probe:  # a port that was free a moment ago
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(UpstreamUnreachable) as info:
        send(local_policy, method="GET", url=f"http://127.0.0.1:{port}/", headers={})
    assert info.value.message == f"Could not connect to 127.0.0.1:{port}: connection refused."


def test_unknown_host(local_policy):
    with pytest.raises(UpstreamUnreachable) as info:
        send(local_policy, method="GET", url="http://no-such-host.invalid/", headers={})
    assert info.value.message == "Could not find no-such-host.invalid: the name does not resolve."


def test_session_is_reused_with_keep_alive(upstream, local_policy, connect_attempts):
    session = make_session(local_policy)
    for _ in range(3):
        assert (
            send(
                local_policy,
                method="GET",
                url=upstream.url("/api/echo"),
                headers={},
                session=session,
            ).status
            == 200
        )
    session.close()
    assert len(connect_attempts) == 1


def test_session_must_match_the_policy(upstream, local_policy):
    session = make_session(replace(local_policy, read_timeout=99))
    with pytest.raises(ValueError, match="different outbound policy"):
        send(local_policy, method="GET", url=upstream.url("/"), headers={}, session=session)
    import requests

    with pytest.raises(TypeError):
        send(
            local_policy,
            method="GET",
            url=upstream.url("/"),
            headers={},
            session=requests.Session(),
        )
    assert upstream.api_requests == []


def test_proxy_environment_is_ignored(upstream, local_policy, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    response = send(local_policy, method="GET", url=upstream.url("/api/echo"), headers={})
    assert response.status == 200


def test_cookies_are_never_kept_between_calls(upstream, local_policy):
    session = make_session(local_policy)
    send(local_policy, method="GET", url=upstream.url("/cookie"), headers={}, session=session)
    send(local_policy, method="GET", url=upstream.url("/api/echo"), headers={}, session=session)
    assert "cookie" not in upstream.api_requests[-1].headers


def test_repr_does_not_dump_the_body(upstream, local_policy):
    response = send(local_policy, method="GET", url=upstream.url("/api/echo?api_key=k"), headers={})
    assert "api_key" not in repr(response)
    assert "bytes" in repr(response)


def test_errors_are_upstream_errors_with_kind_and_message():
    error = UpstreamTimeout("x did not answer within 1 s.")
    assert isinstance(error, UpstreamError)
    assert str(error) == error.message
    assert json.dumps({"kind": error.kind, "message": error.message})


def test_timeouts_from_a_policy_are_floats_written_plainly(upstream):
    policy = OutboundPolicy(allow_private=True, allow_http=True, read_timeout=1)
    with pytest.raises(UpstreamTimeout, match=r"within 1 s\.$"):
        send(policy, method="GET", url=upstream.url("/slow?delay=3"), headers={})
