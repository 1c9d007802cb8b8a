"""The console's session rows: Django's database sessions plus the signed-in user's id."""

from __future__ import annotations

from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models


class Session(AbstractBaseSession):
    """A Django session that also records whose it is (None before signing in).

    `user_id` lets one statement read the session and its user (see
    `console.core.sessions`); the session's own data still decides who is signed in,
    and Django's checks (the user's session hash, an active account) still run.
    """

    user_id = models.BigIntegerField(null=True)

    class Meta(AbstractBaseSession.Meta):
        db_table = "core_session"

    @classmethod
    def get_session_store_class(cls) -> type:
        """The store that reads and writes these rows."""
        from console.core.sessions import SessionStore

        return SessionStore
