"""API fixtures: the sandbox and the echo server as the team's environments (from the
explorer's set-up), personal API tokens for each person, and a client that sends one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from console.api.tokens import token_create
from console.teams.models import Role
from tests.conftest import Person
from tests.explorer.echo import (  # noqa: F401 - fixtures are found by name
    echo,
    echo_access,
    echo_op,
    echo_spec,
)
from tests.explorer.support import (  # noqa: F401 - fixtures are found by name
    sandbox_access,
    sandbox_env,
    sandbox_op,
    sandbox_spec,
    theirs_access,
)


class ApiClient:
    """Django's test client, sending a console API token on every request."""

    def __init__(self, secret: str) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {secret}"}

    def get(self, path: str, **query: Any) -> Any:
        return self.client.get(path, query, headers=self.headers)

    def post(self, path: str, data: Any = None, **headers: str) -> Any:
        return self.client.post(
            path, data or {}, content_type="application/json", headers={**self.headers, **headers}
        )

    def request(self, method: str, path: str, body: bytes = b"", **headers: str) -> Any:
        return self.client.generic(method, path, body, headers={**self.headers, **headers})


@pytest.fixture
def token_for() -> Callable[..., str]:
    """Make a token for a person (their own role by default); returns its secret."""

    def make(person: Person, role: Role | str | None = None, name: str = "ci", days: int = 30):
        role = role or person.membership.role
        return token_create(scope=person.scope, name=name, role=role, days=days).secret

    return make


@pytest.fixture
def api_as(token_for: Callable[..., str]) -> Callable[..., ApiClient]:
    """An API client with a fresh token of `person`."""
    return lambda person, role=None: ApiClient(token_for(person, role))
