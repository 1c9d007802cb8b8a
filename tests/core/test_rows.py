"""`RowReader` (the hot-path reads written once per process) builds the same instances
the ORM does, field by field, on either database; `db_value` refuses what no row holds."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from console.core.rows import RowReader, db_value
from console.core.sql import quoted
from console.vault.models import ApplicationAccess, Environment
from console.vault.services import access_create, environment_save

pytestmark = pytest.mark.django_db


def _fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


@pytest.fixture
def access(admin):
    env = environment_save(
        scope=admin.scope,
        environment=Environment(
            name="Prod", base_url="https://api.example.test/", is_production=True
        ),
    )
    created = access_create(
        scope=admin.scope,
        name="Écoute ✓",
        environment=env,
        client_id="cid-1234",
        client_secret="s3cret-value",
    )
    ApplicationAccess.objects.filter(pk=created.pk).update(
        is_enabled=False, secret_updated_at=timezone.now() - dt.timedelta(days=3)
    )
    return created


def _reader_sql(reader: RowReader, extra: str = "") -> str:
    accesses, a_id, a_env = quoted(ApplicationAccess, "id", "environment")
    environments, e_id = quoted(Environment, "id")
    return (
        f'SELECT {reader.columns}{extra} FROM {accesses} AS "a" '  # noqa: S608
        f'JOIN {environments} AS "e" ON "e".{e_id} = "a".{a_env} WHERE "a".{a_id} = %s'
    )


def test_the_instances_equal_the_orms_field_by_field(access):
    reader = RowReader((ApplicationAccess, "a"), (Environment, "e"))
    got_access, got_env = reader.one(_reader_sql(reader), [access.pk])
    orm = ApplicationAccess.objects.select_related("environment").get(pk=access.pk)

    assert _fields(got_access) == _fields(orm)
    assert _fields(got_env) == _fields(orm.environment)
    # Converted as the ORM converts: aware datetimes, real booleans, a None that stays None.
    assert got_access.created_at.tzinfo is not None
    assert got_access.is_enabled is False
    assert got_env.is_production is True
    assert got_access.name == "Écoute ✓"
    # Instances as loaded from the database: saving updates, it does not insert.
    assert got_access._state.adding is False
    assert got_access._state.db == connection.alias


def test_columns_after_the_tables_come_back_as_they_are(access):
    reader = RowReader((ApplicationAccess, "a"), (Environment, "e"))
    row = reader.one(_reader_sql(reader, ", 40 + 2"), [access.pk])
    assert len(row) == 3
    assert row[2] == 42


def test_no_row_is_none(access):
    reader = RowReader((ApplicationAccess, "a"), (Environment, "e"))
    assert reader.one(_reader_sql(reader), [access.pk + 1000]) is None


@pytest.mark.parametrize(
    "value", ["abc", "1.5", "", "99999999999999999999", "-99999999999999999999"]
)
def test_db_value_refuses_what_no_row_can_hold(value):
    with pytest.raises(ValueError, match="for id"):
        db_value(ApplicationAccess._meta.pk, value)


def test_db_value_takes_numbers_as_text_and_datetimes_as_the_database_does():
    assert db_value(ApplicationAccess._meta.pk, "12") == 12
    moment = timezone.now()
    stored = db_value(ApplicationAccess._meta.get_field("created_at"), moment)
    if connection.vendor == "sqlite":
        assert isinstance(stored, str)  # SQLite keeps UTC text
        assert stored.startswith(moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"))
    else:
        assert stored == moment
