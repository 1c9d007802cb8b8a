"""Shared fixtures: one team with an owner, an admin, a member and a viewer; an outsider
who owns another team; the real sandbox on a free port; and credentials for it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from console.sandbox.config import SandboxClient, SandboxConfig
from console.sandbox.server import RunningSandbox, start_in_thread
from console.teams.models import Membership, Role, Team
from console.teams.scoping import TeamScope

SANDBOX_CLIENT_ID = "tests-client-0001"
SANDBOX_SECRET = "tests-secret-Zq8vX2mLr5TnW9yB"  # only ever used against the test sandbox


@dataclass
class Person:
    """A user and their membership of the fixture team (None for the outsider)."""

    user: object
    membership: Membership | None

    @property
    def scope(self) -> TeamScope:
        """The user's scope in the fixture team."""
        assert self.membership is not None
        return TeamScope(self.membership)

    def client(self) -> Client:
        """A test client signed in as this person."""
        c = Client()
        c.force_login(self.user)
        return c


def sign_in(client: Client, username: str, password: str) -> bool:
    """Sign in through the sign-in page, as a browser does (django-axes needs a request,
    so Django's `Client.login` cannot be used); True when it worked."""
    response = client.post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302 and "_auth_user_id" in client.session


def _person(username: str, team: Team | None, role: Role) -> Person:
    user = get_user_model().objects.create_user(username=username, password="pw-" + username)
    membership = Membership.objects.create(team=team, user=user, role=role) if team else None
    return Person(user, membership)


@pytest.fixture
def team(db: None) -> Team:
    """The team most tests act in."""
    return Team.objects.create(name="Metering", slug="metering")


@pytest.fixture
def other_team(db: None) -> Team:
    """A team nobody in `team` belongs to."""
    return Team.objects.create(name="Billing", slug="billing")


@pytest.fixture
def owner(team: Team) -> Person:
    return _person("olivia", team, Role.OWNER)


@pytest.fixture
def admin(team: Team) -> Person:
    return _person("adam", team, Role.ADMIN)


@pytest.fixture
def member(team: Team) -> Person:
    return _person("mia", team, Role.MEMBER)


@pytest.fixture
def viewer(team: Team) -> Person:
    return _person("victor", team, Role.VIEWER)


@pytest.fixture
def outsider(other_team: Team) -> Person:
    """Owner of another team: everything of `team` must be a 404 for them."""
    person = _person("oscar", None, Role.OWNER)
    person.membership = Membership.objects.create(
        team=other_team, user=person.user, role=Role.OWNER
    )
    return person


@pytest.fixture(scope="session")
def sandbox() -> Iterator[RunningSandbox]:
    """The built-in sandbox, really listening on 127.0.0.1 on a free port."""
    # A generous rate limit: many tests each fetch a first token within a second.
    config = SandboxConfig(
        clients=(SandboxClient(SANDBOX_CLIENT_ID, SANDBOX_SECRET),),
        rate_per_second=1000,
        burst=1000,
    )
    with start_in_thread(config) as running:
        yield running


@pytest.fixture(autouse=True)
def _fresh_document_cache() -> Iterator[None]:
    """Test databases reuse ids after each rollback; production ids never repeat."""
    from console.explorer.selectors import _operation_row
    from console.explorer.services import _document
    from console.specs.engine import fastcheck  # compiled checks keyed by version id

    _document.cache_clear()
    _operation_row.cache_clear()
    fastcheck.cache_clear()
    yield
    _document.cache_clear()
    _operation_row.cache_clear()
    fastcheck.cache_clear()


@pytest.fixture(autouse=True)
def _fresh_token_memo() -> Iterator[None]:
    """Each test starts with no token in the process memo, as with none in the database.

    Test databases reuse ids after each rollback, so a token one test left in the memo
    (of a server that is gone now) must never reach the next test.
    """
    from console.vault.token_store import clear_token_memo

    clear_token_memo()
    yield
    clear_token_memo()
