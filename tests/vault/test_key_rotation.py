"""Key rotation end to end: encrypt under A, rotate to B, remove A, calls still work."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command

from console.vault import crypto, services
from console.vault.models import ApplicationAccess, CachedToken
from console.vault.token_store import clear_token_memo
from tests.conftest import SANDBOX_SECRET


def test_rotate_then_remove_the_old_key(access, settings, capsys):
    key_a = settings.CONSOLE_ENCRYPTION_KEYS[0]
    key_b = Fernet.generate_key().decode()
    first = services.access_token(access)  # caches a token encrypted under A
    assert CachedToken.objects.filter(access=access).exists()

    settings.CONSOLE_ENCRYPTION_KEYS = [key_b, key_a]
    call_command("rotate_encryption_keys")
    assert "Re-encrypted 3 value(s)" in capsys.readouterr().out

    call_command("rotate_encryption_keys")  # a second run finds nothing to do
    assert "Re-encrypted 0 value(s); 3 already" in capsys.readouterr().out

    settings.CONSOLE_ENCRYPTION_KEYS = [key_b]
    fresh = ApplicationAccess.objects.get(pk=access.pk)
    assert crypto.decrypt(fresh.client_secret_encrypted) == SANDBOX_SECRET
    clear_token_memo()  # as in a process started after the rotation: from the database
    token = services.access_token(fresh)  # the cached token opens under B alone
    assert token.access_token == first.access_token  # reused, not fetched again
    stored = CachedToken.objects.get(access=access).token_encrypted
    assert crypto.decrypt(stored) == first.access_token


def test_a_value_no_key_opens_is_reported(access, settings):
    settings.CONSOLE_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(CommandError, match="could not be decrypted"):
        call_command("rotate_encryption_keys")
