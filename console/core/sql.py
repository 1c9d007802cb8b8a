"""Names for the few statements the console writes out by hand instead of using the ORM."""

from __future__ import annotations

from django.db import connection, models


def quoted(model: type[models.Model], *fields: str) -> list[str]:
    """The quoted table name of `model`, then the quoted columns of `fields`, for SQL text."""
    quote = connection.ops.quote_name
    return [quote(model._meta.db_table)] + [
        quote(model._meta.get_field(name).column) for name in fields
    ]
