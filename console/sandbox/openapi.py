"""The sandbox's OpenAPI 3.0.3 document, built as a Python dict for the caller's base URL.

It describes every operation in `console.sandbox.api.OPERATIONS` (the tests check the
two agree) and the OAuth 2.0 client-credentials scheme with the token URL of the same
server, so a console that imports it can call the sandbox straight away.

The request-body schemas here are also what the sandbox validates with
(`console.sandbox.validation`), so this module owns the path templates and the limits
both use, and imports neither `api` nor `validation` (they import it).
"""

from __future__ import annotations

import copy
from typing import Any

from console.sandbox.config import SCOPE_DESCRIPTIONS
from console.sandbox.oauth import TOKEN_PATH

METER_TYPES = "/metering/v1/meter-types"
METER_TYPE = METER_TYPES + "/{meterTypeId}"
METERS = METER_TYPE + "/meters"
METER = METERS + "/{meterId}"
STREAMS = "/stream-management/v1/streams"
STREAM = STREAMS + "/{streamId}"
STREAM_RUNS = STREAM + "/runs"
EXECUTION = "/stream-management/v1/executions/{executionId}"

AGGREGATION_TYPES: tuple[str, ...] = ("increment", "max", "last", "sum")
RESET_FIELDS: tuple[str, ...] = ("minute", "hour", "day", "month", "weekday")
# Cron-like tokens as in the vendor's example ("0", "*", "L", "1-5", "*/15", "MON").
RESET_PATTERN = "^[0-9A-Za-z*,/?#-]{1,32}$"
NAME_MAX = 128
TEXT_MAX = 1000
PAGE_MAX = 100_000
PAGE_SIZE_MAX = 100
PAGE_SIZE_DEFAULT = 20

TITLE = "Usage Engine Cloud Edition API (sandbox)"
_EXAMPLE_ACCOUNT = "3f6c1a52-9b7e-4d21-8c0a-5e4b2d1f7a90"
_EXAMPLE_METER_TYPE_ID = "0b6f3c9e-2a41-4f0e-9d7c-8e5a1b2c3d4e"
_EXAMPLE_METER_ID = "7d2e4f60-1b3a-4c5d-8e9f-a0b1c2d3e4f5"
_EXAMPLE_STREAM_ID = "5a9c7e21-3b4d-4f6a-8c1e-2d3f4a5b6c7d"
_EXAMPLE_EXECUTION_ID = "c4e8a2f1-6b3d-4a7e-9f10-2b3c4d5e6f70"


