"""Fixtures for the sandbox tests: a real sandbox on a free port, reached with `requests`.

These tests need neither Django settings nor the database. `sandbox` here overrides the
session-wide one in tests/conftest.py on purpose: each test gets a fresh sandbox (own
data, key and rate-limit buckets) with the default limits the tests check.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from console.sandbox.config import ALL_SCOPES, READ_SCOPES, SandboxClient, SandboxConfig
from console.sandbox.server import RunningSandbox, start_in_thread

ADMIN = SandboxClient("admin-app", "admin-secret-value", ALL_SCOPES)
READER = SandboxClient("reader-app", "reader-secret-value", READ_SCOPES)
TIMEOUT = 10


@pytest.fixture
def admin_client() -> SandboxClient:
    """The client holding every scope."""
    return ADMIN


@pytest.fixture
def reader_client() -> SandboxClient:
    """The client holding the read scopes only."""
    return READER


@pytest.fixture
def sandbox_config() -> SandboxConfig:
    """Two clients (all scopes, read scopes) and short stream runs; override per module."""
    return SandboxConfig(clients=(ADMIN, READER), run_seconds=0.5)


@pytest.fixture
def sandbox(sandbox_config: SandboxConfig) -> Iterator[RunningSandbox]:
    """A sandbox serving on 127.0.0.1 and a free port for the length of one test."""
    with start_in_thread(sandbox_config) as running:
        yield running


@pytest.fixture
def form(sandbox: RunningSandbox) -> Callable[..., dict[str, str]]:
    """A valid token request body for the admin_auth client; None values drop a field."""

    def build(client: SandboxClient = ADMIN, **overrides: Any) -> dict[str, str]:
        body = {
            "grant_type": "client_credentials",
            "client_id": client.client_id,
            "client_secret": client.client_secret,
            "audience": sandbox.audience,
            **overrides,
        }
        return {k: v for k, v in body.items() if v is not None}

    return build


@pytest.fixture
def token_request(
    sandbox: RunningSandbox, form: Callable[..., dict[str, str]]
) -> Callable[..., requests.Response]:
    """POST a form token request for a client; keyword arguments override body fields."""

    def post(client: SandboxClient = ADMIN, **fields: Any) -> requests.Response:
        return requests.post(sandbox.token_url, data=form(client, **fields), timeout=TIMEOUT)

    return post


@pytest.fixture
def bearer(token_request: Callable[..., requests.Response]) -> Callable[..., dict[str, str]]:
    """Authorization headers with a token fetched from the endpoint for a client."""

    def headers(client: SandboxClient = ADMIN, **fields: Any) -> dict[str, str]:
        response = token_request(client, **fields)
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    return headers


@pytest.fixture
def admin_auth(bearer: Callable[..., dict[str, str]]) -> dict[str, str]:
    """Headers for a client holding every scope."""
    return bearer(ADMIN)


@pytest.fixture
def reader_auth(bearer: Callable[..., dict[str, str]]) -> dict[str, str]:
    """Headers for a client holding the read scopes only."""
    return bearer(READER)
