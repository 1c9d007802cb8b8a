"""Django's database-backed sessions, read together with their user in one statement.

`SESSION_ENGINE = "console.core.sessions"`. Cookies, expiry, key cycling and every write
are Django's (`django.contrib.sessions.backends.db`), on the console's session model,
which also keeps the signed-in user's id. The read every request makes is one
`RowReader` statement that joins that user, so `console.core.auth` needs no query of
its own; Django's authentication still decides, from the session's data, who is signed in.
"""

from __future__ import annotations

import functools
from typing import Any

from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.backends import db
from django.utils import timezone

from console.core.models import Session
from console.core.rows import RowReader, db_value
from console.core.sql import quoted


@functools.cache
def _session_reader() -> tuple[RowReader, str]:
    """The session (alive, by key) and its user, if it has one: LEFT JOIN."""
    user_model = get_user_model()
    reader = RowReader((Session, "s"), (user_model, "u"))
    table, key, expires, user_id = quoted(Session, "session_key", "expire_date", "user_id")
    users, pk = quoted(user_model, user_model._meta.pk.name)
    sql = (
        f'SELECT {reader.columns} FROM {table} AS "s" '  # noqa: S608 (names from the models)
        f'LEFT JOIN {users} AS "u" ON "u".{pk} = "s".{user_id} '
        f'WHERE "s".{key} = %s AND "s".{expires} > %s'
    )
    return reader, sql


class SessionStore(db.SessionStore):
    """Django's database session store on `console.core.models.Session`.

    After a load, `prefetched_user` is the user the row names (None if none or gone),
    for `console.core.auth.ModelBackend` to use instead of reading it again.
    """

    prefetched_user: Any = None

    @classmethod
    def get_model_class(cls) -> type[Session]:
        """The console's session model."""
        return Session

    def create_model_instance(self, data: dict[str, Any]) -> Session:
        """The row to save, with the signed-in user's id beside the encoded data."""
        row = super().create_model_instance(data)
        try:
            row.user_id = int(data[SESSION_KEY])
        except (KeyError, TypeError, ValueError):
            row.user_id = None
        return row

    def _get_session_from_db(self) -> Session | None:
        reader, sql = _session_reader()
        expire_date = Session._meta.get_field("expire_date")
        row = reader.one(sql, [self.session_key, db_value(expire_date, timezone.now())])
        if row is None:
            # As Django's: an unknown or expired key is dropped, and a new one is made
            # if the session is written.
            self._session_key = None
            self.prefetched_user = None
            return None
        session, user = row
        # A LEFT JOIN with no user gives a user of all NULLs.
        self.prefetched_user = user if user.pk is not None else None
        return session
