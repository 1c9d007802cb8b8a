"""The client secret is write-only: typed once, stored encrypted, never shown or stored in clear.

An Application Access is created the way an admin does it (POST to vault:access_new),
then every page that shows it is read, every table of the database is read through a
cursor, and on SQLite the database file itself, looking for the client ID and secret
in plain text. Editing with a blank secret keeps the stored one; typing a new one
replaces it and drops the cached tokens.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from console.sandbox.server import RunningSandbox
from console.teams.models import Team
from console.vault import crypto
from console.vault import services as vault
from console.vault.models import ApplicationAccess, CachedToken, Environment
from tests.conftest import SANDBOX_CLIENT_ID, SANDBOX_SECRET, Person

ACCESS_NAME = "Write-only check access"
NEW_SECRET = "a-brand-new-secret-Hq4wN7pLx2"


# ---------------------------------------------------------------- set-up


@pytest.fixture
def environment(admin: Person, sandbox: RunningSandbox) -> Environment:
    return vault.environment_save(
        scope=admin.scope, environment=Environment(name="Sandbox", base_url=sandbox.url)
    )


def _create_through_view(client: Client, team: Team, environment: Environment) -> Any:
    return client.post(
        reverse("vault:access_new", args=[team.slug]),
        {
            "name": ACCESS_NAME,
            "environment": environment.pk,
            "client_id": SANDBOX_CLIENT_ID,
            "client_secret": SANDBOX_SECRET,
        },
    )


@pytest.fixture
def created(admin: Person, team: Team, environment: Environment) -> ApplicationAccess:
    """An Application Access for the sandbox, created through the view by an admin."""
    response = _create_through_view(admin.client(), team, environment)
    access = ApplicationAccess.objects.get(team=team, name=ACCESS_NAME)
    assert response.status_code == 302
    assert response.url == reverse("vault:access", args=[team.slug, access.pk])
    return access


def _page(client: Client, url: str, method: str = "get", data: Any = None) -> str:
    response = getattr(client, method)(url, data or {})
    assert response.status_code == 200, url
    return response.content.decode()


def _assert_no_credentials(page: str) -> None:
    assert SANDBOX_SECRET not in page
    assert SANDBOX_CLIENT_ID not in page


def _password_input(page: str) -> str:
    inputs = re.findall(r"<input\b[^>]*\bname=\"client_secret\"[^>]*>", page)
    assert len(inputs) == 1, inputs
    return inputs[0]


def _access_test(client: Client, team: Team, access: ApplicationAccess) -> str:
    return _page(client, reverse("vault:access_test", args=[team.slug, access.pk]), "post")


# ---------------------------------------------------------------- pages


def test_the_secret_is_on_no_page(created, team, admin, member, viewer):
    pages = {
        "settings": reverse("teams:settings", args=[team.slug]),
        "detail": reverse("vault:access", args=[team.slug, created.pk]),
        "edit": reverse("vault:access_edit", args=[team.slug, created.pk]),
        "history": reverse("history:list", args=[team.slug]),
    }
    for person in (admin, member, viewer):
        client = person.client()
        for name, url in pages.items():
            if name == "edit" and person is not admin:
                continue
            _assert_no_credentials(_page(client, url))
    # The connection test fetches a token with the secret and does not show it.
    page = _access_test(admin.client(), team, created)
    assert "Valid" in page
    assert SANDBOX_SECRET not in page
    # Nor does any page reached afterwards (events list the fetch and the test).
    for url in pages.values():
        _assert_no_credentials(_page(admin.client(), url))


def test_the_connection_check_masks_the_client_id(created, team, member):
    page = _access_test(member.client(), team, created)
    assert "Valid" in page
    assert SANDBOX_CLIENT_ID not in page


def test_the_edit_forms_secret_field_renders_empty(created, team, admin):
    page = _page(admin.client(), reverse("vault:access_edit", args=[team.slug, created.pk]))
    field = _password_input(page)
    assert 'type="password"' in field
    assert "value=" not in field
    _assert_no_credentials(page)


def test_a_refused_form_does_not_echo_the_secret(team, admin, environment):
    """A create form sent back with an error keeps the secret field empty."""
    response = admin.client().post(
        reverse("vault:access_new", args=[team.slug]),
        {
            "name": "",
            "environment": environment.pk,
            "client_id": SANDBOX_CLIENT_ID,
            "client_secret": SANDBOX_SECRET,
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert SANDBOX_SECRET not in page
    assert "value=" not in _password_input(page)
    assert not ApplicationAccess.objects.exists()


def test_the_masked_client_id_shows_only_the_last_four_characters(created, team, admin):
    assert created.masked_client_id == "••••" + SANDBOX_CLIENT_ID[-4:]
    assert created.client_id_hint == SANDBOX_CLIENT_ID[-4:]
    client = admin.client()
    for url in (
        reverse("teams:settings", args=[team.slug]),
        reverse("vault:access", args=[team.slug, created.pk]),
        reverse("vault:access_edit", args=[team.slug, created.pk]),
    ):
        page = _page(client, url)
        assert "••••0001" in page, url
        # Nothing before the last four characters shows up anywhere.
        assert SANDBOX_CLIENT_ID[:-4] not in page, url


# ---------------------------------------------------------------- storage


def _every_stored_value() -> str:
    """Every value of every table of the database, read through a cursor, as text."""
    parts: list[str] = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {quote(table)}")  # noqa: S608 - introspected names
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview):
                        value = value.tobytes()
                    if isinstance(value, bytes):
                        value = value.decode("latin-1")
                    parts.append(str(value))
    return "\n".join(parts)


def test_neither_client_id_nor_secret_is_stored_in_clear(created, team, admin):
    # A token fetch too: the cached token and the audit events must not hold them either.
    assert "Valid" in _access_test(admin.client(), team, created)
    quote = connection.ops.quote_name
    table = ApplicationAccess._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote('client_id_encrypted')}, {quote('client_secret_encrypted')}, "  # noqa: S608
            f"{quote('client_id_hint')} FROM {quote(table)} WHERE {quote('id')} = %s",
            [created.pk],
        )
        client_id_stored, secret_stored, hint = cursor.fetchone()
    assert SANDBOX_CLIENT_ID not in client_id_stored
    assert SANDBOX_SECRET not in secret_stored
    assert hint == "0001"
    assert crypto.decrypt(client_id_stored) == SANDBOX_CLIENT_ID
    assert crypto.decrypt(secret_stored) == SANDBOX_SECRET

    everything = _every_stored_value()
    assert ACCESS_NAME in everything  # the scan does see what was stored
    assert SANDBOX_SECRET not in everything
    assert SANDBOX_CLIENT_ID not in everything


def _file_bytes_from_another_process(*paths: Path) -> bytes:
    """Read files in a child process: closing any descriptor of the database file in this
    process would drop the POSIX locks that SQLite's open connections hold on it."""
    script = (
        "import sys, pathlib; sys.stdout.buffer.write(b''.join("
        "pathlib.Path(p).read_bytes() for p in sys.argv[1:] if pathlib.Path(p).is_file()))"
    )
    return subprocess.run(
        [sys.executable, "-c", script, *map(str, paths)], capture_output=True, check=True
    ).stdout


