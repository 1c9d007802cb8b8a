"""A local echo server with its own OpenAPI document, for what the sandbox's spec lacks.

`EchoServer` listens on 127.0.0.1 and a free port. It has a token endpoint (the
scope string of its tokens is settable), serves `echo_spec_document()` at
``/openapi.json`` and records every ``/v1/…`` request exactly as it arrived (method,
path, raw query, headers and body bytes), answering:

* ``GET /v1/widgets``: a list that matches the spec;
* ``POST /v1/widgets``: 201 with a widget that matches the spec;
* ``GET /v1/mismatch``: a body that does not match the spec's schema;
* ``GET /v1/teapot``: status 418, which the spec does not describe;
* anything else: 200 with a short JSON summary of what was received.

The spec covers: JSON bodies (a flat object, a oneOf), an
``application/x-www-form-urlencoded`` body, a ``multipart/form-data`` body with files,
one body in three content types, query parameters with limits, scopes (one or
alternative requirements) and a deprecated operation.
"""

from __future__ import annotations

import contextlib
import email.parser
import email.policy
import json
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from console.specs.models import Operation
from console.specs.services import ImportResult, spec_import
from console.vault import services as vault
from console.vault.models import ApplicationAccess, Environment
from tests.conftest import Person
from tests.explorer.support import TOKEN_PATH, find_operation

ECHO_CLIENT_ID = "echo-client-0007"
ECHO_SECRET = "echo-secret-Hq2mV7xPz4"
ALL_ECHO_SCOPES = "read:widgets write:widgets admin:widgets files:upload"


def _widget_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["name"],
        "properties": {
            "id": {"type": "string", "readOnly": True},
            "name": {"type": "string", "minLength": 1, "maxLength": 20},
            "size": {"type": "integer", "minimum": 1, "maximum": 10},
            "color": {"type": "string", "enum": ["red", "green", "blue"]},
            "active": {"type": "boolean"},
            "price": {"type": "number"},
            "tags": {"type": "array", "items": {"type": "string"}},
        },
    }


