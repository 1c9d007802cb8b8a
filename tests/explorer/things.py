"""A small "Things API" in versions, sent to the echo server (`tests.explorer.echo`).

Version 1 has path, query and header parameters (one of them a credential header the
history redacts), a JSON body with a secret-named property, an operation without
parameters, and one that version 2 drops:

* ``GET /v1/things/{thingId}`` (getThing): path ``thingId``, query ``limit`` and ``tags``
  (an array), headers ``X-Request-Tag`` and ``X-Api-Key``;
* ``POST /v1/things`` (createThing): JSON body ``{name, size, password}``;
* ``GET /v1/status`` (getStatus): nothing to fill in;
* ``DELETE /v1/things/{thingId}`` (deleteThing).

`things_document(2)` changes getThing (a new required query parameter ``region``),
rewords getStatus's description (documentation only: not a change) and removes
deleteThing. Versions are imported as an admin uploads them (`import_things`).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from console.specs.models import Operation, SpecVersion
from console.specs.services import ImportResult, spec_import
from tests.conftest import Person
from tests.explorer.support import find_operation

SPEC_NAME = "Things API"


def things_document(version: int = 1) -> dict[str, Any]:
    """The Things API as version `version` (1, 2, or 3 = 2 with one more reworded text)."""
    document: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {"title": "Things API", "version": str(version)},
        "paths": {
            "/v1/things/{thingId}": {
                "get": {
                    "operationId": "getThing",
                    "summary": "Read a thing",
                    "tags": ["Things"],
                    "parameters": [
                        {
                            "name": "thingId",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                        {
                            "name": "limit",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 1, "maximum": 100},
                        },
                        {
                            "name": "tags",
                            "in": "query",
                            "schema": {"type": "array", "items": {"type": "string"}},
                        },
                        {
                            "name": "X-Request-Tag",
                            "in": "header",
                            "schema": {"type": "string"},
                        },
                        {"name": "X-Api-Key", "in": "header", "schema": {"type": "string"}},
                    ],
                    "responses": {"200": {"description": "The thing."}},
                },
                "delete": {
                    "operationId": "deleteThing",
                    "summary": "Delete a thing",
                    "tags": ["Things"],
                    "parameters": [
                        {
                            "name": "thingId",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": {"200": {"description": "Deleted."}},
                },
            },
            "/v1/things": {
                "post": {
                    "operationId": "createThing",
                    "summary": "Create a thing",
                    "tags": ["Things"],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["name"],
                                    "properties": {
                                        "name": {"type": "string"},
                                        "size": {"type": "integer"},
                                        "password": {"type": "string"},
                                    },
                                },
                                "example": {"name": "Sprocket", "size": 3},
                            }
                        },
                    },
                    "responses": {"200": {"description": "Created."}},
                }
            },
            "/v1/status": {
                "get": {
                    "operationId": "getStatus",
                    "summary": "Read the status",
                    "description": "How the service is doing.",
                    "tags": ["Status"],
                    "responses": {"200": {"description": "The status."}},
                }
            },
        },
    }
    if version >= 2:
        document = copy.deepcopy(document)
        paths = document["paths"]
        paths["/v1/things/{thingId}"]["get"]["parameters"].append(
            {"name": "region", "in": "query", "required": True, "schema": {"type": "string"}}
        )
        del paths["/v1/things/{thingId}"]["delete"]
        paths["/v1/status"]["get"]["description"] = "How the service is doing, in short."
    if version >= 3:
        paths["/v1/status"]["get"]["description"] = "How the service is doing, today."
    return document


def import_things(admin: Person, version: int = 1) -> ImportResult:
    """Upload `things_document(version)` as the next version of the Things API."""
    return spec_import(
        scope=admin.scope,
        name=SPEC_NAME,
        data=json.dumps(things_document(version)).encode(),
        filename="things.json",
    )


@pytest.fixture
def things(admin: Person) -> ImportResult:
    """Version 1 of the Things API, uploaded by the admin."""
    return import_things(admin, 1)


@pytest.fixture
def things_op(things: ImportResult) -> Callable[..., Operation]:
    """An operation of the Things API by operationId (of v1, or of `version`)."""

    def find(operation_id: str, version: SpecVersion | None = None) -> Operation:
        return find_operation(version or things.version, operation_id)

    return find
