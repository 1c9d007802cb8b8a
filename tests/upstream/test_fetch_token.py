"""fetch_token(): the client-credentials request and how each failure is reported."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from console.upstream.errors import (
    OutboundRefused,
    TokenAudienceRejected,
    TokenBadResponse,
    TokenError,
    TokenRateLimited,
    TokenRejected,
    TokenServerError,
    UpstreamTimeout,
)
from console.upstream.http import OutboundPolicy, make_session
from console.upstream.tokens import describe_token, fetch_token, parse_retry_after


def test_token_request_is_a_form_body_with_credentials_and_audience(upstream, local_policy, creds):
    fetch_token(creds, local_policy)
    [request] = upstream.token_requests
    assert request.method == "POST"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert "authorization" not in request.headers  # no HTTP Basic
    assert request.form == {
        "grant_type": "client_credentials",
        "client_id": creds.client_id,
        "client_secret": creds.client_secret,
        "audience": creds.audience,
    }


def test_token_fields(upstream, local_policy, creds):
    before = time.time()
    token = fetch_token(creds, local_policy)
    assert token.access_token == upstream.issued[0]
    assert token.token_type == "Bearer"
    assert token.scope == "read:meter_types create:meters"
    assert before + 3600 - 1 <= token.expires_at <= time.time() + 3600
    assert before <= token.fetched_at <= time.time()
    assert token.fetch_ms > 0
    assert token.authorization == f"Bearer {upstream.issued[0]}"
    assert not token.expires_within(60, time.time())
    assert token.expires_within(60, token.expires_at - 30)


def test_expires_in_as_a_string_is_understood(upstream, local_policy, creds):
    upstream.expires_in = "120"
    token = fetch_token(creds, local_policy)
    assert 110 < token.expires_at - time.time() <= 120


def test_missing_expires_in_uses_the_jwt_exp_claim(upstream, local_policy, creds):
    jwt_token = upstream.make_jwt(creds.audience, creds.client_id, lifetime=600)
    upstream.script_token(200, {"access_token": jwt_token, "token_type": "Bearer"})
    token = fetch_token(creds, local_policy)
    assert token.expires_at == describe_token(jwt_token)["exp"]
    assert token.scope == ""


def test_missing_expires_in_and_not_a_jwt_means_one_hour(upstream, local_policy, creds):
    upstream.script_token(200, {"access_token": "opaque-token", "token_type": "bearer"})
    before = time.time()
    token = fetch_token(creds, local_policy)
    assert before + 3600 <= token.expires_at <= time.time() + 3600


def test_describe_token_reads_claims_without_verifying(upstream, creds):
    claims = describe_token(upstream.make_jwt(creds.audience, creds.client_id))
    assert set(claims) == {"aud", "exp", "scope", "accountId", "sub", "iss"}
    assert claims["aud"] == creds.audience
    assert claims["sub"] == "client-abc@clients"
    assert describe_token("not-a-jwt") == {}
    assert describe_token("") == {}


def test_invalid_client(upstream, local_policy, creds):
    upstream.script_token(401, {"error": "invalid_client", "error_description": "Unauthorized"})
    with pytest.raises(TokenRejected) as info:
        fetch_token(creds, local_policy)
    error = info.value
    assert error.kind == "token_rejected"
    assert error.message.startswith("The token endpoint rejected the client ID or secret.")
    assert (error.status, error.error, error.error_description) == (
        401,
        "invalid_client",
        "Unauthorized",
    )
    assert "invalid_client" in error.message


def test_access_denied_on_400_is_a_rejection_too(upstream, local_policy, creds):
    upstream.script_token(400, {"error": "access_denied"})
    with pytest.raises(TokenRejected):
        fetch_token(creds, local_policy)


def test_401_without_json_is_a_rejection(upstream, local_policy, creds):
    upstream.script_token(401, "Unauthorized")
    with pytest.raises(TokenRejected) as info:
        fetch_token(creds, local_policy)
    assert info.value.status == 401


def test_audience_not_enabled(upstream, local_policy, creds):
    upstream.script_token(
        403,
        {
            "error": "access_denied",
            "error_description": 'Client is not authorized to access "https://api.example.test/".',
        },
    )
    with pytest.raises(TokenAudienceRejected) as info:
        fetch_token(creds, local_policy)
    assert info.value.kind == "token_audience"
    assert info.value.message.startswith(
        "This Application Access is not enabled for that environment "
        "(audience https://api.example.test/)."
    )
    assert info.value.status == 403


def test_403_not_about_the_audience_is_a_rejection(upstream, local_policy, creds):
    upstream.script_token(403, {"error": "access_denied", "error_description": "Client disabled"})
    with pytest.raises(TokenRejected):
        fetch_token(creds, local_policy)


def test_other_oauth_errors(upstream, local_policy, creds):
    upstream.script_token(400, {"error": "invalid_request", "error_description": "Bad audience"})
    with pytest.raises(TokenError) as info:
        fetch_token(creds, local_policy)
    assert type(info.value) is TokenError
    assert info.value.error == "invalid_request"


def test_server_error_is_not_retried(upstream, local_policy, creds):
    upstream.script_token(503, "Service Unavailable")
    with pytest.raises(TokenServerError) as info:
        fetch_token(creds, local_policy)
    assert info.value.kind == "token_server_error"
    assert info.value.status == 503
    assert len(upstream.token_requests) == 1


@pytest.mark.parametrize(
    ("status", "body", "words"),
    [
        (200, "<html>login</html>", "not a JSON object"),
        (200, ["access_token"], "not a JSON object"),
        (200, {"token_type": "Bearer"}, "no access_token"),
        (200, {"access_token": 42}, "no access_token"),
        (200, {"access_token": ""}, "no access_token"),
        (404, "Not Found", "HTTP 404"),
        (302, "", "redirect"),
        (418, "teapot", "HTTP 418"),
    ],
)
def test_bad_answers(upstream, local_policy, creds, status, body, words):
    upstream.script_token(status, body)
    with pytest.raises(TokenBadResponse) as info:
        fetch_token(creds, local_policy)
    assert words in info.value.message
    assert info.value.kind == "token_bad_response"


def test_huge_answer_is_refused(upstream, local_policy, creds):
    policy = replace(local_policy, max_response_bytes=1000)
    upstream.script_token(200, {"access_token": "x" * 5000})
    with pytest.raises(TokenBadResponse, match="too large"):
        fetch_token(creds, policy)


def test_429_with_short_retry_after_is_retried(upstream, local_policy, creds):
    upstream.script_token(429, {"error": "too_many_requests"}, {"Retry-After": "1"})
    upstream.script_token(429, "slow down", {"Retry-After": "2"})
    waits: list[float] = []
    token = fetch_token(creds, local_policy, sleep=waits.append)
    assert token.access_token == upstream.issued[0]
    assert waits == [1.0, 2.0]
    assert len(upstream.token_requests) == 3


def test_429_retried_at_most_twice(upstream, local_policy, creds):
    for _ in range(4):
        upstream.script_token(429, "", {"Retry-After": "1"})
    waits: list[float] = []
    with pytest.raises(TokenRateLimited) as info:
        fetch_token(creds, local_policy, sleep=waits.append)
    assert waits == [1.0, 1.0]
    assert len(upstream.token_requests) == 3
    assert info.value.retry_after == 1.0


def test_429_with_long_retry_after_is_reported_at_once(upstream, local_policy, creds):
    upstream.script_token(429, "", {"Retry-After": "120"})
    waits: list[float] = []
    with pytest.raises(TokenRateLimited) as info:
        fetch_token(creds, local_policy, sleep=waits.append)
    assert waits == []
    assert info.value.retry_after == 120
    assert info.value.kind == "token_rate_limited"
    assert "try again in about 2 minutes" in info.value.message
    assert len(upstream.token_requests) == 1


def test_429_without_retry_after_is_not_retried(upstream, local_policy, creds):
    upstream.script_token(429, "")
    with pytest.raises(TokenRateLimited) as info:
        fetch_token(creds, local_policy, sleep=lambda s: None)
    assert info.value.retry_after is None
    assert len(upstream.token_requests) == 1


def test_retry_after_parsing():
    assert parse_retry_after("3") == 3
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470) == 10
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_timeout_is_not_retried(upstream, local_policy, creds):
    upstream.token_delay = 1.5
    policy = replace(local_policy, read_timeout=0.3)
    with pytest.raises(UpstreamTimeout, match=r"did not answer within 0\.3 s"):
        fetch_token(creds, policy)
    assert len(upstream.token_requests) == 1


def test_http_token_url_refused_unless_allowed(upstream, creds):
    with pytest.raises(OutboundRefused, match="http://"):
        fetch_token(creds, OutboundPolicy(allow_private=True))
    assert upstream.token_requests == []


def test_private_token_url_refused_by_default(upstream, creds, connect_attempts):
    localhost = replace(creds, token_url=upstream.url("/oauth/token", host="localhost"))
    with pytest.raises(OutboundRefused, match="localhost resolves to"):
        fetch_token(localhost, OutboundPolicy(allow_http=True))
    assert upstream.token_requests == []
    assert connect_attempts == []


def test_redirect_is_not_followed(upstream, local_policy, creds):
    upstream.script_token(307, "", {"Location": upstream.url("/api/echo")})
    with pytest.raises(TokenBadResponse, match="redirect"):
        fetch_token(creds, local_policy)
    assert upstream.api_requests == []


def test_proxy_environment_is_ignored(upstream, local_policy, creds, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    assert fetch_token(creds, local_policy).access_token == upstream.issued[0]


def test_a_lent_session_is_reused_and_stays_open(upstream, local_policy, creds, connect_attempts):
    session = make_session(local_policy)
    fetch_token(creds, local_policy, session=session)
    fetch_token(creds, local_policy, session=session)
    session.close()
    assert len(upstream.token_requests) == 2
    assert len(connect_attempts) == 1