def _ref(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


def _schema(name: str) -> dict[str, str]:
    return _ref("schemas", name)


_TIMESTAMP = {"type": "string", "format": "date-time", "example": "2025-01-06T09:00:00.000Z"}
_UUID = {"type": "string", "format": "uuid"}

_METER_TYPE_INPUT_EXAMPLE: dict[str, Any] = {
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
}
_METER_TYPE_EXAMPLE: dict[str, Any] = {
    "id": _EXAMPLE_METER_TYPE_ID,
    "accountId": _EXAMPLE_ACCOUNT,
    **_METER_TYPE_INPUT_EXAMPLE,
    "numberOfMeters": 3,
    "createdAt": "2025-01-06T09:00:00.000Z",
    "updatedAt": "2025-01-06T09:00:00.000Z",
}
_METER_INPUT_EXAMPLE: dict[str, Any] = {
    "name": "acme-corp",
    "description": "API calls for acme-corp",
    "externalRef": "CUST-ACME-CORP",
    "value": 0,
}
_METER_EXAMPLE: dict[str, Any] = {
    "id": _EXAMPLE_METER_ID,
    "accountId": _EXAMPLE_ACCOUNT,
    "meterTypeId": _EXAMPLE_METER_TYPE_ID,
    **_METER_INPUT_EXAMPLE,
    "value": 184220,
    "createdAt": "2025-01-07T09:00:00.000Z",
    "updatedAt": "2025-01-07T09:00:00.000Z",
}
_STREAM_EXAMPLE: dict[str, Any] = {
    "id": _EXAMPLE_STREAM_ID,
    "accountId": _EXAMPLE_ACCOUNT,
    "name": "billing-export-eu-west",
    "description": "Exports rated usage to the billing system every night.",
    "status": "DEPLOYED",
    "deployedVersion": 3,
    "latestVersion": 3,
    "tags": ["billing", "eu-west"],
    "createdAt": "2025-01-12T15:00:00.000Z",
    "updatedAt": "2025-01-21T15:00:00.000Z",
}
_EXECUTION_EXAMPLE: dict[str, Any] = {
    "executionId": _EXAMPLE_EXECUTION_ID,
    "streamId": _EXAMPLE_STREAM_ID,
    "streamVersion": 3,
    "status": "SUCCEEDED",
    "startedAt": "2025-06-02T10:15:00.000Z",
    "finishedAt": "2025-06-02T10:15:03.000Z",
    "parameters": {"date": "2025-06-01"},
}


def _error_response(description: str, error: str, message: str, **extra: Any) -> dict[str, Any]:
    example: dict[str, Any] = {"error": error, "message": message, **extra}
    return {
        "description": description,
        "content": {"application/json": {"schema": _schema("Error"), "example": example}},
    }


def _ignored_when_sent(*names: str) -> dict[str, Any]:
    # Read-only fields a client may echo back from a GET: any value is accepted and dropped,
    # so the schema constrains nothing but names them (additionalProperties is false).
    note = "Set by the API; accepted in a request (as read) and ignored."
    return {name: {"readOnly": True, "description": note} for name in names}


def parameters() -> dict[str, Any]:
    """The document's reusable parameters (components.parameters), for the document and
    for the sandbox's own query checks."""
    return {
        "MeterTypeId": {
            "name": "meterTypeId",
            "in": "path",
            "required": True,
            "description": "The id of the meter type.",
            "schema": _UUID,
            "example": _EXAMPLE_METER_TYPE_ID,
        },
        "MeterId": {
            "name": "meterId",
            "in": "path",
            "required": True,
            "description": "The id of the meter.",
            "schema": _UUID,
            "example": _EXAMPLE_METER_ID,
        },
        "StreamId": {
            "name": "streamId",
            "in": "path",
            "required": True,
            "description": "The id of the stream.",
            "schema": _UUID,
            "example": _EXAMPLE_STREAM_ID,
        },
        "ExecutionId": {
            "name": "executionId",
            "in": "path",
            "required": True,
            "description": "The execution id returned when the run was started.",
            "schema": _UUID,
            "example": _EXAMPLE_EXECUTION_ID,
        },
        "Page": {
            "name": "page",
            "in": "query",
            "required": False,
            "description": "The page to return, counting from 1.",
            "schema": {"type": "integer", "minimum": 1, "maximum": PAGE_MAX, "default": 1},
        },
        "PageSize": {
            "name": "pageSize",
            "in": "query",
            "required": False,
            "description": "How many streams per page.",
            "schema": {
                "type": "integer",
                "minimum": 1,
                "maximum": PAGE_SIZE_MAX,
                "default": PAGE_SIZE_DEFAULT,
            },
        },
        "NameFilter": {
            "name": "name",
            "in": "query",
            "required": False,
            "description": "Only streams whose name contains this text (case-insensitive).",
            "schema": {"type": "string", "maxLength": NAME_MAX},
            "example": "billing",
        },
    }


def schemas() -> dict[str, Any]:
    """The document's schemas (components.schemas), OpenAPI 3.0 dialect; `json_schema` gives
    one of them as standalone JSON Schema for the sandbox's request checks."""
    schedule_field = {"type": "string", "pattern": RESET_PATTERN}
    reset_schedule = {
        "type": "object",
        "description": (
            "When meters of this type reset, as cron-style fields "
            '(`"L"` in `day` is the last day of the month).'
        ),
        "required": list(RESET_FIELDS),
        "properties": {
            "minute": {**schedule_field, "example": "0"},
            "hour": {**schedule_field, "example": "0"},
            "day": {**schedule_field, "example": "L"},
            "month": {**schedule_field, "example": "*"},
            "weekday": {**schedule_field, "example": "*"},
        },
        "additionalProperties": False,
    }
    text = {"type": "string", "maxLength": TEXT_MAX}
    return {
        "AggregationType": {
            "type": "string",
            "description": (
                "How usage is combined within a period: `increment` counts events, "
                "`sum` adds values, `max` keeps the highest, `last` keeps the latest."
            ),
            "enum": list(AGGREGATION_TYPES),
        },
        "Aggregation": {
            "type": "object",
            "required": ["type"],
            "properties": {"type": _schema("AggregationType")},
            "additionalProperties": False,
        },
        "ResetSchedule": reset_schedule,
        "MeterTypeInput": {
            "type": "object",
            "description": (
                "The editable fields of a meter type (PUT replaces them all). The read-only "
                "fields of a MeterType may be sent back too; they are ignored."
            ),
            "required": ["name", "unit", "aggregation"],
            "properties": {
                "name": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": NAME_MAX,
                    "description": (
                        "Unique (case-insensitive) within the account; leading and trailing "
                        "spaces are trimmed, and a blank name is refused."
                    ),
                },
                "description": {**text, "nullable": True},
                "category": {**text, "nullable": True, "example": "API Counts"},
                "unit": {**text, "minLength": 1, "example": "requests"},
                "aggregation": _schema("Aggregation"),
                "resetSchedule": {
                    **reset_schedule,
                    "nullable": True,
                    "description": reset_schedule["description"]
                    + " Null or left out: midnight on the 1st of each month.",
                },
                "timezone": {
                    "type": "string",
                    "nullable": True,
                    "default": "Etc/UTC",
                    "description": "An IANA time zone name; null or left out: Etc/UTC.",
                },
                "activeFrom": {
                    **_TIMESTAMP,
                    "nullable": True,
                    "description": "With a time zone offset or Z; null or left out: now.",
                },
                "activeTo": {
                    **_TIMESTAMP,
                    "nullable": True,
                    "description": "Must be later than `activeFrom`; null for no end.",
                },
                "externalRef": {**text, "nullable": True},
                **_ignored_when_sent("id", "accountId", "numberOfMeters", "createdAt", "updatedAt"),
            },
            "additionalProperties": False,
            "example": _METER_TYPE_INPUT_EXAMPLE,
        },
        "MeterType": {
            "type": "object",
            "required": [
                "id",
                "accountId",
                "name",
                "description",
                "category",
                "unit",
                "aggregation",
                "resetSchedule",
                "timezone",
                "activeFrom",
                "activeTo",
                "externalRef",
                "numberOfMeters",
                "createdAt",
                "updatedAt",
            ],
            "properties": {
                "id": {**_UUID, "readOnly": True},
                "accountId": {**_UUID, "readOnly": True},
                "name": {"type": "string"},
                "description": {"type": "string"},
                "category": {"type": "string"},
                "unit": {"type": "string"},
                "aggregation": _schema("Aggregation"),
                "resetSchedule": _schema("ResetSchedule"),
                "timezone": {"type": "string"},
                "activeFrom": _TIMESTAMP,
                "activeTo": {**_TIMESTAMP, "nullable": True},
                "externalRef": {"type": "string", "nullable": True},
                "numberOfMeters": {"type": "integer", "minimum": 0, "readOnly": True},
                "createdAt": {**_TIMESTAMP, "readOnly": True},
                "updatedAt": {**_TIMESTAMP, "readOnly": True},
            },
            "example": _METER_TYPE_EXAMPLE,
        },
        "MeterTypeList": {
            "type": "object",
            "required": ["meterTypes"],
            "properties": {"meterTypes": {"type": "array", "items": _schema("MeterType")}},
        },
        "MeterInput": {
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": NAME_MAX,
                    "description": (
                        "Unique (case-insensitive) within the meter type; leading and trailing "
                        "spaces are trimmed, and a blank name is refused."
                    ),
                },
                "description": {**text, "nullable": True},
                "externalRef": {**text, "nullable": True},
                "value": {
                    "type": "number",
                    "nullable": True,
                    "minimum": 0,
                    "default": 0,
                    "description": "The counter's starting value; null or left out: 0.",
                },
                **_ignored_when_sent("id", "accountId", "meterTypeId", "createdAt", "updatedAt"),
            },
            "additionalProperties": False,
            "example": _METER_INPUT_EXAMPLE,
        },
        "Meter": {
            "type": "object",
            "required": [
                "id",
                "accountId",
                "meterTypeId",
                "name",
                "description",
                "externalRef",
                "value",
                "createdAt",
                "updatedAt",
            ],
            "properties": {
                "id": {**_UUID, "readOnly": True},
                "accountId": {**_UUID, "readOnly": True},
                "meterTypeId": {**_UUID, "readOnly": True},
                "name": {"type": "string"},
                "description": {"type": "string"},
                "externalRef": {"type": "string", "nullable": True},
                "value": {"type": "number", "description": "The current counter value."},
                "createdAt": {**_TIMESTAMP, "readOnly": True},
                "updatedAt": {**_TIMESTAMP, "readOnly": True},
            },
            "example": _METER_EXAMPLE,
        },
        "MeterList": {
            "type": "object",
            "required": ["meters"],
            "properties": {"meters": {"type": "array", "items": _schema("Meter")}},
        },
        "StreamStatus": {"type": "string", "enum": ["DEPLOYED", "UNDEPLOYED"]},
        "Stream": {
            "type": "object",
            "required": [
                "id",
                "accountId",
                "name",
                "description",
                "status",
                "deployedVersion",
                "latestVersion",
                "tags",
                "createdAt",
                "updatedAt",
            ],
            "properties": {
                "id": _UUID,
                "accountId": _UUID,
                "name": {"type": "string"},
                "description": {"type": "string"},
                "status": _schema("StreamStatus"),
                "deployedVersion": {"type": "integer", "nullable": True, "minimum": 1},
                "latestVersion": {"type": "integer", "minimum": 1},
                "tags": {"type": "array", "items": {"type": "string"}},
                "createdAt": _TIMESTAMP,
                "updatedAt": _TIMESTAMP,
            },
            "example": _STREAM_EXAMPLE,
        },
        "StreamPage": {
            "type": "object",
            "required": ["streams", "page", "pageSize", "totalItems", "totalPages"],
            "properties": {
                "streams": {"type": "array", "items": _schema("Stream")},
                "page": {"type": "integer", "minimum": 1},
                "pageSize": {"type": "integer", "minimum": 1},
                "totalItems": {"type": "integer", "minimum": 0},
                "totalPages": {"type": "integer", "minimum": 0},
            },
        },
        "StreamRunInput": {
            "type": "object",
            "properties": {
                "parameters": {
                    "type": "object",
                    "nullable": True,
                    "description": "Free-form parameters passed to the run; null or left out: {}.",
                    "additionalProperties": True,
                }
            },
            "additionalProperties": False,
            "example": {"parameters": {"date": "2025-06-01"}},
        },
        "ExecutionStatus": {"type": "string", "enum": ["RUNNING", "SUCCEEDED"]},
        "ExecutionStarted": {
            "type": "object",
            "required": ["executionId", "status"],
            "properties": {
                "executionId": _UUID,
                "status": _schema("ExecutionStatus"),
            },
            "example": {"executionId": _EXAMPLE_EXECUTION_ID, "status": "RUNNING"},
        },
        "Execution": {
            "type": "object",
            "required": [
                "executionId",
                "streamId",
                "streamVersion",
                "status",
                "startedAt",
                "finishedAt",
                "parameters",
            ],
            "properties": {
                "executionId": _UUID,
                "streamId": _UUID,
                "streamVersion": {"type": "integer", "nullable": True},
                "status": _schema("ExecutionStatus"),
                "startedAt": _TIMESTAMP,
                "finishedAt": {**_TIMESTAMP, "nullable": True},
                "parameters": {"type": "object", "additionalProperties": True},
            },
            "example": _EXECUTION_EXAMPLE,
        },
        "Error": {
            "type": "object",
            "required": ["error", "message"],
            "properties": {
                "error": {
                    "type": "string",
                    "description": "A short machine-readable code.",
                    "example": "not_found",
                },
                "message": {"type": "string", "description": "What went wrong, for people."},
                "fields": {
                    "type": "object",
                    "description": "For validation errors: a message per bad field.",
                    "additionalProperties": {"type": "string"},
                },
            },
        },
    }


