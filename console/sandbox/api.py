"""The sandbox's REST resources (meter types, meters, streams, executions) and their routing.

Every operation is listed once in OPERATIONS, with its method, path template, operation
id and required scope; the OpenAPI document is checked against that list in the tests
so the two cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# The path templates live with the document (validation reads its schemas from there too).
from console.sandbox.openapi import (
    EXECUTION,
    METER,
    METER_TYPE,
    METER_TYPES,
    METERS,
    STREAM,
    STREAM_RUNS,
    STREAMS,
)
from console.sandbox.store import Conflict, NotFound, Store
from console.sandbox.tokens import TokenError, TokenService
from console.sandbox.validation import (
    ValidationError,
    is_uuid,
    validate_meter_input,
    validate_meter_type_input,
    validate_run_input,
    validate_stream_query,
)
from console.sandbox.web import BadJson, Request, Response, empty_response, json_response

_REALM = 'realm="Usage Engine sandbox"'


@dataclass(frozen=True)
class Operation:
    """One API operation: how it is reached and which scope it needs."""

    method: str
    path: str  # template with {param} placeholders, as in the OpenAPI document
    operation_id: str
    scope: str
    handler: str  # name of the Api method that answers it

    @property
    def pattern(self) -> re.Pattern[str]:
        """A regex matching concrete paths, with one named group per placeholder."""
        return re.compile(
            "^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(self.path)) + "$"
        )


OPERATIONS: tuple[Operation, ...] = (
    Operation("GET", METER_TYPES, "listMeterTypes", "read:meter_types", "list_meter_types"),
    Operation("POST", METER_TYPES, "createMeterType", "create:meter_types", "create_meter_type"),
    Operation("GET", METER_TYPE, "getMeterType", "read:meter_types", "get_meter_type"),
    Operation("PUT", METER_TYPE, "updateMeterType", "update:meter_types", "update_meter_type"),
    Operation("DELETE", METER_TYPE, "deleteMeterType", "delete:meter_types", "delete_meter_type"),
    Operation("GET", METERS, "listMeters", "read:meters", "list_meters"),
    Operation("POST", METERS, "createMeter", "create:meters", "create_meter"),
    Operation("GET", METER, "getMeter", "read:meters", "get_meter"),
    Operation("DELETE", METER, "deleteMeter", "delete:meters", "delete_meter"),
    Operation("GET", STREAMS, "listStreams", "read:streams", "list_streams"),
    Operation("GET", STREAM, "getStream", "read:streams", "get_stream"),
    Operation("POST", STREAM_RUNS, "startStreamRun", "run:streams", "start_stream_run"),
    Operation("GET", EXECUTION, "getExecution", "read:streams", "get_execution"),
)
API_PREFIXES: tuple[str, ...] = ("/metering/", "/stream-management/")


class ApiError(Exception):
    """An error answer: HTTP status, short code, human message and optional field errors."""

    def __init__(
        self,
        status: int,
        error: str,
        message: str,
        fields: dict[str, str] | None = None,
        headers: list[tuple[str, str]] | tuple = (),
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message
        self.fields = fields
        self.headers = list(headers)

    def response(self) -> Response:
        """The JSON response for this error."""
        payload: dict[str, Any] = {"error": self.error, "message": self.message}
        if self.fields:
            payload["fields"] = self.fields
        return json_response(self.status, payload, self.headers)


def error_response(status: int, error: str, message: str, headers: tuple = ()) -> Response:
    """A JSON error response {"error": ..., "message": ...}."""
    return ApiError(status, error, message, headers=headers).response()


def _bearer_token(request: Request) -> str:
    """The token from `Authorization: Bearer ...`, or raise a 401 ApiError."""
    header = request.headers.get("authorization", "").strip()
    if not header:
        raise ApiError(
            401,
            "unauthorized",
            "Missing bearer token: send Authorization: Bearer <access_token>.",
            headers=[("WWW-Authenticate", f"Bearer {_REALM}")],
        )
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise ApiError(
            401,
            "unauthorized",
            "The Authorization header must use the Bearer scheme.",
            headers=[("WWW-Authenticate", f'Bearer {_REALM}, error="invalid_request"')],
        )
    return token


class Api:
    """Routes API requests to handlers after checking the token and its scope."""

    def __init__(self, store: Store, tokens: TokenService) -> None:
        """Serve `store`'s data to callers holding tokens signed by `tokens`."""
        self.store = store
        self.tokens = tokens
        self._routes = [(op, op.pattern) for op in OPERATIONS]

    @staticmethod
    def owns(path: str) -> bool:
        """True for paths in the API's namespace (anything else is not ours to answer)."""
        return path.startswith(API_PREFIXES)

    def handle(self, request: Request, audience: str) -> Response:
        """Answer one API request (errors included) for tokens issued to `audience`."""
        try:
            return self._handle(request, audience)
        except ApiError as exc:
            return exc.response()

    def _handle(self, request: Request, audience: str) -> Response:
        matches = []
        for operation, pattern in self._routes:
            found = pattern.match(request.path)
            if found:
                matches.append((operation, found.groupdict()))
        if not matches:
            raise ApiError(404, "not_found", f"No resource at {request.path}.")
        chosen = next(((op, p) for op, p in matches if op.method == request.method), None)
        if chosen is None:
            allowed = ", ".join(sorted({op.method for op, _ in matches}))
            raise ApiError(
                405,
                "method_not_allowed",
                f"{request.method} is not allowed on {request.path}; allowed: {allowed}.",
                headers=[("Allow", allowed)],
            )
        operation, params = chosen

        try:
            claims = self.tokens.verify(_bearer_token(request), audience)
        except TokenError as exc:
            raise ApiError(
                401,
                "unauthorized",
                str(exc),
                headers=[("WWW-Authenticate", f'Bearer {_REALM}, error="invalid_token"')],
            ) from exc
        if operation.scope not in claims["scope"].split():
            raise ApiError(
                403,
                "forbidden",
                f"Missing scope: {operation.scope}",
                headers=[
                    (
                        "WWW-Authenticate",
                        f'Bearer {_REALM}, error="insufficient_scope", scope="{operation.scope}"',
                    )
                ],
            )

        bad_ids = {name: "Must be a UUID." for name, value in params.items() if not is_uuid(value)}
        if bad_ids:
            raise ApiError(400, "bad_request", "A path parameter is not a valid UUID.", bad_ids)
        if request.body_too_large:
            raise ApiError(413, "payload_too_large", "The request body is larger than 1 MB.")

        handler: Callable[[Request, dict[str, str]], Response] = getattr(self, operation.handler)
        try:
            return handler(request, {k: v.lower() for k, v in params.items()})
        except NotFound as exc:
            raise ApiError(404, "not_found", str(exc)) from exc
        except Conflict as exc:
            raise ApiError(409, "conflict", str(exc)) from exc
        except ValidationError as exc:
            raise ApiError(400, "bad_request", exc.message, exc.fields) from exc

    @staticmethod
    def _json_body(request: Request, optional: bool = False) -> Any:
        """The decoded JSON body (None when empty and `optional`), or a 400 ApiError."""
        if not request.body.strip():
            if optional:
                return None
            raise ApiError(400, "bad_request", "A JSON request body is required.")
        try:
            return request.json()
        except BadJson as exc:
            raise ApiError(400, "bad_request", str(exc)) from exc

    # -- meter types ---------------------------------------------------------------------

    def list_meter_types(self, request: Request, params: dict[str, str]) -> Response:
        """GET /metering/v1/meter-types."""
        return json_response(200, {"meterTypes": self.store.list_meter_types()})

    def create_meter_type(self, request: Request, params: dict[str, str]) -> Response:
        """POST /metering/v1/meter-types."""
        data = validate_meter_type_input(self._json_body(request))
        created = self.store.create_meter_type(data)
        location = f"{request.base_url}{METER_TYPES}/{created['id']}"
        return json_response(201, created, [("Location", location)])

    def get_meter_type(self, request: Request, params: dict[str, str]) -> Response:
        """GET /metering/v1/meter-types/{meterTypeId}."""
        return json_response(200, self.store.get_meter_type(params["meterTypeId"]))

    def update_meter_type(self, request: Request, params: dict[str, str]) -> Response:
        """PUT /metering/v1/meter-types/{meterTypeId} (replaces the editable fields)."""
        self.store.get_meter_type(params["meterTypeId"])  # 404 before validating the body
        data = validate_meter_type_input(self._json_body(request))
        return json_response(200, self.store.update_meter_type(params["meterTypeId"], data))

    def delete_meter_type(self, request: Request, params: dict[str, str]) -> Response:
        """DELETE /metering/v1/meter-types/{meterTypeId}."""
        self.store.delete_meter_type(params["meterTypeId"])
        return empty_response(204)

    # -- meters --------------------------------------------------------------------------

    def list_meters(self, request: Request, params: dict[str, str]) -> Response:
        """GET /metering/v1/meter-types/{meterTypeId}/meters."""
        return json_response(200, {"meters": self.store.list_meters(params["meterTypeId"])})

    def create_meter(self, request: Request, params: dict[str, str]) -> Response:
        """POST /metering/v1/meter-types/{meterTypeId}/meters."""
        self.store.get_meter_type(params["meterTypeId"])
        data = validate_meter_input(self._json_body(request))
        created = self.store.create_meter(params["meterTypeId"], data)
        location = f"{request.base_url}{METER_TYPES}/{params['meterTypeId']}/meters/{created['id']}"
        return json_response(201, created, [("Location", location)])

    def get_meter(self, request: Request, params: dict[str, str]) -> Response:
        """GET /metering/v1/meter-types/{meterTypeId}/meters/{meterId}."""
        return json_response(200, self.store.get_meter(params["meterTypeId"], params["meterId"]))

    def delete_meter(self, request: Request, params: dict[str, str]) -> Response:
        """DELETE /metering/v1/meter-types/{meterTypeId}/meters/{meterId}."""
        self.store.delete_meter(params["meterTypeId"], params["meterId"])
        return empty_response(204)

    # -- streams -------------------------------------------------------------------------

    def list_streams(self, request: Request, params: dict[str, str]) -> Response:
        """GET /stream-management/v1/streams?page=&pageSize=&name=."""
        page, page_size, name = validate_stream_query(request.query)
        items, total = self.store.list_streams(name, page, page_size)
        return json_response(
            200,
            {
                "streams": items,
                "page": page,
                "pageSize": page_size,
                "totalItems": total,
                "totalPages": -(-total // page_size),  # ceiling division
            },
        )

    def get_stream(self, request: Request, params: dict[str, str]) -> Response:
        """GET /stream-management/v1/streams/{streamId}."""
        return json_response(200, self.store.get_stream(params["streamId"]))

    def start_stream_run(self, request: Request, params: dict[str, str]) -> Response:
        """POST /stream-management/v1/streams/{streamId}/runs (202, follow the execution)."""
        self.store.get_stream(params["streamId"])
        parameters = validate_run_input(self._json_body(request, optional=True))
        execution = self.store.start_run(params["streamId"], parameters)
        location = f"{request.base_url}/stream-management/v1/executions/{execution['executionId']}"
        return json_response(
            202,
            {"executionId": execution["executionId"], "status": execution["status"]},
            [("Location", location)],
        )

    def get_execution(self, request: Request, params: dict[str, str]) -> Response:
        """GET /stream-management/v1/executions/{executionId}."""
        return json_response(200, self.store.get_execution(params["executionId"]))
