"""On PostgreSQL, refuse UPDATE and DELETE on team events, as on call records."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION history_teamevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'history_teamevent is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS history_teamevent_append_only ON history_teamevent;
CREATE TRIGGER history_teamevent_append_only
    BEFORE UPDATE OR DELETE ON history_teamevent
    FOR EACH ROW EXECUTE FUNCTION history_teamevent_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS history_teamevent_append_only ON history_teamevent;
DROP FUNCTION IF EXISTS history_teamevent_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("history", "0011_teamevent")]

    operations = [migrations.RunPython(forwards, backwards)]