@pytest.mark.django_db(transaction=True)
def test_the_sqlite_file_holds_no_credentials(team, admin, environment):
    """Committed for real, checkpointed from the WAL, and read as bytes."""
    if connection.vendor != "sqlite":
        pytest.skip("reads the SQLite database file")
    response = _create_through_view(admin.client(), team, environment)
    assert response.status_code == 302
    access = ApplicationAccess.objects.get(name=ACCESS_NAME)
    assert "Valid" in _access_test(admin.client(), team, access)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(FULL)")
        busy, _, _ = cursor.fetchone()
    assert busy == 0
    path = Path(connection.settings_dict["NAME"])
    data = _file_bytes_from_another_process(path, Path(f"{path}-wal"))
    assert ACCESS_NAME.encode() in data  # what was stored did reach the file
    assert SANDBOX_SECRET.encode() not in data
    assert SANDBOX_CLIENT_ID.encode() not in data


# ---------------------------------------------------------------- editing


def _edit(client: Client, team: Team, access: ApplicationAccess, **fields: str) -> Any:
    data = {"name": access.name, "environment": access.environment_id, **fields}
    return client.post(reverse("vault:access_edit", args=[team.slug, access.pk]), data)


def test_editing_with_a_blank_secret_keeps_the_stored_one(created, team, admin, sandbox):
    stored_secret = created.client_secret_encrypted
    stored_id = created.client_id_encrypted
    response = _edit(
        admin.client(), team, created, name="Renamed access", client_id="", client_secret=""
    )
    assert response.status_code == 302
    created.refresh_from_db()
    assert created.name == "Renamed access"
    assert created.client_secret_encrypted == stored_secret
    assert created.client_id_encrypted == stored_id
    # A real token fetch with the kept credentials.
    CachedToken.objects.all().delete()
    before = sandbox.token_requests
    page = _access_test(admin.client(), team, created)
    assert "Valid" in page
    assert "fetched in" in page
    assert sandbox.token_requests == before + 1
    assert CachedToken.objects.filter(access=created).count() == 1


def test_editing_with_a_new_secret_replaces_it_and_drops_cached_tokens(
    created, team, admin, sandbox
):
    client = admin.client()
    assert "Valid" in _access_test(client, team, created)
    assert CachedToken.objects.filter(access=created).count() == 1
    old_updated_at = created.secret_updated_at

    response = _edit(client, team, created, client_secret=NEW_SECRET)
    assert response.status_code == 302
    created.refresh_from_db()
    assert crypto.decrypt(created.client_secret_encrypted) == NEW_SECRET
    assert crypto.decrypt(created.client_id_encrypted) == SANDBOX_CLIENT_ID
    assert created.secret_updated_at > old_updated_at
    assert not CachedToken.objects.filter(access=created).exists()

    # The sandbox does not know the new secret: the next test fetches and is refused.
    before = sandbox.token_requests
    page = _access_test(client, team, created)
    assert sandbox.token_requests == before + 1
    assert "No token" in page
    assert NEW_SECRET not in page
    for url in (
        reverse("vault:access", args=[team.slug, created.pk]),
        reverse("vault:access_edit", args=[team.slug, created.pk]),
    ):
        assert NEW_SECRET not in _page(client, url)

    # Typing the right secret again makes it work again.
    assert _edit(client, team, created, client_secret=SANDBOX_SECRET).status_code == 302
    assert "Valid" in _access_test(client, team, created)
