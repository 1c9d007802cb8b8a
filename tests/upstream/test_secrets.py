"""The client secret and access tokens never show in reprs, messages or logs."""

from __future__ import annotations

import logging
import time

import pytest

from console.upstream.errors import TokenError, UpstreamError
from console.upstream.tokens import (
    CallTokenInfo,
    MemoryTokenStore,
    Token,
    TokenBroker,
    fetch_token,
)


def test_credentials_repr_hides_the_secret(creds, secret):
    for text in (repr(creds), str(creds), f"{creds!r}", str([creds])):
        assert secret not in text
        assert creds.client_id in text


def test_token_repr_hides_the_access_token():
    token = Token("eyJ.secret-token.sig", "Bearer", "read:meters", time.time() + 60, time.time())
    for text in (repr(token), str(token), str([token])):
        assert "secret-token" not in text
        assert "read:meters" in text


def test_call_info_carries_no_token():
    info = CallTokenInfo(cached=True, token_ms=1.0, retried=False, expires_at=1.0)
    assert set(vars(info)) == {"cached", "token_ms", "retried", "expires_at"}


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (401, {"error": "invalid_client", "error_description": "bad secret {secret}"}),
        (403, {"error": "access_denied", "error_description": "audience {secret}"}),
        (400, {"error": "invalid_request", "error_description": "{secret} is wrong"}),
        (429, {"error": "{secret}"}),
        (500, {"error": "server_error", "error_description": "{secret}"}),
        (200, "{secret}"),
        (200, {"token_type": "{secret}"}),
    ],
)
def test_error_messages_never_contain_the_secret(
    upstream, local_policy, creds, secret, status, body
):
    if isinstance(body, dict):
        body = {k: v.replace("{secret}", secret) for k, v in body.items()}
    else:
        body = body.replace("{secret}", secret)
    upstream.script_token(status, body)
    with pytest.raises(TokenError) as info:
        fetch_token(creds, local_policy, sleep=lambda s: None)
    error = info.value
    for text in (
        error.message,
        str(error),
        repr(error),
        str(error.error),
        str(error.error_description),
    ):
        assert secret not in text


def test_transport_errors_never_contain_the_secret(upstream, local_policy, creds, secret):
    upstream.token_delay = 1
    from dataclasses import replace

    with pytest.raises(UpstreamError) as info:
        fetch_token(creds, replace(local_policy, read_timeout=0.2))
    assert secret not in str(info.value)


def test_nothing_secret_is_logged_even_at_debug(upstream, local_policy, creds, secret, caplog):
    caplog.set_level(logging.DEBUG)
    broker = TokenBroker(MemoryTokenStore(), local_policy)
    token = broker.get("1:aud", lambda: creds)
    assert caplog.records  # logging did happen
    assert secret not in caplog.text
    assert token.access_token not in caplog.text
