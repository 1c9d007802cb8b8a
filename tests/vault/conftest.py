"""Vault fixtures: an Application Access to the session's sandbox, created by an admin."""

from __future__ import annotations

import pytest

from console.vault.models import ApplicationAccess
from tests.explorer.support import sandbox_access_named, sandbox_env  # noqa: F401 (a fixture)


@pytest.fixture
def access(admin, sandbox_env) -> ApplicationAccess:  # noqa: F811 (the fixture above)
    """The Application Access "Sandbox app", with the credentials the sandbox knows."""
    return sandbox_access_named(admin, sandbox_env, "Sandbox app")
