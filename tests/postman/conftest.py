"""Postman fixtures: the sandbox's own OpenAPI document imported as the team's spec, and
the fixture files (written as Postman writes them) in `fixtures/`."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.sandbox.server import RunningSandbox
from console.specs.models import SpecVersion
from console.specs.services import spec_import
from tests.conftest import Person
from tests.explorer.things import things  # noqa: F401 - fixtures are found by name

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_text(name: str) -> str:
    """A fixture file's text."""
    return (FIXTURES / name).read_text(encoding="utf-8")


@pytest.fixture
def sandbox_version(admin: Person, sandbox: RunningSandbox) -> SpecVersion:
    """The sandbox's spec, imported by URL as an admin does."""
    imported = spec_import(scope=admin.scope, name="Sandbox API", url=sandbox.url + "/openapi.json")
    return imported.version
