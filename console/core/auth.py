"""Authentication: Django's ModelBackend and AuthenticationMiddleware, with the user that
the session's read already brought (see `console.core.sessions`).

Signing in, passwords, permissions and the session's verification (the user's session
hash, with its fallbacks) are Django's: `get_user` below runs `django.contrib.auth.get_user`
unchanged. Only where the user row comes from differs: the backend takes it from the
request's session when that session named the same user, and reads it otherwise.
"""

from __future__ import annotations

import contextvars
import functools
from typing import Any

from django.contrib import auth
from django.contrib.auth import backends, get_user_model
from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from console.core.rows import RowReader, db_value
from console.core.sql import quoted

# The session of the request whose user is being resolved, only while `get_user` runs.
_session: contextvars.ContextVar[Any] = contextvars.ContextVar("console_auth_session")


@functools.cache
def _user_reader() -> tuple[RowReader, str]:
    user_model = get_user_model()
    reader = RowReader((user_model, "u"))
    table, pk = quoted(user_model, user_model._meta.pk.name)
    sql = f'SELECT {reader.columns} FROM {table} AS "u" WHERE "u".{pk} = %s'  # noqa: S608
    return reader, sql


class ModelBackend(backends.ModelBackend):
    """Django's ModelBackend; `get_user` takes the session's user when it has it."""

    def get_user(self, user_id: Any) -> AbstractBaseUser | None:
        """The active user with `user_id`, or None (as ModelBackend.get_user)."""
        user = getattr(_session.get(None), "prefetched_user", None)
        if user is None or user.pk != user_id:
            user = self._read(user_id)
        if user is None:
            return None
        return user if self.user_can_authenticate(user) else None

    @staticmethod
    def _read(user_id: Any) -> AbstractBaseUser | None:
        reader, sql = _user_reader()
        try:
            pk = db_value(get_user_model()._meta.pk, user_id)
        except ValueError:
            return None
        row = reader.one(sql, [pk])
        return row[0] if row else None


def get_user(request: HttpRequest) -> Any:
    """The request's user (AnonymousUser if none), once per request, as Django's
    middleware resolves it; the backend may use the user the session brought."""
    if not hasattr(request, "_cached_user"):
        token = _session.set(request.session)
        try:
            request._cached_user = auth.get_user(request)
        finally:
            _session.reset(token)
    return request._cached_user


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's AuthenticationMiddleware, resolving `request.user` with `get_user`."""

    def process_request(self, request: HttpRequest) -> None:
        """Set the lazy `request.user` (and Django's `request.auser`)."""
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: get_user(request))