def echo_spec_document() -> dict[str, Any]:
    """The echo server's OpenAPI 3.0 document."""
    widget = {"$ref": "#/components/schemas/Widget"}
    echoed = {"200": {"description": "What the server received."}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "Echo API", "version": "1"},
        "components": {
            "securitySchemes": {
                "oauth2": {
                    "type": "oauth2",
                    "flows": {
                        "clientCredentials": {
                            "tokenUrl": TOKEN_PATH,
                            "scopes": {s: s for s in ALL_ECHO_SCOPES.split()},
                        }
                    },
                }
            },
            "schemas": {
                "Widget": _widget_schema(),
                "Note": {
                    "type": "object",
                    "properties": {"text": {"type": "string"}, "pinned": {"type": "boolean"}},
                },
                "Circle": {
                    "title": "Circle",
                    "type": "object",
                    "required": ["kind", "radius"],
                    "properties": {
                        "kind": {"type": "string", "enum": ["circle"]},
                        "radius": {"type": "number", "minimum": 0, "example": 2.5},
                    },
                },
                "Square": {
                    "title": "Square",
                    "type": "object",
                    "required": ["kind", "side"],
                    "properties": {
                        "kind": {"type": "string", "enum": ["square"]},
                        "side": {"type": "integer", "minimum": 1, "example": 4},
                    },
                },
            },
        },
        "security": [{"oauth2": ["read:widgets"]}],
        "paths": {
            "/v1/widgets": {
                "get": {
                    "operationId": "listWidgets",
                    "summary": "List widgets",
                    "tags": ["Widgets"],
                    "parameters": [
                        {
                            "name": "limit",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 1, "maximum": 100},
                        },
                        {
                            "name": "since",
                            "in": "query",
                            "schema": {"type": "string", "format": "date"},
                        },
                        {
                            "name": "q",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "The widgets.",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["widgets"],
                                        "properties": {
                                            "widgets": {"type": "array", "items": widget}
                                        },
                                    }
                                }
                            },
                        },
                        "default": {"description": "An error."},
                    },
                },
                "post": {
                    "operationId": "createWidget",
                    "summary": "Create a widget",
                    "tags": ["Widgets"],
                    "security": [{"oauth2": ["write:widgets"]}],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": widget,
                                "example": {"name": "Sprocket", "size": 3, "color": "green"},
                            }
                        },
                    },
                    "responses": {
                        "201": {
                            "description": "Created.",
                            "content": {"application/json": {"schema": widget}},
                        }
                    },
                },
            },
            "/v1/widgets/{widgetId}": {
                "delete": {
                    "operationId": "deleteWidget",
                    "summary": "Delete a widget",
                    "tags": ["Widgets"],
                    "deprecated": True,
                    "security": [{"oauth2": ["admin:widgets"]}],
                    "parameters": [
                        {
                            "name": "widgetId",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": echoed,
                }
            },
            "/v1/either": {
                "get": {
                    "operationId": "readEither",
                    "summary": "Read with either scope",
                    "tags": ["Widgets"],
                    "security": [{"oauth2": ["admin:widgets"]}, {"oauth2": ["read:widgets"]}],
                    "responses": echoed,
                }
            },
            "/v1/shapes": {
                "post": {
                    "operationId": "createShape",
                    "summary": "Create a shape",
                    "tags": ["Shapes"],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "oneOf": [
                                        {"$ref": "#/components/schemas/Circle"},
                                        {"$ref": "#/components/schemas/Square"},
                                    ]
                                }
                            }
                        },
                    },
                    "responses": echoed,
                }
            },
            "/v1/forms": {
                "post": {
                    "operationId": "submitForm",
                    "summary": "Submit a form",
                    "tags": ["Forms"],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/x-www-form-urlencoded": {
                                "schema": {
                                    "type": "object",
                                    "required": ["name"],
                                    "properties": {
                                        "name": {"type": "string"},
                                        "count": {"type": "integer", "maximum": 10},
                                        "choice": {"type": "string", "enum": ["a b", "c&d"]},
                                        "flags": {"type": "array", "items": {"type": "string"}},
                                    },
                                }
                            }
                        },
                    },
                    "responses": echoed,
                }
            },
            "/v1/uploads": {
                "post": {
                    "operationId": "uploadFile",
                    "summary": "Upload a file",
                    "tags": ["Forms"],
                    "security": [{"oauth2": ["files:upload"]}],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "multipart/form-data": {
                                "schema": {
                                    "type": "object",
                                    "required": ["title", "file"],
                                    "properties": {
                                        "title": {"type": "string"},
                                        "file": {"type": "string", "format": "binary"},
                                        "attachments": {
                                            "type": "array",
                                            "items": {"type": "string", "format": "binary"},
                                        },
                                        "meta": {"type": "object"},
                                        "password": {"type": "string"},
                                    },
                                },
                                "encoding": {"file": {"contentType": "text/csv"}},
                            }
                        },
                    },
                    "responses": echoed,
                }
            },
            "/v1/notes": {
                "post": {
                    "operationId": "createNote",
                    "summary": "Create a note",
                    "tags": ["Forms"],
                    "requestBody": {
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Note"}},
                            "application/x-www-form-urlencoded": {
                                "schema": {"$ref": "#/components/schemas/Note"}
                            },
                            "text/plain": {"schema": {"type": "string"}, "example": "Dear API,"},
                        }
                    },
                    "responses": echoed,
                }
            },
            "/v1/mismatch": {
                "get": {
                    "operationId": "getMismatch",
                    "summary": "Answer against the spec",
                    "tags": ["Checks"],
                    "responses": {
                        "2XX": {
                            "description": "A thing.",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["id", "count"],
                                        "properties": {
                                            "id": {"type": "string"},
                                            "count": {"type": "integer"},
                                        },
                                    }
                                }
                            },
                        }
                    },
                }
            },
            "/v1/teapot": {
                "get": {
                    "operationId": "getTeapot",
                    "summary": "Answer with a status the spec lacks",
                    "tags": ["Checks"],
                    "responses": echoed,
                }
            },
        },
    }


