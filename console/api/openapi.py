"""The console's own API described as OpenAPI 3.1, served at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

ERROR = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string", "examples": ["unauthorized", "not_found", "invalid"]},
        "message": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}


def _refusals(*statuses: int) -> dict[str, Any]:
    words = {
        400: "The request does not match the operation's spec (fields name what).",
        401: "No token, or a token unknown, revoked or expired.",
        403: "The token's role is too low.",
        404: "No such team, operation, access or record (also another team's).",
        409: "Confirm a production call, or name the spec of an ambiguous operationId.",
        429: "More calls than the token's rate allows; see Retry-After.",
        502: "Usage Engine did not answer (the record says why).",
    }
    return {
        str(s): {
            "description": words[s],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for s in statuses
    }


def _path_param(name: str, kind: str = "string") -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": kind}}


TEAM = _path_param("team")
ID = _path_param("id", "integer")


def _read(operation_id: str, summary: str, answer: str, *parameters: Any) -> dict[str, Any]:
    """A GET of the API: its parameters after the team, its answer, its refusals."""
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "parameters": [TEAM, *parameters],
            "responses": {"200": {"description": answer}, **_refusals(401, 404, 429)},
        }
    }


PAGING = [
    {"name": "before", "in": "query", "schema": {"type": "integer"}, "description": "Keyset."},
    {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 200}},
]


def document(server: str) -> dict[str, Any]:
    """The API's OpenAPI document, with `server` (the console's address) as its server."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Usage Engine Console API",
            "version": "1",
            "description": (
                "Call Usage Engine through the console with a console API token: the team's "
                "managed token is added on the server, and every call is in the team's "
                "history. Make a token under Settings → API tokens."
            ),
        },
        "servers": [{"url": server.rstrip("/")}],
        "security": [{"consoleToken": []}],
        "components": {
            "securitySchemes": {
                "consoleToken": {"type": "http", "scheme": "bearer", "bearerFormat": "uec_…"}
            },
            "schemas": {
                "Error": ERROR,
                "Call": {
                    "type": "object",
                    "required": ["access"],
                    "properties": {
                        "access": {"type": "string", "description": "Application Access name."},
                        "params": {
                            "type": "object",
                            "description": "Parameters by name (or location:name); "
                            "{{variables}} in values and the body are the team's.",
                        },
                        "body": {"description": "The request body (JSON, or a form's fields)."},
                        "spec": {"type": "string", "description": "When several specs match."},
                        "confirm_production": {
                            "type": "string",
                            "description": "The production environment's name, to confirm.",
                        },
                    },
                },
                "Answer": {
                    "type": "object",
                    "properties": {
                        "record_id": {"type": "integer"},
                        "status": {"type": "integer"},
                        "headers": {"type": "array", "items": {"type": "array"}},
                        "body": {},
                        "body_base64": {"type": "string"},
                        "truncated": {"type": "boolean"},
                        "duration_ms": {"type": "number"},
                        "method": {"type": "string"},
                        "url": {"type": "string"},
                    },
                },
            },
        },
        "paths": {
            "/api/v1/t/{team}/operations/{operationId}/call": {
                "post": {
                    "operationId": "callOperation",
                    "summary": "Call an operation of the team's specs",
                    "parameters": [
                        TEAM,
                        {
                            "name": "operationId",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Call"}}
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "Sent: Usage Engine's answer, whatever its status.",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Answer"}
                                }
                            },
                        },
                        **_refusals(400, 401, 403, 404, 409, 429, 502),
                    },
                }
            },
            "/api/v1/t/{team}/operations/{operationId}/bulk": {
                "post": {
                    "operationId": "startBulkRun",
                    "summary": "Call an operation once per CSV row, on the task queue",
                    "parameters": [
                        TEAM,
                        {
                            "name": "operationId",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["access", "csv"],
                                    "properties": {
                                        "access": {"type": "string"},
                                        "csv": {
                                            "type": "string",
                                            "description": "With a header row.",
                                        },
                                        "mapping": {
                                            "type": "object",
                                            "description": "Field to column (guessed).",
                                        },
                                        "concurrency": {"type": "integer", "minimum": 1},
                                        "only_valid": {"type": "boolean"},
                                        "confirm_production": {"type": "string"},
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "202": {"description": "Started: poll the run."},
                        **_refusals(400, 401, 403, 404, 429),
                    },
                }
            },
            "/api/v1/t/{team}/bulk/{id}": _read(
                "getBulkRun", "A bulk run's progress", "Its state and counts.", ID
            ),
            "/api/v1/t/{team}/operations": _read(
                "listOperations",
                "The operations of each spec's newest version",
                "A page of operations.",
                *PAGING,
                {"name": "spec", "in": "query", "schema": {"type": "string"}},
            ),
            "/api/v1/t/{team}/history": _read(
                "listHistory", "The team's calls, newest first", "A page of records.", *PAGING
            ),
            "/api/v1/t/{team}/history/{id}": _read(
                "getRecord", "One call as recorded (secrets redacted)", "The record.", ID
            ),
            "/proxy/t/{team}/{access}/{path}": {
                "description": (
                    "Any method: the request as sent goes to the Application Access's "
                    "environment, with the managed token; the answer comes back as it is. "
                    "Mutating calls to production need the header "
                    "X-Console-Confirm-Production naming the environment."
                ),
                "parameters": [
                    TEAM,
                    {
                        "name": "access",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    },
                    {"name": "path", "in": "path", "required": True, "schema": {"type": "string"}},
                ],
                "get": {
                    "operationId": "passThrough",
                    "summary": "Pass a request through to Usage Engine",
                    "responses": {"default": {"description": "Usage Engine's answer."}},
                },
            },
        },
    }
