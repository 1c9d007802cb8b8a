"""Fixture documents for the engine tests (no Django, no database)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from console.specs.engine.loading import load_document

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_bytes(name: str) -> bytes:
    """The raw bytes of a file in fixtures/."""
    return (FIXTURES / name).read_bytes()


def load_fixture(name: str) -> dict[str, Any]:
    """A fixture document loaded as the console loads uploads."""
    return load_document(fixture_bytes(name), filename=name)


@pytest.fixture
def load() -> Callable[[str], dict[str, Any]]:
    """Load a fixture document by file name."""
    return load_fixture


@pytest.fixture(scope="session")
def petstore() -> dict[str, Any]:
    return load_fixture("petstore-3.0.json")


@pytest.fixture(scope="session")
def meters() -> dict[str, Any]:
    return load_fixture("meters-3.1.yaml")


@pytest.fixture(scope="session")
def swagger() -> dict[str, Any]:
    return load_fixture("swagger-2.0.json")


@pytest.fixture(scope="session")
def circular() -> dict[str, Any]:
    return load_fixture("circular-3.0.json")


@pytest.fixture(scope="session")
def problems() -> dict[str, Any]:
    return load_fixture("problems-3.0.yaml")


@pytest.fixture(scope="session")
def external() -> dict[str, Any]:
    return load_fixture("external-ref-3.0.yaml")
