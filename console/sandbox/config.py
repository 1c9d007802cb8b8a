"""Configuration of the sandbox: which clients may ask for tokens, and the knobs of the service.

Django-free on purpose: the sandbox runs as its own process (``manage.py sandbox`` or
``python -m console.sandbox``) and inside test threads, where no settings are loaded.
"""

from __future__ import annotations

import json
import math
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Every scope the sandbox knows, in the vendor's `verb:resource` form. The order is the
# order used in a token's space-separated `scope` claim.
ALL_SCOPES: tuple[str, ...] = (
    "read:meter_types",
    "create:meter_types",
    "update:meter_types",
    "delete:meter_types",
    "read:meters",
    "create:meters",
    "delete:meters",
    "read:streams",
    "run:streams",
)
READ_SCOPES: tuple[str, ...] = tuple(s for s in ALL_SCOPES if s.startswith("read:"))

SCOPE_DESCRIPTIONS: dict[str, str] = {
    "read:meter_types": "List and read meter types",
    "create:meter_types": "Create meter types",
    "update:meter_types": "Update meter types",
    "delete:meter_types": "Delete meter types",
    "read:meters": "List and read the meters of a meter type",
    "create:meters": "Create meters",
    "delete:meters": "Delete meters",
    "read:streams": "List and read streams and their executions",
    "run:streams": "Start stream runs",
}

DEFAULT_ISSUER = "https://auth.sandbox.local/"
# A fixed account keeps seeded ids (derived from it) stable across restarts.
DEFAULT_ACCOUNT_ID = "3f6c1a52-9b7e-4d21-8c0a-5e4b2d1f7a90"
MAX_BODY_BYTES = 1024 * 1024


class ConfigError(ValueError):
    """A client list, client flag or option value that the sandbox cannot use."""


def _normalise_scopes(scopes: Any, where: str) -> tuple[str, ...]:
    """Check a scope list against ALL_SCOPES and return it de-duplicated, in canonical order."""
    if isinstance(scopes, str) or not isinstance(scopes, list | tuple):
        raise ConfigError(f"{where}: scopes must be a list of strings")
    unknown = [s for s in scopes if s not in ALL_SCOPES]
    if unknown:
        raise ConfigError(
            f"{where}: unknown scope(s) {', '.join(map(str, unknown))}; "
            f"known scopes are {', '.join(ALL_SCOPES)}"
        )
    return tuple(s for s in ALL_SCOPES if s in scopes)


@dataclass(frozen=True)
class SandboxClient:
    """One Application Access the sandbox accepts: id, secret and the scopes it is granted."""

    client_id: str
    # repr=False: a config printed in a log or a test failure must not show the secret.
    client_secret: str = field(repr=False)
    scopes: tuple[str, ...] = ALL_SCOPES

    def __post_init__(self) -> None:
        if not isinstance(self.client_id, str) or not self.client_id.strip():
            raise ConfigError("client_id must be a non-empty string")
        if not isinstance(self.client_secret, str) or not self.client_secret:
            raise ConfigError(
                f"client {self.client_id!r}: client_secret must be a non-empty string"
            )
        object.__setattr__(
            self, "scopes", _normalise_scopes(list(self.scopes), f"client {self.client_id!r}")
        )


# Used when no client is configured, so `manage.py sandbox` works with no set-up.
# These are published demo credentials for a local stand-in, not secrets.
DEFAULT_CLIENTS: tuple[SandboxClient, ...] = (
    SandboxClient("sandbox-admin", "sandbox-admin-secret", ALL_SCOPES),
    SandboxClient("sandbox-reader", "sandbox-reader-secret", READ_SCOPES),
)


