"""Vault fixtures: an Application Access to the session's sandbox, created by an admin."""

from __future__ import annotations

import pytest

from console.vault import services
from console.vault.models import ApplicationAccess, Environment
from tests.conftest import SANDBOX_CLIENT_ID, SANDBOX_SECRET


@pytest.fixture
def access(admin, sandbox) -> ApplicationAccess:
    """The Application Access "Sandbox app", with the credentials the sandbox knows."""
    env = services.environment_save(
        scope=admin.scope, environment=Environment(name="Sandbox", base_url=sandbox.url + "/")
    )
    return services.access_create(
        scope=admin.scope,
        name="Sandbox app",
        environment=env,
        client_id=SANDBOX_CLIENT_ID,
        client_secret=SANDBOX_SECRET,
    )
