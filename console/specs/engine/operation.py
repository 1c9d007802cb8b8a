"""One operation, fully resolved, ready to become a form and a request.

Responses are resolved when they are first looked at (`LazyResponses`): the form never
needs them, and on specs whose schemas reference each other widely (Stripe's, Microsoft
Graph's) expanding every response is most of the work of opening an operation.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import SpecError
from .index import (
    HTTP_METHODS,
    check_parameters,
    generated_operation_id,
    merge_parameters,
    normalise_servers,
    security_scopes,
)
from .refs import RefError, follow, is_local_ref, iter_refs, lookup, resolve

DEFAULT_STYLES = {"path": "simple", "header": "simple", "query": "form", "cookie": "form"}
# Values one parameter or request body may resolve to; beyond it references are cut with
# ``x-truncated-ref``. Real request bodies stay far below (the largest of GitHub's, Stripe's
# and Kubernetes' descriptions, a Pod, resolves to about 5,300); Microsoft Graph's entity
# graph would otherwise expand to the resolver's own limit, in about a second per body.
FORM_MAX_NODES = 20_000
SHOWN_WARNINGS = 10  # an operation page lists this many, then "and N more"


@dataclass
class Parameter:
    """A resolved parameter. `schema` is resolved; `content_type` is set for ``content`` ones."""

    name: str
    location: str  # "path" | "query" | "header" | "cookie"
    required: bool = False
    description: str = ""
    schema: dict[str, Any] = field(default_factory=dict)
    style: str = "form"
    explode: bool = True
    example: Any = None
    examples: dict[str, Any] = field(default_factory=dict)  # name -> value
    deprecated: bool = False
    allow_empty_value: bool = False
    allow_reserved: bool = False
    content_type: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        """``(location, name)``, how values for this parameter are keyed."""
        return (self.location, self.name)


@dataclass
class MediaType:
    """One content type of a body or response, with its resolved schema and examples."""

    content_type: str
    schema: dict[str, Any] = field(default_factory=dict)
    example: Any = None
    examples: dict[str, Any] = field(default_factory=dict)  # name -> value
    encoding: dict[str, Any] = field(default_factory=dict)


@dataclass
class RequestBody:
    """A resolved request body."""

    required: bool = False
    description: str = ""
    content: dict[str, MediaType] = field(default_factory=dict)

    @property
    def content_types(self) -> list[str]:
        """The declared content types, in document order."""
        return list(self.content)


@dataclass
class Response:
    """A resolved response."""

    status: str  # "200", "4XX", "default"
    description: str = ""
    content: dict[str, MediaType] = field(default_factory=dict)
    headers: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> description, schema


@dataclass
class Operation:
    """Everything the console needs to show a form for an operation and send it."""

    method: str  # upper case
    path: str
    operation_id: str
    summary: str = ""
    description: str = ""
    tags: list[str] = field(default_factory=lambda: ["default"])
    deprecated: bool = False
    parameters: list[Parameter] = field(default_factory=list)
    request_body: RequestBody | None = None
    responses: Mapping[str, Response] = field(default_factory=dict)
    servers: list[dict[str, Any]] = field(default_factory=list)
    scopes: list[str] = field(default_factory=list)
    security: list[dict[str, list[str]]] = field(default_factory=list)
    openapi_version: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def shown_warnings(self) -> list[str]:
        """The warnings an operation page lists: each once, at most `SHOWN_WARNINGS`."""
        return list(dict.fromkeys(self.warnings))[:SHOWN_WARNINGS]

    @property
    def more_warnings(self) -> int:
        """How many distinct warnings `shown_warnings` leaves out."""
        return max(0, len(dict.fromkeys(self.warnings)) - SHOWN_WARNINGS)

    def parameter(self, location: str, name: str) -> Parameter | None:
        """The parameter declared at `location` with `name`, or None."""
        for param in self.parameters:
            if param.location == location and param.name == name:
                return param
        return None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _example_values(raw: Any) -> dict[str, Any]:
    """Example Objects (already resolved) → name → value (external ones as their URL)."""
    out: dict[str, Any] = {}
    if not isinstance(raw, dict):
        return out
    for name, example in raw.items():
        if isinstance(example, dict) and "value" in example:
            out[str(name)] = example["value"]
        elif isinstance(example, dict) and isinstance(example.get("externalValue"), str):
            out[str(name)] = example["externalValue"]
    return out


def _media_types(raw: Any) -> dict[str, MediaType]:
    out: dict[str, MediaType] = {}
    if not isinstance(raw, dict):
        return out
    for content_type, media in raw.items():
        media = media if isinstance(media, dict) else {}
        schema = media.get("schema")
        encoding = media.get("encoding")
        out[str(content_type)] = MediaType(
            content_type=str(content_type),
            schema=schema if isinstance(schema, dict) else {},
            example=media.get("example"),
            examples=_example_values(media.get("examples")),
            encoding=encoding if isinstance(encoding, dict) else {},
        )
    return out


def _parameter(data: dict[str, Any]) -> Parameter:
    location = data["in"]
    style = data.get("style")
    style = style if isinstance(style, str) and style else DEFAULT_STYLES[location]
    explode = data.get("explode")
    explode = explode if isinstance(explode, bool) else style == "form"
    schema = data.get("schema")
    content_type = None
    examples = _example_values(data.get("examples"))
    example = data.get("example")
    if not isinstance(schema, dict):
        schema = {}
        content = _media_types(data.get("content"))
        if content:
            media = next(iter(content.values()))
            content_type = media.content_type
            schema = media.schema
            if example is None:
                example = media.example
            examples = examples or media.examples
    if example is None and examples:
        example = next(iter(examples.values()))
    return Parameter(
        name=data["name"],
        location=location,
        required=location == "path" or data.get("required") is True,
        description=_text(data.get("description")),
        schema=schema,
        style=style,
        explode=explode,
        example=example,
        examples=examples,
        deprecated=data.get("deprecated") is True,
        allow_empty_value=data.get("allowEmptyValue") is True,
        allow_reserved=data.get("allowReserved") is True,
        content_type=content_type,
    )


def _request_body(document: dict[str, Any], raw: Any, warnings: list[str]) -> RequestBody | None:
    if raw is None:
        return None
    body = resolve(document, raw, warnings=warnings, max_nodes=FORM_MAX_NODES)
    if not isinstance(body, dict) or "x-unresolved-ref" in body or "x-external-ref" in body:
        raise SpecError("This operation's request body cannot be read.")
    return RequestBody(
        required=body.get("required") is True,
        description=_text(body.get("description")),
        content=_media_types(body.get("content")),
    )


def _response(document: dict[str, Any], status: str, raw: Any, warnings: list[str]) -> Response:
    response = resolve(document, raw, warnings=warnings)
    headers: dict[str, dict[str, Any]] = {}
    if isinstance(response.get("headers"), dict):
        for name, header in response["headers"].items():
            if isinstance(header, dict):
                schema = header.get("schema")
                headers[str(name)] = {
                    "description": _text(header.get("description")),
                    "schema": schema if isinstance(schema, dict) else {},
                    "required": header.get("required") is True,
                }
    return Response(
        status=status,
        description=_text(response.get("description")),
        content=_media_types(response.get("content")),
        headers=headers,
    )


class LazyResponses(Mapping[str, Response]):
    """An operation's responses by status, each resolved the first time it is read.

    The statuses are known at once. References written directly in a response that point
    outside the document or at nothing are reported in the operation's warnings at once,
    as eager resolution would; ones met deeper are added when the response is resolved.
    """

    def __init__(self, document: dict[str, Any], raw: Any, warnings: list[str]) -> None:
        self._document = document
        self._warnings = warnings
        self._raw: dict[str, Any] = {}
        self._resolved: dict[str, Response] = {}
        if not isinstance(raw, dict):
            return
        for status, raw_response in raw.items():
            if not isinstance(raw_response, dict):
                continue
            try:
                target, _ = follow(document, raw_response)
            except RefError:
                target = {}  # resolves to a marker object, as eager resolution does
            if isinstance(target, dict):
                self._raw[str(status)] = raw_response
                self._note_direct_refs(raw_response)

    def _note_direct_refs(self, raw: Any) -> None:
        for ref in iter_refs(raw):
            if not is_local_ref(ref):
                self._warn(f"The external reference {ref} was not followed.")
                continue
            try:
                lookup(self._document, ref)
            except RefError as exc:
                self._warn(exc.message)

    def _warn(self, message: str) -> None:
        if message not in self._warnings:
            self._warnings.append(message)

    def __getitem__(self, status: str) -> Response:
        found = self._resolved.get(status)
        if found is None:
            raw = self._raw[status]  # KeyError for a status the operation does not have
            found_warnings: list[str] = []
            found = _response(self._document, status, raw, found_warnings)
            for message in found_warnings:
                self._warn(message)
            self._resolved[status] = found
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def __repr__(self) -> str:
        return f"LazyResponses({list(self._raw)})"


def load_operation(document: dict[str, Any], method: str, path: str) -> Operation:
    """Resolve the operation `method` `path` of a loaded document.

    Parameters (path-level merged with the operation's), the request body and responses
    are resolved (see `refs.resolve`); servers fall back from operation to path to document
    to ``[{"url": "/"}]``; scopes from the operation's ``security`` or the document's.
    Raises `SpecError` when the operation does not exist or is unusable; lesser problems
    (external or missing references inside schemas) are listed in `warnings`.
    """
    method_key = method.lower()
    if method_key not in HTTP_METHODS:
        raise SpecError(f"{method.upper()} is not an HTTP method OpenAPI describes.")
    paths = document.get("paths")
    if not isinstance(paths, dict) or path not in paths:
        raise SpecError(f"The document has no path {path}.")
    try:
        item, _ = follow(document, paths[path])
    except RefError as exc:
        raise SpecError(f"The path {path} cannot be read: {exc.message}") from None
    if not isinstance(item, dict) or not isinstance(item.get(method_key), dict):
        raise SpecError(f"The document has no operation {method.upper()} {path}.")
    op = item[method_key]
    base = f"paths.{path}"
    path_params, problems = check_parameters(document, item.get("parameters"), f"{base}.parameters")
    op_params, op_problems = check_parameters(
        document, op.get("parameters"), f"{base}.{method_key}.parameters"
    )
    merged, merge_problems = merge_parameters(path_params, op_params)
    problems += op_problems + merge_problems
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise SpecError(f"This operation cannot be used: {errors[0]}.")
    warnings = [str(p) for p in problems]
    parameters: list[Parameter] = []
    for raw in merged:
        data = resolve(document, raw.data, warnings=warnings, max_nodes=FORM_MAX_NODES)
        data["name"], data["in"] = raw.name, raw.location
        parameters.append(_parameter(data))
    request_body = _request_body(document, op.get("requestBody"), warnings)
    responses = LazyResponses(document, op.get("responses"), warnings)
    servers = (
        normalise_servers(op.get("servers"))
        or normalise_servers(item.get("servers"))
        or normalise_servers(document.get("servers"))
        or [{"url": "/", "description": "", "variables": {}}]
    )
    security = op.get("security") if "security" in op else document.get("security")
    scopes, requirements = security_scopes(security)
    tags = op.get("tags")
    tags = [t for t in tags if isinstance(t, str) and t] if isinstance(tags, list) else []
    op_id = op.get("operationId")
    return Operation(
        method=method_key.upper(),
        path=path,
        operation_id=op_id.strip()
        if isinstance(op_id, str) and op_id.strip()
        else generated_operation_id(method_key, path),
        summary=_text(op.get("summary")).strip() or _text(item.get("summary")).strip(),
        description=_text(op.get("description")) or _text(item.get("description")),
        tags=tags or ["default"],
        deprecated=op.get("deprecated") is True,
        parameters=parameters,
        request_body=request_body,
        responses=responses,
        servers=servers,
        scopes=scopes,
        security=requirements,
        openapi_version=str(document.get("openapi", "")),
        warnings=warnings,
    )
