"""Django's database-backed sessions, read with their user and team place in one statement.

`SESSION_ENGINE = "console.core.sessions"`. Cookies, expiry, key cycling and every write
are Django's (`django.contrib.sessions.backends.db`), on the console's session model,
which also keeps the signed-in user's id. The read every request makes is one
`RowReader` statement that joins that user and, when the URL names a team
(`console.teams.middleware`), the user's membership of it. `console.core.auth` and
`console.teams.scoping` then take those rows instead of reading them again, each only
after checking they are the ones it would have read: Django's authentication still
decides, from the session's data, who is signed in.
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
from console.teams.models import Membership, Team


@functools.cache
def _session_reader() -> tuple[RowReader, str]:
    """The session (alive, by key), its user, the team with the slug given first, and
    the user's membership of it, each where there is one: LEFT JOINs."""
    user_model = get_user_model()
    reader = RowReader((Session, "s"), (user_model, "u"), (Team, "t"), (Membership, "m"))
    table, key, expires, user_id = quoted(Session, "session_key", "expire_date", "user_id")
    users, pk = quoted(user_model, user_model._meta.pk.name)
    teams, t_id, t_slug = quoted(Team, "id", "slug")
    memberships, m_team, m_user = quoted(Membership, "team", "user")
    sql = (
        f'SELECT {reader.columns} FROM {table} AS "s" '  # noqa: S608 (names from the models)
        f'LEFT JOIN {users} AS "u" ON "u".{pk} = "s".{user_id} '
        f'LEFT JOIN {teams} AS "t" ON "t".{t_slug} = %s '
        f'LEFT JOIN {memberships} AS "m" ON "m".{m_team} = "t".{t_id} AND "m".{m_user} = "u".{pk} '
        f'WHERE "s".{key} = %s AND "s".{expires} > %s'
    )
    return reader, sql


def _found(instance: Any) -> Any:
    """A LEFT JOIN's instance, or None where it matched no row (all its columns NULL)."""
    return instance if instance.pk is not None else None


class SessionStore(db.SessionStore):
    """Django's database session store on `console.core.models.Session`.

    Set `team_slug` before the session is first read (`console.teams.middleware` does,
    from the URL) to have the read also bring that team's membership. After a read,
    `prefetched_user` is the user the row names and `prefetched_membership` that user's
    membership of the team, with its team loaded (each None if there is none).
    """

    team_slug: str | None = None
    prefetched_user: Any = None
    prefetched_membership: Membership | None = None

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
        now = db_value(expire_date, timezone.now())
        row = reader.one(sql, [self.team_slug, self.session_key, now])
        if row is None:
            # As Django's: an unknown or expired key is dropped, and a new one is made
            # if the session is written.
            self._session_key = None
            self.prefetched_user = self.prefetched_membership = None
            return None
        session, user, team, membership = row
        self.prefetched_user = _found(user)
        self.prefetched_membership = _found(membership)
        if self.prefetched_membership is not None:
            self.prefetched_membership.team = team
        return session


def end_sessions(user: Any, *, keep: str | None = None) -> int:
    """Delete the user's sessions (every device they are signed in on) but the one with
    the key `keep`; returns how many ended. Their next request there is anonymous."""
    sessions = Session.objects.filter(user_id=user.pk)
    if keep:
        sessions = sessions.exclude(session_key=keep)
    ended, _ = sessions.delete()
    return ended