def _as_json_schema(node: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    # The OpenAPI 3.0 dialect as JSON Schema 2020-12: refs inlined (the request schemas are
    # not recursive), `type` as a list with "null" added when nullable, examples left out.
    # Only the keywords this document uses carry subschemas, so only those are walked.
    if "$ref" in node:
        return _as_json_schema(components[node["$ref"].rsplit("/", 1)[-1]], components)
    out = {key: value for key, value in node.items() if key not in ("nullable", "example")}
    if "type" in node:  # always a list, so a reader of errors meets one form
        out["type"] = [node["type"], "null"] if node.get("nullable") is True else [node["type"]]
    if "properties" in node:
        out["properties"] = {
            name: _as_json_schema(sub, components) for name, sub in node["properties"].items()
        }
    if "items" in node:
        out["items"] = _as_json_schema(node["items"], components)
    if isinstance(node.get("additionalProperties"), dict):
        out["additionalProperties"] = _as_json_schema(node["additionalProperties"], components)
    return out


def json_schema(name: str) -> dict[str, Any]:
    """Component schema `name` as standalone JSON Schema 2020-12, for `jsonschema`."""
    components = schemas()
    return _as_json_schema(components[name], components)


def query_json_schema(*names: str) -> dict[str, Any]:
    """The query parameters `names` (components.parameters) as one JSON Schema 2020-12
    object keyed by parameter name; a query string is text, so values are parsed first."""
    declared = parameters()
    properties = {declared[name]["name"]: declared[name]["schema"] for name in names}
    return _as_json_schema({"type": "object", "properties": properties}, schemas())


def _components(token_url: str) -> dict[str, Any]:
    return {
        "securitySchemes": {
            "oauth2": {
                "type": "oauth2",
                "description": (
                    "OAuth 2.0 **client-credentials** grant with an Application Access.\n\n"
                    f"`POST {token_url}` with an `application/x-www-form-urlencoded` "
                    "(or JSON) body holding `grant_type=client_credentials`, `client_id`, "
                    "`client_secret` and `audience` (this server's base URL with a trailing "
                    "slash). Credentials go **in the body**; HTTP Basic is refused. The "
                    "answer has an RS256 JWT valid for `expires_in` seconds and no refresh "
                    "token: reuse it until shortly before it expires, then ask again. The "
                    "token endpoint is rate limited per client (10 per second, burst 5)."
                ),
                "flows": {
                    "clientCredentials": {
                        "tokenUrl": token_url,
                        "scopes": dict(SCOPE_DESCRIPTIONS),
                    }
                },
            }
        },
        "parameters": parameters(),
        "schemas": schemas(),
        "responses": {
            "BadRequest": _error_response(
                "The request is not valid (bad JSON, or field errors listed in `fields`).",
                "bad_request",
                "The request is not valid.",
                fields={"name": "This field is required."},
            ),
            "Unauthorized": _error_response(
                "The bearer token is missing, invalid, expired or for another audience.",
                "unauthorized",
                "The access token has expired.",
            ),
            "Forbidden": _error_response(
                "The token lacks the scope this operation needs.",
                "forbidden",
                "Missing scope: read:meter_types",
            ),
            "NotFound": _error_response(
                "No such resource.", "not_found", f"Meter type {_EXAMPLE_METER_TYPE_ID} not found."
            ),
            "Conflict": _error_response(
                "The change clashes with existing data.",
                "conflict",
                "A meter type named 'API calls' already exists.",
            ),
            "PayloadTooLarge": _error_response(
                "The request body is larger than 1 MB.",
                "payload_too_large",
                "The request body is larger than 1 MB.",
            ),
        },
    }


def _errors(*names: str) -> dict[str, Any]:
    codes = {
        "BadRequest": "400",
        "Unauthorized": "401",
        "Forbidden": "403",
        "NotFound": "404",
        "Conflict": "409",
        "PayloadTooLarge": "413",
    }
    return {codes[name]: _ref("responses", name) for name in names}


def _json_content(schema: str, example: Any) -> dict[str, Any]:
    return {"application/json": {"schema": _schema(schema), "example": example}}


def _operation(
    operation_id: str,
    tag: str,
    summary: str,
    description: str,
    scope: str,
    responses: dict[str, Any],
    parameters: tuple[str, ...] | list[str] = (),
    request_body: dict[str, Any] | None = None,
) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": operation_id,
        "tags": [tag],
        "summary": summary,
        "description": description + f"\n\nRequires the `{scope}` scope.",
        "security": [{"oauth2": [scope]}],
    }
    if parameters:
        operation["parameters"] = [_ref("parameters", name) for name in parameters]
    if request_body is not None:
        operation["requestBody"] = request_body
    operation["responses"] = responses
    return operation


