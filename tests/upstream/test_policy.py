"""The outbound policy: schemes, hosts, private addresses and headers are refused before sending."""

from __future__ import annotations

import pytest

from console.upstream.errors import OutboundRefused
from console.upstream.http import OutboundPolicy, check_address, check_url, send

PUBLIC = OutboundPolicy()


def test_public_https_url_passes_and_says_where_it_points():
    target = check_url(PUBLIC, "https://API.DigitalRoute.io./meter-types?x=1")
    assert (target.scheme, target.host, target.port) == ("https", "api.digitalroute.io", 443)
    assert target.netloc == "api.digitalroute.io:443"


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://api.example.com/", "http://"),
        ("ftp://api.example.com/", "https://"),
        ("file:///etc/passwd", "https://"),
        ("https:///nohost", "no host"),
        ("https://user:pw@api.example.com/", "user name or password"),
        ("https://api.example.com:99999/", "not valid"),
        ("https://api.example.com/a b", "spaces"),
        ("https://api.example.com/\r\nX: 1", "control characters"),
    ],
)
def test_bad_urls_are_refused_with_a_reason(url, words):
    with pytest.raises(OutboundRefused) as info:
        check_url(PUBLIC, url)
    assert words in info.value.message
    assert info.value.kind == "refused"


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.0.10", "private"),
        ("172.16.5.4", "private"),
        ("169.254.169.254", "link-local"),
        ("0.0.0.0", "unspecified"),  # noqa: S104 - an address under test
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "non-public"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),
        ("ff02::1", "multicast"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:169.254.169.254", "link-local"),
        ("2002:7f00:1::", "loopback"),  # 6to4 wrapping 127.0.0.1
        ("64:ff9b::a00:1", "private"),  # NAT64 wrapping 10.0.0.1
    ],
)
def test_non_public_addresses_are_refused(address, reason):
    with pytest.raises(OutboundRefused) as info:
        check_address(PUBLIC, address)
    assert reason in info.value.message
    check_address(OutboundPolicy(allow_private=True), address)  # allowed when told so


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"])
def test_public_addresses_pass(address):
    check_address(PUBLIC, address)


@pytest.mark.parametrize(
    "url",
    [
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/",
        "https://[::ffff:127.0.0.1]/",
        "https://10.0.0.1:8443/",
    ],
)
def test_literal_private_addresses_are_refused_without_any_connection(url, connect_attempts):
    with pytest.raises(OutboundRefused):
        send(PUBLIC, method="GET", url=url, headers={})
    assert connect_attempts == []


def test_loopback_ip_is_refused_by_default(upstream, connect_attempts):
    policy = OutboundPolicy(allow_http=True)
    with pytest.raises(OutboundRefused, match="loopback"):
        send(policy, method="GET", url=upstream.url("/api/echo"), headers={})
    assert upstream.api_requests == []
    assert connect_attempts == []


def test_name_resolving_to_loopback_is_refused_after_resolution(upstream, connect_attempts):
    policy = OutboundPolicy(allow_http=True)
    with pytest.raises(OutboundRefused) as info:
        send(policy, method="GET", url=upstream.url("/api/echo", host="localhost"), headers={})
    assert "localhost resolves to" in info.value.message
    assert upstream.api_requests == []
    assert connect_attempts == []  # refused after the lookup, before any connect


def test_private_addresses_reachable_when_allowed(upstream, local_policy):
    response = send(local_policy, method="GET", url=upstream.url("/api/echo"), headers={})
    assert response.status == 200


def test_http_is_refused_unless_allowed(upstream):
    policy = OutboundPolicy(allow_private=True)
    with pytest.raises(OutboundRefused, match="http://"):
        send(policy, method="GET", url=upstream.url("/api/echo"), headers={})
    assert upstream.api_requests == []


def test_allow_list_by_host_and_by_host_and_port(upstream):
    base = {"allow_private": True, "allow_http": True}
    url = upstream.url("/api/echo")
    for allowed in ({"127.0.0.1"}, {f"127.0.0.1:{upstream.port}"}, {"127.0.0.1."}):
        policy = OutboundPolicy(allowed_hosts=frozenset(allowed), **base)
        assert send(policy, method="GET", url=url, headers={}).status == 200
    for allowed in (set(), {"api.example.com"}, {"127.0.0.1:1"}):
        policy = OutboundPolicy(allowed_hosts=frozenset(allowed), **base)
        with pytest.raises(OutboundRefused, match="not in the list of allowed hosts"):
            send(policy, method="GET", url=url, headers={})
    assert len(upstream.api_requests) == 3


def test_allow_list_is_normalised_to_lowercase():
    policy = OutboundPolicy(allowed_hosts=frozenset({" API.Example.COM "}))
    assert policy.allowed_hosts == frozenset({"api.example.com"})
    check_url(policy, "https://api.example.com/x")


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Test": "a\r\nInjected: yes"},
        {"X-Test": "a\nb"},
        {"X-Test": "a\rb"},
        {"X-Bad\r\nName": "a"},
        {"Bad Name": "a"},
        {"Host": "internal.example"},
    ],
)
def test_bad_headers_are_refused_before_anything_is_sent(upstream, local_policy, headers):
    with pytest.raises(OutboundRefused):
        send(local_policy, method="GET", url=upstream.url("/api/echo"), headers=headers)
    assert upstream.api_requests == []


def test_bad_method_is_refused(upstream, local_policy):
    with pytest.raises(OutboundRefused):
        send(local_policy, method="GET /x HTTP/1.1\r\n", url=upstream.url("/"), headers={})
    assert upstream.api_requests == []
