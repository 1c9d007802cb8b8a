"""The authentication backend: Django's ModelBackend, with the per-request user read
written once.

Signing in, passwords and permissions are Django's. `get_user`, which runs on every
signed-in request, reads the user with a `RowReader` statement instead of a queryset
compiled per request, and refuses inactive users as ModelBackend does.
"""

from __future__ import annotations

import functools
from typing import Any

from django.contrib.auth import backends, get_user_model
from django.contrib.auth.base_user import AbstractBaseUser

from console.core.rows import RowReader, db_value
from console.core.sql import quoted


@functools.cache
def _user_reader() -> tuple[RowReader, str]:
    user_model = get_user_model()
    reader = RowReader((user_model, "u"))
    table, pk = quoted(user_model, user_model._meta.pk.name)
    sql = f'SELECT {reader.columns} FROM {table} AS "u" WHERE "u".{pk} = %s'  # noqa: S608
    return reader, sql


class ModelBackend(backends.ModelBackend):
    """Django's ModelBackend with a cheaper `get_user`."""

    def get_user(self, user_id: Any) -> AbstractBaseUser | None:
        """The active user with `user_id`, or None (as ModelBackend.get_user)."""
        reader, sql = _user_reader()
        try:
            pk = db_value(get_user_model()._meta.pk, user_id)
        except ValueError:
            return None
        row = reader.one(sql, [pk])
        if row is None:
            return None
        user = row[0]
        return user if self.user_can_authenticate(user) else None
