"""Send to an environment on a refused address: refused before any connection is made.

With CONSOLE_ALLOW_PRIVATE_HOSTS off, every address kind that is not public is refused,
whether the console still has to fetch a token (the token URL is on the same host) or
already has one cached (the API call itself is refused). Literal addresses are refused
from the URL alone; a host name is refused once it resolves, before the connection.
Each time: a 200 page with a clear sentence, exactly one history record, and no
socket.connect() to the address (so 10.x or 169.254.169.254 is never even tried).

The loopback test points at a server that really listens, to show that nothing reaches
it. (Loopback by literal 127.0.0.1 is in test_failures.py.)
"""

from __future__ import annotations

import time

import pytest

from console.upstream.tokens import Token
from console.vault.services import access_key
from console.vault.token_store import DatabaseTokenStore
from tests.explorer.support import html, send
from tests.explorer.wire import assert_failed_call, environment_access

pytestmark = pytest.mark.django_db

# (test id, host as written in the URL, the address that must never be connected to,
#  words the message must contain)
LITERALS = [
    ("private-10", "10.20.30.40", "10.20.30.40", "a private address"),
    ("private-172", "172.16.5.4", "172.16.5.4", "a private address"),
    ("private-192-168", "192.168.1.10", "192.168.1.10", "a private address"),
    ("link-local-metadata", "169.254.169.254", "169.254.169.254", "a link-local address"),
    ("multicast", "224.0.0.251", "224.0.0.251", "a multicast address"),
    ("reserved", "240.0.0.1", "240.0.0.1", "a reserved address"),
    ("unspecified", "0.0.0.0", "0.0.0.0", "an unspecified address"),  # noqa: S104
    ("shared-cgnat", "100.64.0.1", "100.64.0.1", "a non-public address"),
    ("ipv6-loopback", "[::1]", "::1", "a loopback address"),
    ("ipv6-unique-local", "[fd00::1]", "fd00::1", "a private address"),
    ("ipv4-mapped-ipv6", "[::ffff:10.0.0.1]", "::ffff:10.0.0.1", "a private address"),
]


def _cache_a_token(access) -> None:
    """Put a valid token in the shared cache, as an earlier call would have."""
    now = time.time()
    token = Token("cached-wire-token", "Bearer", "", now + 3600, now)
    DatabaseTokenStore().save(access_key(access), token)


@pytest.fixture(params=["no-token-yet", "token-cached"])
def token_state(request) -> str:
    """Whether the refusal meets the token fetch or the API call itself."""
    return request.param


def _refuse_private(settings) -> None:
    # The environments are saved while the test settings allow private hosts (as an
    # admin could before the setting was turned off); the Send happens without.
    settings.CONSOLE_ALLOW_PRIVATE_HOSTS = False


@pytest.mark.parametrize(
    ("host", "address", "words"),
    [case[1:] for case in LITERALS],
    ids=[case[0] for case in LITERALS],
)
def test_literal_address_is_refused_before_connecting(
    settings, admin, member, wire_op, socket_connects, token_state, host, address, words
):
    access = environment_access(admin, "Inside", f"http://{host}:8443")
    if token_state == "token-cached":
        _cache_a_token(access)
    _refuse_private(settings)

    response = send(member.client(), wire_op("getItem"), access, {"path:itemId": "1"}, htmx=True)

    record = assert_failed_call(response, "refused", address, words, "not allowed")
    assert "Refused by the console" in html(response)
    assert record.url == f"http://{host}:8443/v1/items/1"
    assert not [a for a in socket_connects if a[0] == address], socket_connects


def test_a_name_that_resolves_to_loopback_is_refused_before_connecting(
    settings, admin, member, wire, wire_op, socket_connects, token_state
):
    access = environment_access(admin, "Local name", f"http://localhost:{wire.port}")
    if token_state == "token-cached":
        _cache_a_token(access)
    _refuse_private(settings)

    response = send(member.client(), wire_op("getItem"), access, {"path:itemId": "1"})

    record = assert_failed_call(
        response, "refused", "localhost resolves to", "a loopback address", "not allowed"
    )
    assert record.url == f"http://localhost:{wire.port}/v1/items/1"
    # The server really listens there; neither the token request nor the call reached it.
    assert wire.token_requests == 0
    assert wire.api() == []
    assert not [a for a in socket_connects if a[1] == wire.port], socket_connects


def test_control_the_same_call_connects_when_private_hosts_are_allowed(
    admin, member, wire, wire_op, socket_connects
):
    # Proves the checks above can see a connection: with the setting on (as in the test
    # settings), the same Send connects to the server and gets its answer.
    access = environment_access(admin, "Local name", f"http://localhost:{wire.port}")

    response = send(member.client(), wire_op("getItem"), access, {"path:itemId": "1"})

    assert response.status_code == 200
    assert wire.token_requests == 1
    assert [a.path for a in wire.api()] == ["/v1/items/1"]
    assert [a for a in socket_connects if a[1] == wire.port]
