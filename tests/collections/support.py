"""Helpers for the collection tests: saved requests of the sandbox's meter-type
operations, made the way the operation page saves them."""

from __future__ import annotations

import json
import uuid

from console.explorer.reopen import FormState
from console.saved.models import SavedRequest
from console.saved.services import saved_create
from console.teams.scoping import TeamScope


def meter_type_body(name: str | None = None) -> str:
    """A createMeterType body with a fresh name (the session sandbox keeps what tests make)."""
    name = name or f"Run {uuid.uuid4().hex[:8]}"
    return json.dumps({"name": name, "unit": "requests", "aggregation": {"type": "increment"}})


def saved(scope: TeamScope, operation, name: str, values=None, body=None) -> SavedRequest:
    """Save `operation`'s form with `values` and `body` as `name`."""
    state = FormState(values=values or {}, body=body)
    return saved_create(scope=scope, operation=operation, name=name, state=state)