def _paths() -> dict[str, Any]:
    meter_type_body = {
        "required": True,
        "content": _json_content("MeterTypeInput", _METER_TYPE_INPUT_EXAMPLE),
    }
    return {
        METER_TYPES: {
            "get": _operation(
                "listMeterTypes",
                "Meter types",
                "List meter types",
                "All meter types of the account, oldest first, with their meter counts.",
                "read:meter_types",
                {
                    "200": {
                        "description": "The meter types.",
                        "content": _json_content(
                            "MeterTypeList", {"meterTypes": [_METER_TYPE_EXAMPLE]}
                        ),
                    },
                    **_errors("Unauthorized", "Forbidden"),
                },
            ),
            "post": _operation(
                "createMeterType",
                "Meter types",
                "Create a meter type",
                "Defines a new kind of usage to meter. `name` must be unique within the "
                "account; `resetSchedule` defaults to midnight on the 1st of each month.",
                "create:meter_types",
                {
                    "201": {
                        "description": "The meter type was created.",
                        "headers": {
                            "Location": {
                                "description": "URL of the new meter type.",
                                "schema": {"type": "string", "format": "uri"},
                            }
                        },
                        "content": _json_content("MeterType", _METER_TYPE_EXAMPLE),
                    },
                    **_errors(
                        "BadRequest", "Unauthorized", "Forbidden", "Conflict", "PayloadTooLarge"
                    ),
                },
                request_body=meter_type_body,
            ),
        },
        METER_TYPE: {
            "get": _operation(
                "getMeterType",
                "Meter types",
                "Get a meter type",
                "One meter type by id.",
                "read:meter_types",
                {
                    "200": {
                        "description": "The meter type.",
                        "content": _json_content("MeterType", _METER_TYPE_EXAMPLE),
                    },
                    **_errors("BadRequest", "Unauthorized", "Forbidden", "NotFound"),
                },
                parameters=["MeterTypeId"],
            ),
            "put": _operation(
                "updateMeterType",
                "Meter types",
                "Update a meter type",
                "Replaces **all** editable fields: fields left out go back to their defaults. "
                "Read-only fields (`id`, `createdAt`, ...) may be sent back and are ignored.",
                "update:meter_types",
                {
                    "200": {
                        "description": "The updated meter type.",
                        "content": _json_content("MeterType", _METER_TYPE_EXAMPLE),
                    },
                    **_errors(
                        "BadRequest",
                        "Unauthorized",
                        "Forbidden",
                        "NotFound",
                        "Conflict",
                        "PayloadTooLarge",
                    ),
                },
                parameters=["MeterTypeId"],
                request_body=meter_type_body,
            ),
            "delete": _operation(
                "deleteMeterType",
                "Meter types",
                "Delete a meter type",
                "Deletes a meter type that has no meters left (409 otherwise).",
                "delete:meter_types",
                {
                    "204": {"description": "The meter type was deleted."},
                    **_errors("BadRequest", "Unauthorized", "Forbidden", "NotFound", "Conflict"),
                },
                parameters=["MeterTypeId"],
            ),
        },
        METERS: {
            "get": _operation(
                "listMeters",
                "Meters",
                "List meters",
                "The meters (usage counters) of one meter type.",
                "read:meters",
                {
                    "200": {
                        "description": "The meters.",
                        "content": _json_content("MeterList", {"meters": [_METER_EXAMPLE]}),
                    },
                    **_errors("BadRequest", "Unauthorized", "Forbidden", "NotFound"),
                },
                parameters=["MeterTypeId"],
            ),
            "post": _operation(
                "createMeter",
                "Meters",
                "Create a meter",
                "Adds a usage counter to a meter type; `name` must be unique within the type.",
                "create:meters",
                {
                    "201": {
                        "description": "The meter was created.",
                        "content": _json_content("Meter", _METER_EXAMPLE),
                    },
                    **_errors(
                        "BadRequest",
                        "Unauthorized",
                        "Forbidden",
                        "NotFound",
                        "Conflict",
                        "PayloadTooLarge",
                    ),
                },
                parameters=["MeterTypeId"],
                request_body={
                    "required": True,
                    "content": _json_content("MeterInput", _METER_INPUT_EXAMPLE),
                },
            ),
        },
        METER: {
            "get": _operation(
                "getMeter",
                "Meters",
                "Get a meter",
                "One meter of a meter type.",
                "read:meters",
                {
                    "200": {
                        "description": "The meter.",
                        "content": _json_content("Meter", _METER_EXAMPLE),
                    },
                    **_errors("BadRequest", "Unauthorized", "Forbidden", "NotFound"),
                },
                parameters=["MeterTypeId", "MeterId"],
            ),
            "delete": _operation(
                "deleteMeter",
                "Meters",
                "Delete a meter",
                "Deletes one meter and its counter.",
                "delete:meters",
                {
                    "204": {"description": "The meter was deleted."},
                    **_errors("BadRequest", "Unauthorized", "Forbidden", "NotFound"),
                },
                parameters=["MeterTypeId", "MeterId"],
            ),
        },
        STREAMS: {
            "get": _operation(
                "listStreams",
                "Streams",
                "List streams",
                "Streams sorted by name, one page at a time. Use `name` to keep only streams "
                "whose name contains the text; `totalPages` tells when to stop paging.",
                "read:streams",
                {
                    "200": {
                        "description": "One page of streams.",
                        "content": _json_content(
                            "StreamPage",
                            {
                                "streams": [_STREAM_EXAMPLE],
                                "page": 1,
                                "pageSize": 20,
                                "totalItems": 1,
                                "totalPages": 1,
                            },
                        ),
                    },
                    **_errors("BadRequest", "Unauthorized", "Forbidden"),
                },
                parameters=["Page", "PageSize", "NameFilter"],
            ),
        },
        STREAM: {
            "get": _operation(
                "getStream",
                "Streams",
                "Get a stream",
                "One stream's configuration summary.",
                "read:streams",
                {
                    "200": {
                        "description": "The stream.",
                        "content": _json_content("Stream", _STREAM_EXAMPLE),
                    },
                    **_errors("BadRequest", "Unauthorized", "Forbidden", "NotFound"),
                },
                parameters=["StreamId"],
            ),
        },
        STREAM_RUNS: {
            "post": _operation(
                "startStreamRun",
                "Streams",
                "Start a stream run",
                "Starts a run of the stream's deployed version and returns at once with an "
                "`executionId`; follow it with **Get an execution**. A stream that is not "
                "deployed cannot be run (409).",
                "run:streams",
                {
                    "202": {
                        "description": "The run was started.",
                        "headers": {
                            "Location": {
                                "description": "URL of the execution.",
                                "schema": {"type": "string", "format": "uri"},
                            }
                        },
                        "content": _json_content(
                            "ExecutionStarted",
                            {"executionId": _EXAMPLE_EXECUTION_ID, "status": "RUNNING"},
                        ),
                    },
                    **_errors(
                        "BadRequest",
                        "Unauthorized",
                        "Forbidden",
                        "NotFound",
                        "Conflict",
                        "PayloadTooLarge",
                    ),
                },
                parameters=["StreamId"],
                request_body={
                    "required": False,
                    "content": _json_content(
                        "StreamRunInput", {"parameters": {"date": "2025-06-01"}}
                    ),
                },
            ),
        },
        EXECUTION: {
            "get": _operation(
                "getExecution",
                "Streams",
                "Get an execution",
                "The state of a run: `RUNNING` until it finishes, then `SUCCEEDED`.",
                "read:streams",
                {
                    "200": {
                        "description": "The execution.",
                        "content": _json_content("Execution", _EXECUTION_EXAMPLE),
                    },
                    **_errors("BadRequest", "Unauthorized", "Forbidden", "NotFound"),
                },
                parameters=["ExecutionId"],
            ),
        },
    }


