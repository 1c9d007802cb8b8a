"""Drop the history indexes no query uses: each one costs every Send an index insert.

Django gave every foreign key, and `created_at` (db_index=True), an index of its own. No
query needs these: `team` leads every composite index, and every query is a team's;
times are looked up by (team, -created_at, -id); nothing looks records up by `user` or
`operation` (the page filters by the names a record keeps, so (team, user, -id) is
unused too). `access` keeps its index: the Application Access page lists its recent
calls and events. See docs/benchmarks.md, "History at a million records".

The state changes are `db_index=False`; the database change is a plain DROP INDEX of
the indexes Django named. Left to AlterField, PostgreSQL would also drop and re-add the
team's foreign key constraint (checking every row, writes blocked meanwhile) and SQLite
would copy each table once per field.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

# Index name: (table, column), as Django created them (the same on SQLite and PostgreSQL).
DROPPED = {
    "history_callrecord_team_id_2d0ce270": ("history_callrecord", "team_id"),
    "history_callrecord_user_id_66b729fe": ("history_callrecord", "user_id"),
    "history_callrecord_operation_id_e0f520f5": ("history_callrecord", "operation_id"),
    "history_callrecord_created_at_c33e47b1": ("history_callrecord", "created_at"),
    "history_auditevent_team_id_75ed5bd7": ("history_auditevent", "team_id"),
    "history_auditevent_user_id_3c00287a": ("history_auditevent", "user_id"),
    "history_auditevent_created_at_24a8a7ad": ("history_auditevent", "created_at"),
}


def _by_value(to):
    return models.ForeignKey(
        db_constraint=False,
        db_index=False,
        null=True,
        on_delete=django.db.models.deletion.DO_NOTHING,
        related_name="+",
        to=to,
    )


def _team():
    return models.ForeignKey(
        db_index=False,
        on_delete=django.db.models.deletion.CASCADE,
        related_name="+",
        to="teams.team",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("history", "0008_callrecord_url_trigram_index"),
        ("specs", "0002_document_keeps_key_order"),
        ("teams", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(model_name="callrecord", name="history_team_user"),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    [f'DROP INDEX IF EXISTS "{name}"' for name in DROPPED],
                    [
                        f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}")'
                        for name, (table, column) in DROPPED.items()
                    ],
                    elidable=False,
                ),
            ],
            state_operations=[
                migrations.AlterField(model_name="callrecord", name="team", field=_team()),
                migrations.AlterField(
                    model_name="callrecord",
                    name="user",
                    field=_by_value(settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name="callrecord", name="operation", field=_by_value("specs.operation")
                ),
                migrations.AlterField(
                    model_name="callrecord",
                    name="created_at",
                    field=models.DateTimeField(default=django.utils.timezone.now),
                ),
                migrations.AlterField(model_name="auditevent", name="team", field=_team()),
                migrations.AlterField(
                    model_name="auditevent",
                    name="user",
                    field=_by_value(settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="created_at",
                    field=models.DateTimeField(auto_now_add=True),
                ),
            ],
        ),
    ]