@dataclass(frozen=True)
class SandboxConfig:
    """Everything one sandbox instance needs; immutable so threads can share it freely.

    `audience` None means "the server's own base URL with a trailing slash", resolved
    when the server knows the address it is bound to.
    """

    clients: tuple[SandboxClient, ...] = DEFAULT_CLIENTS
    audience: str | None = None
    token_ttl: int = 3600
    rate_per_second: float = 10.0
    burst: int = 5
    issuer: str = DEFAULT_ISSUER
    account_id: str = DEFAULT_ACCOUNT_ID
    # How long a stream run stays RUNNING before it reports SUCCEEDED.
    run_seconds: float = 3.0
    max_body_bytes: int = MAX_BODY_BYTES

    def __post_init__(self) -> None:
        object.__setattr__(self, "clients", tuple(self.clients))
        ids = [c.client_id for c in self.clients]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ConfigError(f"duplicate client_id(s): {', '.join(duplicates)}")
        if not isinstance(self.token_ttl, int) or self.token_ttl < 1:
            raise ConfigError("token_ttl must be a whole number of seconds, at least 1")
        if not math.isfinite(self.rate_per_second) or self.rate_per_second <= 0:
            raise ConfigError("rate_per_second must be a positive number")
        if not isinstance(self.burst, int) or self.burst < 1:
            raise ConfigError("burst must be a whole number, at least 1")
        if self.audience is not None and not self.audience.strip():
            raise ConfigError("audience must not be empty")
        if self.run_seconds < 0:
            raise ConfigError("run_seconds must not be negative")
        try:
            object.__setattr__(self, "account_id", str(uuid.UUID(str(self.account_id))))
        except ValueError as exc:
            raise ConfigError("account_id must be a UUID") from exc

    def client(self, client_id: str) -> SandboxClient | None:
        """Return the configured client with this id, or None."""
        for candidate in self.clients:
            if candidate.client_id == client_id:
                return candidate
        return None


def clients_from_data(data: Any, where: str = "clients") -> tuple[SandboxClient, ...]:
    """Build clients from the parsed clients-file structure (see `load_clients_file`)."""
    if not isinstance(data, dict) or not isinstance(data.get("clients"), list):
        raise ConfigError(f'{where}: expected an object with a "clients" list')
    clients = []
    for index, entry in enumerate(data["clients"]):
        label = f"{where}: clients[{index}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{label} must be an object")
        unknown = sorted(set(entry) - {"client_id", "client_secret", "scopes"})
        if unknown:
            raise ConfigError(f"{label}: unknown key(s) {', '.join(unknown)}")
        client_id = entry.get("client_id")
        secret = entry.get("client_secret")
        if not isinstance(client_id, str) or not isinstance(secret, str):
            raise ConfigError(f"{label}: client_id and client_secret must be strings")
        scopes = entry.get("scopes", list(ALL_SCOPES))
        try:
            clients.append(SandboxClient(client_id, secret, _normalise_scopes(scopes, label)))
        except ConfigError as exc:
            raise ConfigError(f"{label}: {exc}") from exc
    return tuple(clients)


def load_clients_file(path: str | Path) -> tuple[SandboxClient, ...]:
    """Read clients from a JSON file.

    Format: ``{"clients": [{"client_id": "...", "client_secret": "...",
    "scopes": ["read:meter_types", ...]}]}``; a client without "scopes" gets all of them.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the clients file ({exc.strerror})") from exc
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}: not valid JSON ({exc.msg}, line {exc.lineno})") from exc
    return clients_from_data(data, str(path))


def parse_client_option(value: str) -> SandboxClient:
    """Parse a ``--client ID:SECRET[:scope1,scope2]`` flag (no scopes given: all scopes).

    Scopes themselves contain a colon, so only the first two colons split; the secret
    therefore cannot contain a colon.
    """
    parts = value.split(":", 2)
    if len(parts) < 2 or not parts[0] or not parts[1]:
        raise ConfigError("--client must look like ID:SECRET or ID:SECRET:scope1,scope2")
    client_id, secret = parts[0], parts[1]
    if len(parts) == 3 and parts[2].strip():
        scopes = [s for s in parts[2].replace(" ", ",").split(",") if s]
        return SandboxClient(client_id, secret, _normalise_scopes(scopes, f"--client {client_id}"))
    return SandboxClient(client_id, secret, ALL_SCOPES)
