"""In-memory data of one sandbox instance: meter types, meters, streams and executions.

Seeded with a few realistic records whose ids are derived from the account id, so they
stay the same across restarts (bookmarks and saved requests keep working). All access
goes through one lock because the server handles requests on several threads.
"""

from __future__ import annotations

import copy
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

# Oldest executions are forgotten past this many, so a long-running demo stays small.
_MAX_EXECUTIONS = 10_000


class NotFound(Exception):
    """The addressed record does not exist; the message names what was looked for."""


class Conflict(Exception):
    """The change clashes with existing data (duplicate name, record still in use)."""


def iso(moment: datetime) -> str:
    """Format an aware datetime as ISO 8601 UTC with milliseconds and a Z, as the API does."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now_iso() -> str:
    """The current time in the API's ISO 8601 format."""
    return iso(datetime.now(UTC))


_SEED_EPOCH = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)

_SEED_METER_TYPES: list[dict[str, Any]] = [
    {
        "name": "API calls",
        "description": "Calls to the public API, counted per customer and reset each month.",
        "category": "API Counts",
        "unit": "requests",
        "aggregation": {"type": "increment"},
        "resetSchedule": {"minute": "0", "hour": "0", "day": "L", "month": "*", "weekday": "*"},
        "timezone": "Etc/UTC",
        "activeFrom": "2025-01-01T00:00:00.000Z",
        "activeTo": "2027-01-01T00:00:00.000Z",
        "externalRef": "PLAN-API-001",
        "meters": [("acme-corp", 184_220), ("globex", 95_410), ("initech", 12_007)],
    },
    {
        "name": "Storage used",
        "description": "Peak storage per customer within the billing month.",
        "category": "Storage",
        "unit": "GB",
        "aggregation": {"type": "max"},
        "resetSchedule": {"minute": "0", "hour": "0", "day": "1", "month": "*", "weekday": "*"},
        "timezone": "Europe/Stockholm",
        "activeFrom": "2025-02-01T00:00:00.000Z",
        "activeTo": "2027-02-01T00:00:00.000Z",
        "externalRef": "PLAN-STO-002",
        "meters": [("acme-corp", 512.5), ("umbrella", 88.25)],
    },
    {
        "name": "Active users",
        "description": "Last reported number of active seats, reset every Monday.",
        "category": "Users",
        "unit": "users",
        "aggregation": {"type": "last"},
        "resetSchedule": {"minute": "0", "hour": "0", "day": "*", "month": "*", "weekday": "1"},
        "timezone": "America/New_York",
        "activeFrom": "2025-03-01T00:00:00.000Z",
        "activeTo": "2026-03-01T00:00:00.000Z",
        "externalRef": "PLAN-USR-003",
        "meters": [("acme-corp", 42)],
    },
    {
        "name": "Data transfer",
        "description": "Outbound data summed per day.",
        "category": "Network",
        "unit": "GB",
        "aggregation": {"type": "sum"},
        "resetSchedule": {"minute": "0", "hour": "0", "day": "*", "month": "*", "weekday": "*"},
        "timezone": "Etc/UTC",
        "activeFrom": "2025-04-01T00:00:00.000Z",
        "activeTo": "2026-04-01T00:00:00.000Z",
        "externalRef": "PLAN-NET-004",
        "meters": [],
    },
]

_STREAM_BASES: list[tuple[str, str]] = [
    ("api-call-rating", "Rates API call records against the customer's price plan."),
    ("billing-export", "Exports rated usage to the billing system every night."),
    ("cdr-mediation", "Collects, de-duplicates and normalises call detail records."),
    ("invoice-feed", "Feeds aggregated charges to invoice generation."),
    ("iot-telemetry", "Turns device telemetry into billable usage events."),
    ("partner-settlement", "Splits revenue with partners from rated usage."),
    ("roaming-records", "Legacy TAP file processing for roaming partners."),
    ("subscription-sync", "Keeps subscriptions in step with the CRM."),
    ("usage-collection", "Collects raw usage from the edge gateways."),
]
_STREAM_REGIONS = ("eu-west", "eu-north", "us-east", "us-west", "ap-south")
# Undeployed streams cannot be run; they sort after the common ones on purpose.
_UNDEPLOYED_BASES = {"roaming-records"}