@dataclass
class Received:
    """One API request exactly as the echo server received it."""

    method: str
    path: str
    raw_query: str
    headers: dict[str, str]  # names lowercased
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    def json(self) -> Any:
        return json.loads(self.body)

    def form_pairs(self) -> list[tuple[str, str]]:
        """The body read as application/x-www-form-urlencoded, in order."""
        return parse_qsl(self.body.decode("ascii"), keep_blank_values=True, strict_parsing=True)

    def multipart(self) -> list[dict[str, Any]]:
        """The body read as multipart/form-data: name, filename, content type, bytes."""
        head = f"Content-Type: {self.content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + self.body)
        assert message.is_multipart()
        return [
            {
                "name": part.get_param("name", header="content-disposition"),
                "filename": part.get_filename(),
                "content_type": part.get("Content-Type"),
                "data": part.get_payload(decode=True),
            }
            for part in message.iter_parts()
        ]


class EchoServer:
    """State of the echo server (see the module docstring)."""

    def __init__(self) -> None:
        self.url = ""
        self.lock = threading.Lock()
        self.token_scope = ALL_ECHO_SCOPES
        self.received: list[Received] = []
        self.token_requests = 0

    def api(self) -> list[Received]:
        with self.lock:
            return list(self.received)


def _answer(request: Received) -> tuple[int, Any]:
    if request.path == "/v1/widgets" and request.method == "GET":
        return 200, {"widgets": [{"id": "w1", "name": "Sprocket", "size": 3}]}
    if request.path == "/v1/widgets" and request.method == "POST":
        return 201, {"id": "w2", **json.loads(request.body or b"{}")}
    if request.path == "/v1/mismatch":
        return 200, {"id": 5, "extra": True}
    if request.path == "/v1/teapot":
        return 418, {"error": "teapot"}
    return 200, {
        "method": request.method,
        "contentType": request.content_type,
        "bytes": len(request.body),
    }


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _reply(self, status: int, payload: Any) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _dispatch(self) -> None:
        echo = self.server.echo
        length = int(self.headers.get("Content-Length") or 0)
        parts = urlsplit(self.path)
        request = Received(
            method=self.command,
            path=parts.path,
            raw_query=parts.query,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=self.rfile.read(length) if length else b"",
        )
        if request.path == "/openapi.json":
            self._reply(200, echo_spec_document())
        elif request.path == TOKEN_PATH:
            with echo.lock:
                echo.token_requests += 1
                scope = echo.token_scope
            token = f"echo-token-{uuid.uuid4().hex}"
            self._reply(
                200,
                {"access_token": token, "token_type": "Bearer", "expires_in": 3600, "scope": scope},
            )
        elif request.path.startswith("/v1/"):
            with echo.lock:
                echo.received.append(request)
            self._reply(*_answer(request))
        else:
            self._reply(404, {"error": "not_found"})

    def finish(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            super().finish()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _dispatch


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    echo: EchoServer


@pytest.fixture
def echo() -> Iterator[EchoServer]:
    """A fresh echo server on 127.0.0.1 and a free port."""
    state = EchoServer()
    server = _Server(("127.0.0.1", 0), _Handler)
    server.echo = state
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def echo_access(admin: Person, echo: EchoServer) -> ApplicationAccess:
    """Application Access in an environment that is the echo server."""
    env = vault.environment_save(
        scope=admin.scope, environment=Environment(name="Echo", base_url=echo.url)
    )
    return vault.access_create(
        scope=admin.scope,
        name="Echo access",
        environment=env,
        client_id=ECHO_CLIENT_ID,
        client_secret=ECHO_SECRET,
    )


@pytest.fixture
def echo_spec(admin: Person, echo: EchoServer) -> ImportResult:
    """The echo server's OpenAPI document, imported by URL as an admin would."""
    return spec_import(scope=admin.scope, name="Echo API", url=echo.url + "/openapi.json")


@pytest.fixture
def echo_op(echo_spec: ImportResult) -> Any:
    """Look an operation of the imported echo spec up by operationId."""

    def find(operation_id: str) -> Operation:
        return find_operation(echo_spec.version, operation_id)

    return find
