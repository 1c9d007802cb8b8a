"""Hot-path reads: SQL written once per process, rows turned into model instances.

Django compiles a queryset to SQL afresh on every call, 0.2-0.6 ms of Python per query on
this project's machines: more than PostgreSQL takes to answer it. The few reads that every
request makes (its session, its user, the member's team, the Send's Application Access)
use a `RowReader` instead: the column list is built once from the models' metadata, the
statement once per process, and each row becomes instances the way the ORM makes them
(`Model.from_db`, after the fields' database converters), so the instances behave exactly
like the ORM's. Everything else goes through the ORM.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cached_property
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models

Converter = Callable[[Any, Any, Any], Any]


class RowReader:
    """Reads one row of one or more joined tables, each under its own alias, as instances.

    `columns` is the SELECT list for the tables in order; a statement may add expressions
    after it, which `one` returns after the instances as they come from the database.
    """

    def __init__(self, *tables: tuple[type[models.Model], str]) -> None:
        self._tables = tables

    @cached_property
    def _layout(self) -> list[tuple[type[models.Model], list[str], int, int]]:
        # Each table's model, attribute names and slice of the row.
        layout, start = [], 0
        for model, _alias in self._tables:
            names = [field.attname for field in model._meta.concrete_fields]
            layout.append((model, names, start, start + len(names)))
            start += len(names)
        return layout

    @cached_property
    def columns(self) -> str:
        """The quoted, alias-qualified columns of every table, in the tables' order."""
        quote = connection.ops.quote_name
        return ", ".join(
            f"{quote(alias)}.{quote(field.column)}"
            for model, alias in self._tables
            for field in model._meta.concrete_fields
        )

    @cached_property
    def _converters(self) -> list[tuple[int, Converter, Any]]:
        # As the ORM's compiler: for each column that has any, the backend's converters,
        # then the field's, in order. The database's settings are the same for every
        # connection of a process, so they are found once.
        converters = []
        fields = [(f, alias) for model, alias in self._tables for f in model._meta.concrete_fields]
        for index, (field, alias) in enumerate(fields):
            column = field.get_col(alias)
            for function in (
                *connection.ops.get_db_converters(column),
                *column.get_db_converters(connection),
            ):
                converters.append((index, function, column))
        return converters

    def one(self, sql: str, params: Sequence[Any]) -> list[Any] | None:
        """Run `sql`; its first row as one instance per table, then any further columns
        as they are, or None when there is no row."""
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        values = list(row)
        for index, function, column in self._converters:
            values[index] = function(values[index], column, connection)
        result: list[Any] = [
            model.from_db(connection.alias, names, values[start:end])
            for model, names, start, end in self._layout
        ]
        result.extend(values[self._layout[-1][3] :])
        return result


def db_value(field: models.Field, value: Any) -> Any:
    """`value` (as a URL, a form or a session holds it) as the database takes it for
    `field`, e.g. "12" as 12 or a datetime as SQLite's text.

    Raises ValueError when no row can hold it (not a number, or outside the column's
    range), which the ORM would turn into "no such row" or an error of its own.
    """
    try:
        value = field.to_python(value)
    except ValidationError as exc:
        raise ValueError(f"Not a value for {field.name}.") from exc
    if isinstance(value, int) and not isinstance(value, bool):
        ranges = connection.ops.integer_field_ranges
        low, high = ranges.get(field.get_internal_type(), (None, None))
        if (low is not None and value < low) or (high is not None and value > high):
            raise ValueError(f"Out of range for {field.name}.")
    return field.get_db_prep_value(value, connection, prepared=False)
