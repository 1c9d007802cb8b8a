"""On PostgreSQL, refuse UPDATE and DELETE on call records outside the retention command."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION history_callrecord_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('console.history_prune', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'history_callrecord is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS history_callrecord_append_only ON history_callrecord;
CREATE TRIGGER history_callrecord_append_only
    BEFORE UPDATE OR DELETE ON history_callrecord
    FOR EACH ROW EXECUTE FUNCTION history_callrecord_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS history_callrecord_append_only ON history_callrecord;
DROP FUNCTION IF EXISTS history_callrecord_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("history", "0003_chain")]

    operations = [migrations.RunPython(forwards, backwards)]