class Store:
    """Thread-safe in-memory records for one account; returns copies, never live records."""

    def __init__(
        self,
        account_id: str,
        run_seconds: float = 3.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Create the store and seed it with meter types, meters and 45 streams."""
        self.account_id = account_id
        self.run_seconds = run_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._namespace = uuid.UUID(account_id)
        self._meter_types: dict[str, dict[str, Any]] = {}
        self._meters: dict[str, dict[str, dict[str, Any]]] = {}  # meterTypeId -> id -> meter
        self._streams: dict[str, dict[str, Any]] = {}
        self._executions: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._seed()

    # -- seeding -------------------------------------------------------------------------

    def _seed_id(self, *parts: str) -> str:
        return str(uuid.uuid5(self._namespace, "/".join(parts)))

    def _seed(self) -> None:
        for index, seed in enumerate(_SEED_METER_TYPES):
            created = iso(_SEED_EPOCH + timedelta(days=index * 7))
            type_id = self._seed_id("meter-type", seed["name"])
            record = {k: copy.deepcopy(v) for k, v in seed.items() if k != "meters"}
            record.update(
                id=type_id, accountId=self.account_id, createdAt=created, updatedAt=created
            )
            self._meter_types[type_id] = record
            self._meters[type_id] = {}
            for m_index, (customer, value) in enumerate(seed["meters"]):
                meter_id = self._seed_id("meter", seed["name"], customer)
                stamp = iso(_SEED_EPOCH + timedelta(days=index * 7 + m_index + 1))
                self._meters[type_id][meter_id] = {
                    "id": meter_id,
                    "accountId": self.account_id,
                    "meterTypeId": type_id,
                    "name": customer,
                    "description": f"{seed['name']} for {customer}",
                    "externalRef": f"CUST-{customer.upper()}",
                    "value": value,
                    "createdAt": stamp,
                    "updatedAt": stamp,
                }
        number = 0
        for base, description in _STREAM_BASES:
            for region in _STREAM_REGIONS:
                number += 1
                name = f"{base}-{region}"
                created = _SEED_EPOCH + timedelta(days=number, hours=number % 7)
                latest = 1 + (number * 7) % 5
                deployed = base not in _UNDEPLOYED_BASES
                stream_id = self._seed_id("stream", name)
                self._streams[stream_id] = {
                    "id": stream_id,
                    "accountId": self.account_id,
                    "name": name,
                    "description": description,
                    "status": "DEPLOYED" if deployed else "UNDEPLOYED",
                    "deployedVersion": latest if deployed else None,
                    "latestVersion": latest,
                    "tags": [base.split("-", 1)[0], region],
                    "createdAt": iso(created),
                    "updatedAt": iso(created + timedelta(days=latest * 3)),
                }

    # -- meter types ---------------------------------------------------------------------

    def _meter_type_out(self, record: dict[str, Any]) -> dict[str, Any]:
        """A meter type as the API shows it (key order as in the vendor's example)."""
        return {
            "id": record["id"],
            "accountId": record["accountId"],
            "name": record["name"],
            "description": record["description"],
            "category": record["category"],
            "unit": record["unit"],
            "aggregation": copy.deepcopy(record["aggregation"]),
            "resetSchedule": copy.deepcopy(record["resetSchedule"]),
            "timezone": record["timezone"],
            "activeFrom": record["activeFrom"],
            "activeTo": record["activeTo"],
            "externalRef": record["externalRef"],
            "numberOfMeters": len(self._meters.get(record["id"], {})),
            "createdAt": record["createdAt"],
            "updatedAt": record["updatedAt"],
        }

    def _name_taken(self, name: str, records: dict[str, Any], except_id: str | None) -> bool:
        folded = name.casefold()
        return any(r["name"].casefold() == folded and i != except_id for i, r in records.items())

    def list_meter_types(self) -> list[dict[str, Any]]:
        """All meter types, oldest first."""
        with self._lock:
            records = sorted(self._meter_types.values(), key=lambda r: (r["createdAt"], r["id"]))
            return [self._meter_type_out(r) for r in records]

    def get_meter_type(self, meter_type_id: str) -> dict[str, Any]:
        """One meter type, or NotFound."""
        with self._lock:
            return self._meter_type_out(self._require_meter_type(meter_type_id))

    def _require_meter_type(self, meter_type_id: str) -> dict[str, Any]:
        record = self._meter_types.get(meter_type_id)
        if record is None:
            raise NotFound(f"Meter type {meter_type_id} not found.")
        return record

    def create_meter_type(self, data: dict[str, Any]) -> dict[str, Any]:
        """Add a meter type from validated input; Conflict when the name is taken."""
        with self._lock:
            if self._name_taken(data["name"], self._meter_types, None):
                raise Conflict(f"A meter type named {data['name']!r} already exists.")
            stamp = now_iso()
            record = {
                **copy.deepcopy(data),
                "id": str(uuid.uuid4()),
                "accountId": self.account_id,
                "createdAt": stamp,
                "updatedAt": stamp,
            }
            if record.get("activeFrom") is None:
                record["activeFrom"] = stamp
            self._meter_types[record["id"]] = record
            self._meters[record["id"]] = {}
            return self._meter_type_out(record)

    def update_meter_type(self, meter_type_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Replace a meter type's fields with validated input (PUT semantics)."""
        with self._lock:
            record = self._require_meter_type(meter_type_id)
            if self._name_taken(data["name"], self._meter_types, meter_type_id):
                raise Conflict(f"A meter type named {data['name']!r} already exists.")
            record.update(copy.deepcopy(data))
            if record.get("activeFrom") is None:
                record["activeFrom"] = record["createdAt"]
            record["updatedAt"] = now_iso()
            return self._meter_type_out(record)

    def delete_meter_type(self, meter_type_id: str) -> None:
        """Remove a meter type; Conflict while it still has meters (they would be orphaned)."""
        with self._lock:
            self._require_meter_type(meter_type_id)
            count = len(self._meters.get(meter_type_id, {}))
            if count:
                raise Conflict(
                    f"Meter type {meter_type_id} still has {count} meter(s); delete them first."
                )
            del self._meter_types[meter_type_id]
            self._meters.pop(meter_type_id, None)

    # -- meters --------------------------------------------------------------------------

    def list_meters(self, meter_type_id: str) -> list[dict[str, Any]]:
        """The meters of one meter type, oldest first; NotFound for an unknown type."""
        with self._lock:
            self._require_meter_type(meter_type_id)
            meters = self._meters[meter_type_id].values()
            return [copy.deepcopy(m) for m in sorted(meters, key=lambda m: m["createdAt"])]

    def get_meter(self, meter_type_id: str, meter_id: str) -> dict[str, Any]:
        """One meter of a meter type, or NotFound."""
        with self._lock:
            return copy.deepcopy(self._require_meter(meter_type_id, meter_id))

    def _require_meter(self, meter_type_id: str, meter_id: str) -> dict[str, Any]:
        self._require_meter_type(meter_type_id)
        meter = self._meters[meter_type_id].get(meter_id)
        if meter is None:
            raise NotFound(f"Meter {meter_id} not found in meter type {meter_type_id}.")
        return meter

    def create_meter(self, meter_type_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Add a meter to a meter type; Conflict when the name is taken within that type."""
        with self._lock:
            self._require_meter_type(meter_type_id)
            meters = self._meters[meter_type_id]
            if self._name_taken(data["name"], meters, None):
                raise Conflict(
                    f"A meter named {data['name']!r} already exists in meter type {meter_type_id}."
                )
            stamp = now_iso()
            meter = {
                "id": str(uuid.uuid4()),
                "accountId": self.account_id,
                "meterTypeId": meter_type_id,
                "name": data["name"],
                "description": data["description"],
                "externalRef": data["externalRef"],
                "value": data["value"],
                "createdAt": stamp,
                "updatedAt": stamp,
            }
            meters[meter["id"]] = meter
            return copy.deepcopy(meter)

    def delete_meter(self, meter_type_id: str, meter_id: str) -> None:
        """Remove one meter, or NotFound."""
        with self._lock:
            self._require_meter(meter_type_id, meter_id)
            del self._meters[meter_type_id][meter_id]

    # -- streams and executions ----------------------------------------------------------

    def list_streams(
        self, name: str | None, page: int, page_size: int
    ) -> tuple[list[dict[str, Any]], int]:
        """One page of streams sorted by name, filtered by a case-insensitive name substring.

        Returns the page's items and the total number of matching streams.
        """
        with self._lock:
            streams = sorted(self._streams.values(), key=lambda s: s["name"])
            if name:
                needle = name.casefold()
                streams = [s for s in streams if needle in s["name"].casefold()]
            start = (page - 1) * page_size
            return copy.deepcopy(streams[start : start + page_size]), len(streams)

    def get_stream(self, stream_id: str) -> dict[str, Any]:
        """One stream, or NotFound."""
        with self._lock:
            stream = self._streams.get(stream_id)
            if stream is None:
                raise NotFound(f"Stream {stream_id} not found.")
            return copy.deepcopy(stream)

    def start_run(self, stream_id: str, parameters: dict[str, Any]) -> dict[str, Any]:
        """Start a run of a deployed stream and return its execution."""
        with self._lock:
            stream = self._streams.get(stream_id)
            if stream is None:
                raise NotFound(f"Stream {stream_id} not found.")
            if stream["status"] != "DEPLOYED":
                raise Conflict(
                    f"Stream {stream['name']} is not deployed; deploy a version before running it."
                )
            execution = {
                "executionId": str(uuid.uuid4()),
                "streamId": stream_id,
                "streamVersion": stream["deployedVersion"],
                "parameters": copy.deepcopy(parameters),
                "startedWall": datetime.now(UTC),
                "startedClock": self._clock(),
            }
            self._executions[execution["executionId"]] = execution
            while len(self._executions) > _MAX_EXECUTIONS:
                self._executions.popitem(last=False)
            return self._execution_out(execution)

    def get_execution(self, execution_id: str) -> dict[str, Any]:
        """An execution with its state computed from the time since it started."""
        with self._lock:
            execution = self._executions.get(execution_id)
            if execution is None:
                raise NotFound(f"Execution {execution_id} not found.")
            return self._execution_out(execution)

    def _execution_out(self, execution: dict[str, Any]) -> dict[str, Any]:
        # State is derived on read rather than by a background timer: nothing to clean up.
        done = self._clock() - execution["startedClock"] >= self.run_seconds
        started = execution["startedWall"]
        return {
            "executionId": execution["executionId"],
            "streamId": execution["streamId"],
            "streamVersion": execution["streamVersion"],
            "status": "SUCCEEDED" if done else "RUNNING",
            "startedAt": iso(started),
            "finishedAt": iso(started + timedelta(seconds=self.run_seconds)) if done else None,
            "parameters": copy.deepcopy(execution["parameters"]),
        }
