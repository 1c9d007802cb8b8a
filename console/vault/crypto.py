"""Encryption at rest for secrets: MultiFernet over CONSOLE_ENCRYPTION_KEYS.

The first key encrypts; every key decrypts, so a new key can be put in front and
old values re-encrypted (key rotation) before the old key is removed.
"""

from __future__ import annotations

import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class UndecryptableValue(Exception):
    """No configured key opens a stored value (a key was removed too early)."""


@functools.cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def fernet() -> MultiFernet:
    """The MultiFernet built from the configured keys (cached per key list)."""
    return _fernet(tuple(settings.CONSOLE_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    """Encrypt `plaintext` under the first configured key."""
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    """Decrypt a value stored by `encrypt`, or raise UndecryptableValue."""
    try:
        return fernet().decrypt(ciphertext.encode()).decode()
    except InvalidToken as exc:
        raise UndecryptableValue(
            "This value was encrypted with a key that is no longer in CONSOLE_ENCRYPTION_KEYS."
        ) from exc


def decrypt_or_none(ciphertext: str) -> str | None:
    """Decrypt, or None when no configured key opens the value (or it is empty)."""
    if not ciphertext:
        return None
    try:
        return decrypt(ciphertext)
    except UndecryptableValue:
        return None


def is_current(ciphertext: str) -> bool:
    """True when the first (current) key opens the value: rotation would change nothing."""
    first = Fernet(settings.CONSOLE_ENCRYPTION_KEYS[0].encode())
    try:
        first.decrypt(ciphertext.encode())
    except InvalidToken:
        return False
    return True


def rotate(ciphertext: str) -> str:
    """Re-encrypt a stored value under the first configured key."""
    try:
        return fernet().rotate(ciphertext.encode()).decode()
    except InvalidToken as exc:
        raise UndecryptableValue("No configured key opens this value.") from exc
