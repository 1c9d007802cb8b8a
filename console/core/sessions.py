"""Django's database-backed sessions, with the read every request makes written once.

`SESSION_ENGINE = "console.core.sessions"`. The table, the cookie, expiry and every
write stay Django's (`django.contrib.sessions.backends.db`); only the lookup of the
request's session is a `RowReader` statement instead of a queryset compiled per request.
"""

from __future__ import annotations

import functools

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from console.core.rows import RowReader, db_value
from console.core.sql import quoted

_SESSION = RowReader((Session, "s"))


@functools.cache
def _session_sql() -> str:
    _table, key, expires = quoted(Session, "session_key", "expire_date")
    return (
        f'SELECT {_SESSION.columns} FROM {_table} AS "s" '  # noqa: S608 (names from the model)
        f'WHERE "s".{key} = %s AND "s".{expires} > %s'
    )


class SessionStore(db.SessionStore):
    """Django's database session store; `_get_session_from_db` keeps its behaviour."""

    def _get_session_from_db(self) -> Session | None:
        expire_date = Session._meta.get_field("expire_date")
        row = _SESSION.one(
            _session_sql(), [self.session_key, db_value(expire_date, timezone.now())]
        )
        if row is None:
            # As Django's: an unknown or expired key is dropped, and a new one is made
            # if the session is written.
            self._session_key = None
            return None
        return row[0]
