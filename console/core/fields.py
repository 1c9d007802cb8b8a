"""Model fields of our own."""

from __future__ import annotations

import json
from typing import Any

from django.db import models


class OrderedJSONField(models.TextField):
    """JSON kept as text, so objects keep their key order on every database.

    PostgreSQL's jsonb (behind Django's JSONField) reorders object keys; an OpenAPI
    document's property and parameter order is what people see as form order.
    """

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        """Parse what the database holds."""
        return None if value is None else json.loads(value)

    def to_python(self, value: Any) -> Any:
        """Accept parsed values as they are, and JSON text by parsing it."""
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value

    def get_prep_value(self, value: Any) -> str | None:
        """Serialise for storage (compact, key order kept)."""
        if value is None:
            return None
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def value_to_string(self, obj: models.Model) -> str:
        """Serialise for dumpdata."""
        return self.get_prep_value(self.value_from_object(obj)) or ""