def build_openapi(base_url: str) -> dict[str, Any]:
    """The OpenAPI 3.0.3 document for a sandbox reached at `base_url` (no trailing slash)."""
    base_url = base_url.rstrip("/")
    token_url = base_url + TOKEN_PATH
    document = {
        "openapi": "3.0.3",
        "info": {
            "title": TITLE,
            "version": "1.0.0",
            "description": (
                "A local stand-in for DigitalRoute's **Usage Engine Cloud Edition** API, "
                "served by the console's built-in sandbox.\n\n"
                "Get a token from the token endpoint (see the `oauth2` security scheme) "
                f"with `audience` set to `{base_url}/`, then send it as "
                "`Authorization: Bearer <access_token>`. Data lives in memory and is "
                "reset when the sandbox restarts."
            ),
        },
        "servers": [{"url": base_url, "description": "This sandbox"}],
        "tags": [
            {
                "name": "Meter types",
                "description": "Definitions of what is metered: unit, aggregation and reset "
                "schedule.",
            },
            {"name": "Meters", "description": "Usage counters that belong to a meter type."},
            {
                "name": "Streams",
                "description": "Stream management: list and read streams, start runs and "
                "follow their executions.",
            },
        ],
        "paths": _paths(),
        "components": _components(token_url),
    }
    # Shared example dicts are referenced from several places; hand out an independent copy.
    return copy.deepcopy(document)
