"""Postman environment files read into plain data (no Django).

Postman writes an environment as ``{"id", "name", "values": [{"key", "value", "type",
"enabled"}], "_postman_variable_scope": "environment", …}``; ``type`` is ``"default"``
(older exports ``"text"``) or ``"secret"``. Globals exports have the same shape with
``"_postman_variable_scope": "globals"``.

Values whose names look like an OAuth client ID or client secret are set apart
(`Environment.credentials`): the console offers them as an Application Access, never
as variables.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from console.postman.collection import PostmanError, clean_document, read_json_document, unstorable

MAX_VALUES = 2000
# client_id, clientId, client-id, CLIENT_ID, oauthClientId, ue_client_secret, clientSecret …
_CLIENT_ID = re.compile(r"client[_\-\s]?id$", re.IGNORECASE)
_CLIENT_SECRET = re.compile(r"client[_\-\s]?secret$", re.IGNORECASE)


@dataclass(frozen=True)
class Value:
    """One environment value."""

    name: str
    value: str
    enabled: bool = True
    secret: bool = False


@dataclass
class Environment:
    """A Postman environment: its name and values, the credentials set apart."""

    name: str
    values: list[Value] = field(default_factory=list)
    client_id: Value | None = None
    client_secret: Value | None = None
    # Values left out while reading, with the reason: (name, reason).
    refused: list[tuple[str, str]] = field(default_factory=list)

    @property
    def credentials(self) -> list[Value]:
        """The values that look like a client ID or secret (not imported as variables)."""
        return [v for v in (self.client_id, self.client_secret) if v is not None]


def credential_kind(name: str) -> str:
    """ "client_id", "client_secret" or "" for a value's name."""
    key = name.strip()
    if _CLIENT_ID.search(key):
        return "client_id"
    if _CLIENT_SECRET.search(key):
        return "client_secret"
    return ""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def parse_environment(text: str | bytes) -> Environment:
    """A Postman environment from its JSON text; a PostmanError with a message otherwise."""
    data = read_json_document(text)
    if isinstance(data, dict) and isinstance(data.get("environment"), dict):
        data = data["environment"]  # the Postman API wraps it in {"environment": …}
    if not isinstance(data, dict) or not isinstance(data.get("values"), list):
        if isinstance(data, dict) and "item" in data:
            raise PostmanError(
                "This is a Postman collection, not an environment: import it as a collection."
            )
        raise PostmanError("The document is not a Postman environment (no values list).")
    if len(data["values"]) > MAX_VALUES:
        raise PostmanError(f"The environment has more than {MAX_VALUES} values.")
    name, _ = clean_document(_text(data.get("name")))
    env = Environment(name=name.strip()[:200] or "Postman environment")
    for entry in data["values"]:
        if not isinstance(entry, dict):
            continue
        name = _text(entry.get("key")).strip()
        if not name:
            continue
        # A value is a unit (a secret cut short is worse than none): refused, not cleaned.
        problem = unstorable(name) or unstorable(_text(entry.get("value")))
        if problem:
            shown, _ = clean_document(name[:200])
            env.refused.append(
                (shown, f"it holds {problem}, which cannot be stored: fix it in Postman")
            )
            continue
        value = Value(
            name=name[:200],
            value=_text(entry.get("value")),
            enabled=entry.get("enabled", True) is not False,
            secret=_text(entry.get("type")).lower() == "secret",
        )
        kind = credential_kind(name)
        # The first enabled one of each kind is the offer; further ones are left out too.
        if kind == "client_id":
            if env.client_id is None or (value.enabled and not env.client_id.enabled):
                env.client_id = value
            continue
        if kind == "client_secret":
            if env.client_secret is None or (value.enabled and not env.client_secret.enabled):
                env.client_secret = value
            continue
        env.values.append(value)
    return env
