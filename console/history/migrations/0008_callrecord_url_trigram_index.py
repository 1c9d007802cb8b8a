"""On PostgreSQL, a trigram index for the history's "text in the URL" filter.

The filter is `UPPER(url) LIKE UPPER('%text%')` (see `selectors.url_contains`); without
an index a text that few URLs contain costs a scan of the team's whole history (0.7 s
at a million records). A GIN index of the trigrams of UPPER(url) (extension pg_trgm)
finds them in milliseconds. See docs/benchmarks.md, "History at a million records".

Built CONCURRENTLY, so the console keeps recording calls meanwhile (20 s and 79 MB at
1.1 million records); that cannot run in a transaction, hence `atomic = False`. Without
pg_trgm (not installed, or no right to create it) the migration prints a warning and
skips the index: the filter still works, a rare text is only slower. On other
databases it does nothing. The index is not declared on the model (SQLite has no such
index), so the migration state does not know it; this migration alone owns it.
"""

import sys

from django.db import DatabaseError, migrations, transaction

INDEX = "history_callrecord_url_trgm"


def _trigram_opclass(cursor) -> str | None:
    """The schema-qualified name of pg_trgm's GIN operator class, if it is installed."""
    cursor.execute(
        "SELECT quote_ident(n.nspname) || '.gin_trgm_ops' FROM pg_opclass c"
        " JOIN pg_namespace n ON n.oid = c.opcnamespace JOIN pg_am a ON a.oid = c.opcmethod"
        " WHERE c.opcname = 'gin_trgm_ops' AND a.amname = 'gin'"
    )
    row = cursor.fetchone()
    return row[0] if row else None


def create_index(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        problem = ""
        try:
            # pg_trgm is a trusted extension: the database's owner, or anyone with CREATE
            # on it, may create it. In a transaction of its own, so a refusal ends cleanly.
            with transaction.atomic(using=connection.alias):
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except DatabaseError as exc:
            problem = str(exc).strip().splitlines()[0]
        opclass = _trigram_opclass(cursor)  # it may live in another schema
        if opclass is None:
            sys.stderr.write(
                f"\nWARNING: no trigram index for the history's URL search: extension "
                f"pg_trgm could not be created ({problem or 'not found'}). Search still "
                f"works, but a rare text reads the whole history. To add the index later, "
                f"as a superuser: CREATE EXTENSION pg_trgm; then, as the console's role: "
                f"CREATE INDEX CONCURRENTLY {INDEX} ON history_callrecord USING gin "
                f"(upper(url) gin_trgm_ops);\n"
            )
            return
        # A concurrent build that was interrupted leaves an INVALID index behind, which
        # IF NOT EXISTS would take for done: drop it and build again.
        cursor.execute(
            "SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass(%s)", [INDEX]
        )
        row = cursor.fetchone()
        if row is not None and not row[0]:
            cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")
        cursor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON history_callrecord"
            f" USING gin (upper(url) {opclass})"
        )


def drop_index(apps, schema_editor):
    # The extension stays: other objects may use it, and dropping it needs more rights.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}", params=None)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("history", "0007_history_name_indexes")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
