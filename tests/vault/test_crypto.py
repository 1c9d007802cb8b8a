"""Encryption at rest: MultiFernet over CONSOLE_ENCRYPTION_KEYS, newest key first."""

from __future__ import annotations

import html

import pytest
from cryptography.fernet import Fernet
from django.urls import reverse

from console.history.models import CallRecord
from console.sandbox.server import RunningSandbox
from console.specs.models import Operation
from console.specs.services import spec_import
from console.vault import crypto
from console.vault import services as vault
from console.vault.models import ApplicationAccess, Environment
from tests.conftest import SANDBOX_CLIENT_ID, SANDBOX_SECRET, Person

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()
STRANGER_KEY = Fernet.generate_key().decode()


# ---------------------------------------------------------------- the functions


@pytest.mark.parametrize(
    "plaintext",
    [
        pytest.param("s3cr3t-Zq8vX2mLr5", id="ascii"),
        pytest.param("", id="empty"),
        pytest.param("påsswörd 🔑 with spaces", id="unicode"),
        pytest.param("x" * 5000, id="long"),
    ],
)
def test_round_trip(plaintext):
    token = crypto.encrypt(plaintext)
    assert isinstance(token, str)
    assert plaintext not in token or plaintext == ""
    assert crypto.decrypt(token) == plaintext


def test_the_same_value_encrypts_differently_each_time():
    assert crypto.encrypt("same") != crypto.encrypt("same")


def test_the_first_key_encrypts_and_every_key_decrypts(settings):
    settings.CONSOLE_ENCRYPTION_KEYS = [OLD_KEY]
    under_old = crypto.encrypt("made with the old key")

    settings.CONSOLE_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    assert crypto.decrypt(under_old) == "made with the old key"
    under_new = crypto.encrypt("made with the new key")
    # The new key encrypts: the new key alone opens it, the old key alone does not.
    assert Fernet(NEW_KEY.encode()).decrypt(under_new.encode()) == b"made with the new key"
    settings.CONSOLE_ENCRYPTION_KEYS = [OLD_KEY]
    with pytest.raises(crypto.UndecryptableValue):
        crypto.decrypt(under_new)


def test_rotation_moves_a_value_to_the_first_key(settings):
    settings.CONSOLE_ENCRYPTION_KEYS = [OLD_KEY]
    under_old = crypto.encrypt("rotate me")
    settings.CONSOLE_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    rotated = crypto.rotate(under_old)
    assert rotated != under_old
    settings.CONSOLE_ENCRYPTION_KEYS = [NEW_KEY]  # the old key is removed after rotating
    assert crypto.decrypt(rotated) == "rotate me"


@pytest.mark.parametrize(
    "ciphertext",
    [
        pytest.param(None, id="another-key"),
        pytest.param("not a fernet token", id="garbage"),
        pytest.param("", id="empty"),
    ],
)
def test_a_value_no_key_opens_raises_a_clear_error(settings, ciphertext):
    if ciphertext is None:
        settings.CONSOLE_ENCRYPTION_KEYS = [STRANGER_KEY]
        ciphertext = crypto.encrypt("locked away")
        settings.CONSOLE_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    with pytest.raises(crypto.UndecryptableValue) as caught:
        crypto.decrypt(ciphertext)
    assert "no longer in CONSOLE_ENCRYPTION_KEYS" in str(caught.value)
    assert crypto.decrypt_or_none(ciphertext) is None
    with pytest.raises(crypto.UndecryptableValue, match="No configured key opens this value"):
        crypto.rotate(ciphertext)


def test_a_tampered_value_is_refused(settings):
    token = crypto.encrypt("integrity matters")
    tampered = token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB")
    with pytest.raises(crypto.UndecryptableValue):
        crypto.decrypt(tampered)


# ---------------------------------------------------------------- an access no key opens


@pytest.fixture
def locked_access(admin: Person, sandbox: RunningSandbox, settings) -> ApplicationAccess:
    """An access stored under a key that is then removed from the configuration."""
    settings.CONSOLE_ENCRYPTION_KEYS = [OLD_KEY]
    env = vault.environment_save(
        scope=admin.scope, environment=Environment(name="Sandbox", base_url=sandbox.url)
    )
    access = vault.access_create(
        scope=admin.scope,
        name="Old key access",
        environment=env,
        client_id=SANDBOX_CLIENT_ID,
        client_secret=SANDBOX_SECRET,
    )
    settings.CONSOLE_ENCRYPTION_KEYS = [NEW_KEY]  # OLD_KEY removed too early
    return access


def _page(response) -> str:
    return html.unescape(response.content.decode())


def test_sending_with_an_undecryptable_access_gives_a_clear_error(
    locked_access, admin, member, team, sandbox
):
    imported = spec_import(scope=admin.scope, name="Sandbox API", url=sandbox.url + "/openapi.json")
    operation = Operation.objects.get(version=imported.version, operation_id="listMeterTypes")
    before = sandbox.token_requests

    response = member.client().post(
        reverse("explorer:send", args=[team.slug, operation.pk]), {"access": locked_access.pk}
    )

    assert response.status_code == 200
    page = _page(response)
    assert (
        "The credentials of 'Old key access' cannot be decrypted: the key they were "
        "encrypted with is no longer configured. Replace the client ID and secret."
    ) in page
    assert "Traceback" not in page
    assert sandbox.token_requests == before  # nothing was sent
    record = CallRecord.objects.get()
    assert record.status is None
    assert record.error_kind == "vault"
    assert "cannot be decrypted" in record.error_message


def test_testing_an_undecryptable_access_gives_a_clear_error(locked_access, member, team):
    url = reverse("vault:access_test", args=[team.slug, locked_access.pk])
    response = member.client().post(url)
    assert response.status_code == 200
    assert "cannot be decrypted" in _page(response)


def test_pages_of_an_undecryptable_access_still_open(locked_access, admin, team):
    client = admin.client()
    for url in (
        reverse("teams:settings", args=[team.slug]),
        reverse("vault:access", args=[team.slug, locked_access.pk]),
        reverse("vault:access_edit", args=[team.slug, locked_access.pk]),
    ):
        assert client.get(url).status_code == 200, url


def test_replacing_the_credentials_makes_it_usable_again(locked_access, admin, team):
    response = admin.client().post(
        reverse("vault:access_edit", args=[team.slug, locked_access.pk]),
        {
            "name": locked_access.name,
            "environment": locked_access.environment_id,
            "client_id": SANDBOX_CLIENT_ID,
            "client_secret": SANDBOX_SECRET,
        },
    )
    assert response.status_code == 302
    page = _page(
        admin.client().post(reverse("vault:access_test", args=[team.slug, locked_access.pk]))
    )
    assert "Valid" in page
