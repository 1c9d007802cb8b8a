"""A Send costs a fixed, small number of database statements.

Each statement is a round trip (on PostgreSQL about 0.3 ms on the same host), which is
a large part of what the console adds to a call (see docs/benchmarks.md, "Proxy
overhead"). This pins the count, so that a change that adds a query to every Send is
seen here and not only in the bench.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from console.history.models import CallRecord
from tests.explorer.support import send

pytestmark = pytest.mark.django_db(transaction=True)

# One read for the session, its user and their membership of the team; the access (with
# its environment, and whether the operation, read once per process, still exists); the
# token comes from the process's memo (no query); then the history record: on
# PostgreSQL one statement in autocommit (advance the chain's head, hash, insert, close
# the head), elsewhere three in a transaction.
MAX_STATEMENTS_POSTGRESQL = 3
MAX_STATEMENTS_ELSEWHERE = 5


def _statements(queries: list[dict[str, str]]) -> list[str]:
    """The SQL that did work, without the transaction bookkeeping."""
    bookkeeping = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK")
    return [q["sql"] for q in queries if not q["sql"].upper().startswith(bookkeeping)]


def _commits(queries: list[dict[str, str]]) -> int:
    return sum(1 for q in queries if q["sql"].upper().startswith("COMMIT"))


def test_a_warm_send_makes_few_statements_and_no_transaction_of_its_own(
    member, sandbox_access, sandbox_op
):
    client = member.client()
    operation = sandbox_op("listMeterTypes")
    first = send(client, operation, sandbox_access, {"query:limit": "5"}, htmx=True)
    assert first.status_code == 200  # caches the token and the session's choice

    with CaptureQueriesContext(connection) as captured:
        response = send(client, operation, sandbox_access, {"query:limit": "5"}, htmx=True)

    assert response.status_code == 200
    assert CallRecord.objects.filter(team=member.scope.team).count() == 2
    statements = _statements(captured.captured_queries)
    listing = "\n".join(statements)
    postgresql = connection.vendor == "postgresql"
    limit = MAX_STATEMENTS_POSTGRESQL if postgresql else MAX_STATEMENTS_ELSEWHERE
    assert len(statements) <= limit, f"{len(statements)} statements:\n{listing}"
    if postgresql:
        # Each statement commits on its own: no BEGIN and COMMIT round trips. (SQLite's
        # commits are not logged as statements; PostgreSQL's are.)
        assert _commits(captured.captured_queries) == 0, listing


def test_a_send_reads_no_history_rows(member, sandbox_access, sandbox_op):
    """Appending reads only the chain's head, never earlier records (a table scan at scale)."""
    client = member.client()
    operation = sandbox_op("listMeterTypes")
    send(client, operation, sandbox_access, htmx=True)

    with CaptureQueriesContext(connection) as captured:
        send(client, operation, sandbox_access, htmx=True)

    table = CallRecord._meta.db_table
    reads = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith("SELECT") and table in q["sql"]
    ]
    assert reads == []
