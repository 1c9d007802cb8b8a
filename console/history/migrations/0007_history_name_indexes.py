"""Indexes for the history filters by name (member, Application Access, environment),
and on PostgreSQL, statistics on UPPER(url) for the "text in the URL" filter.

The page filters by the names a record keeps, and `filter_choices` lists their distinct
values by walking these indexes. The statistics let the planner estimate how common a
searched text is (icontains is `UPPER(url) LIKE UPPER(...)`); without them it guesses
"rare", and a common text's first page costs 60-80 ms of JIT compilation and parallel
workers instead of 1 ms. See docs/benchmarks.md, "History at a million records".

On PostgreSQL, each index takes about 3 s per million records to build, blocking writes
to the table meanwhile.
"""

from django.db import migrations, models

STATISTICS = "history_callrecord_url_upper"


def create_statistics(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql" and connection.pg_version >= 140000:
        schema_editor.execute(
            f"CREATE STATISTICS IF NOT EXISTS {STATISTICS} ON (upper(url)) FROM history_callrecord",
            params=None,
        )


def drop_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {STATISTICS}", params=None)


class Migration(migrations.Migration):
    dependencies = [("history", "0006_callrecord_form_values")]

    operations = [
        migrations.AddIndex(
            model_name="callrecord",
            index=models.Index(fields=["team", "username", "-id"], name="history_team_username"),
        ),
        migrations.AddIndex(
            model_name="callrecord",
            index=models.Index(fields=["team", "access_name", "-id"], name="history_team_access"),
        ),
        migrations.AddIndex(
            model_name="callrecord",
            index=models.Index(
                fields=["team", "environment_name", "-id"], name="history_team_environment"
            ),
        ),
        migrations.RunPython(create_statistics, drop_statistics),
    ]
