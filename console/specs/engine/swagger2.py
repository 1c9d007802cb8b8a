"""Swagger 2.0 → OpenAPI 3.0 conversion of what the console needs.

Covered: ``host``/``basePath``/``schemes`` → ``servers``; ``definitions`` → ``components.schemas``
(and every ``#/definitions/…`` reference); ``parameters`` (shared and per operation) with their
``collectionFormat`` → ``style``/``explode``; ``in: body`` → ``requestBody``; ``in: formData`` →
a form body (``multipart/form-data`` when the operation consumes it or uploads a file,
``application/x-www-form-urlencoded`` otherwise); responses with ``produces`` → ``content``;
``securityDefinitions`` → ``components.securitySchemes``; ``type: file`` → binary strings;
``x-nullable`` → ``nullable``; ``x-example`` → ``example``.

Anything malformed is copied as it is, so the indexer reports it with its location.
"""

from __future__ import annotations

from typing import Any

METHODS = ("get", "put", "post", "delete", "options", "head", "patch")

_SCHEMA_KEYS = (
    "type",
    "format",
    "default",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "enum",
    "multipleOf",
)
_LITERAL_KEYS = frozenset({"example", "examples", "default", "enum", "x-example", "x-examples"})
_REF_PREFIXES = (
    ("#/definitions/", "#/components/schemas/"),
    ("#/parameters/", "#/components/parameters/"),
    ("#/responses/", "#/components/responses/"),
)


def convert(document: dict[str, Any]) -> dict[str, Any]:
    """Return an OpenAPI 3.0.3 document equivalent (for the console's needs) to a Swagger 2.0 one.

    The input is not modified. The result carries ``x-converted-from: "swagger 2.0"``.
    """
    consumes = _media_types(document.get("consumes")) or ["application/json"]
    produces = _media_types(document.get("produces")) or ["application/json"]
    shared_params = document.get("parameters")
    shared_params = shared_params if isinstance(shared_params, dict) else {}

    out: dict[str, Any] = {"openapi": "3.0.3", "x-converted-from": "swagger 2.0"}
    out["info"] = document.get("info") if isinstance(document.get("info"), dict) else {}
    out["servers"] = _servers(document)
    for key in ("tags", "externalDocs", "security"):
        if key in document:
            out[key] = rewrite(document[key])
    for key, value in document.items():
        if isinstance(key, str) and key.startswith("x-"):
            out[key] = value

    components: dict[str, Any] = {}
    definitions = document.get("definitions")
    if isinstance(definitions, dict):
        components["schemas"] = rewrite(definitions)
    parameters: dict[str, Any] = {}
    request_bodies: dict[str, Any] = {}
    for name, param in shared_params.items():
        if isinstance(param, dict) and param.get("in") == "body":
            request_bodies[name] = _body(param, consumes)
        elif isinstance(param, dict) and param.get("in") == "formData":
            continue  # inlined into each operation's form body
        else:
            parameters[name] = _parameter(param)
    if parameters:
        components["parameters"] = parameters
    if request_bodies:
        components["requestBodies"] = request_bodies
    responses = document.get("responses")
    if isinstance(responses, dict):
        components["responses"] = {
            name: _response(response, produces) for name, response in responses.items()
        }
    schemes = document.get("securityDefinitions")
    if isinstance(schemes, dict):
        components["securitySchemes"] = {
            name: _security_scheme(scheme) for name, scheme in schemes.items()
        }
    if components:
        out["components"] = components

    paths = document.get("paths")
    if isinstance(paths, dict):
        out["paths"] = {
            path: _path_item(item, shared_params, consumes, produces)
            for path, item in paths.items()
        }
    else:
        out["paths"] = {}
    return out


def rewrite(node: Any) -> Any:
    """Copy a Swagger 2.0 fragment, rewriting refs and 2.0-only schema spellings for 3.0."""
    if isinstance(node, list):
        return [rewrite(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _LITERAL_KEYS or (isinstance(key, str) and key.startswith("x-")):
            out[key] = value
        elif key == "$ref" and isinstance(value, str):
            out[key] = _ref(value)
        else:
            out[key] = rewrite(value)
    if out.get("type") == "file":
        out["type"] = "string"
        out["format"] = "binary"
    if node.get("x-nullable") is True:
        out["nullable"] = True
    if isinstance(out.get("discriminator"), str):
        out["discriminator"] = {"propertyName": out["discriminator"]}
    return out


def _ref(ref: str) -> str:
    for old, new in _REF_PREFIXES:
        if ref.startswith(old):
            return new + ref[len(old) :]
    return ref


def _media_types(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, str) and item]


def _servers(document: dict[str, Any]) -> list[dict[str, Any]]:
    host = document.get("host")
    base_path = document.get("basePath")
    base_path = base_path if isinstance(base_path, str) else ""
    if base_path and not base_path.startswith("/"):
        base_path = "/" + base_path
    if isinstance(host, str) and host:
        schemes = [s for s in _media_types(document.get("schemes")) if s in ("http", "https")]
        return [{"url": f"{scheme}://{host}{base_path}"} for scheme in schemes or ["https"]]
    return [{"url": base_path or "/"}]


def _schema_from_items(source: dict[str, Any]) -> dict[str, Any]:
    """The schema of a 2.0 non-body parameter, header or items object."""
    schema: dict[str, Any] = {key: source[key] for key in _SCHEMA_KEYS if key in source}
    items = source.get("items")
    if isinstance(items, dict):
        schema["items"] = rewrite(items) if "$ref" in items else _schema_from_items(items)
    if schema.get("type") == "file":
        schema["type"] = "string"
        schema["format"] = "binary"
    if source.get("x-nullable") is True:
        schema["nullable"] = True
    return schema


def _style(param: dict[str, Any]) -> dict[str, Any]:
    if param.get("type") != "array":
        return {}
    location = param.get("in")
    fmt = param.get("collectionFormat", "csv")
    if fmt == "multi":
        return {"style": "form", "explode": True}
    if fmt == "ssv" and location == "query":
        return {"style": "spaceDelimited", "explode": False}
    if fmt == "pipes" and location == "query":
        return {"style": "pipeDelimited", "explode": False}
    if location in ("path", "header"):
        return {"style": "simple", "explode": False}
    return {"style": "form", "explode": False}


def _parameter(param: Any) -> Any:
    if not isinstance(param, dict):
        return param
    if "$ref" in param:
        return rewrite(param)
    out: dict[str, Any] = {}
    for key in ("name", "in", "description", "required", "allowEmptyValue", "deprecated"):
        if key in param:
            out[key] = param[key]
    for key, value in param.items():
        if isinstance(key, str) and key.startswith("x-") and key != "x-example":
            out[key] = value
    out["schema"] = _schema_from_items(param)
    out.update(_style(param))
    if "x-example" in param:
        out["example"] = param["x-example"]
    return out


def _body(param: dict[str, Any], consumes: list[str]) -> dict[str, Any]:
    schema = rewrite(param.get("schema")) if isinstance(param.get("schema"), dict) else {}
    examples = param.get("x-examples") if isinstance(param.get("x-examples"), dict) else {}
    content: dict[str, Any] = {}
    for media_type in consumes:
        entry: dict[str, Any] = {"schema": schema}
        if media_type in examples:
            entry["example"] = examples[media_type]
        content[media_type] = entry
    body: dict[str, Any] = {"content": content, "required": bool(param.get("required"))}
    if isinstance(param.get("description"), str):
        body["description"] = param["description"]
    if isinstance(param.get("name"), str):
        body["x-body-name"] = param["name"]
    return body


def _form_body(fields: list[dict[str, Any]], consumes: list[str]) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    required: list[str] = []
    has_file = False
    for field in fields:
        name = field.get("name")
        if not isinstance(name, str):
            continue
        schema = _schema_from_items(field)
        if field.get("type") == "file":
            has_file = True
        if isinstance(field.get("description"), str):
            schema["description"] = field["description"]
        properties[name] = schema
        if field.get("required") is True:
            required.append(name)
    multipart = has_file or "multipart/form-data" in consumes
    media_type = "multipart/form-data" if multipart else "application/x-www-form-urlencoded"
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return {"content": {media_type: {"schema": schema}}, "required": bool(required)}


def _response(response: Any, produces: list[str]) -> Any:
    if not isinstance(response, dict) or "$ref" in response:
        return rewrite(response)
    out: dict[str, Any] = {"description": response.get("description", "")}
    headers = response.get("headers")
    if isinstance(headers, dict):
        out["headers"] = {
            name: (
                {"description": header.get("description", ""), "schema": _schema_from_items(header)}
                if isinstance(header, dict)
                else header
            )
            for name, header in headers.items()
        }
    content: dict[str, Any] = {}
    schema = response.get("schema")
    if isinstance(schema, dict):
        for media_type in produces:
            content[media_type] = {"schema": rewrite(schema)}
    examples = response.get("examples")
    if isinstance(examples, dict):
        for media_type, example in examples.items():
            content.setdefault(media_type, {})["example"] = example
    if content:
        out["content"] = content
    for key, value in response.items():
        if isinstance(key, str) and key.startswith("x-"):
            out[key] = value
    return out


def _security_scheme(scheme: Any) -> Any:
    if not isinstance(scheme, dict):
        return scheme
    kind = scheme.get("type")
    out: dict[str, Any] = {}
    if kind == "basic":
        out = {"type": "http", "scheme": "basic"}
    elif kind == "apiKey":
        out = {"type": "apiKey", "name": scheme.get("name"), "in": scheme.get("in")}
    elif kind == "oauth2":
        scopes = scheme.get("scopes") if isinstance(scheme.get("scopes"), dict) else {}
        flow = scheme.get("flow")
        urls = {
            "implicit": ("implicit", ("authorizationUrl",)),
            "password": ("password", ("tokenUrl",)),
            "application": ("clientCredentials", ("tokenUrl",)),
            "accessCode": ("authorizationCode", ("authorizationUrl", "tokenUrl")),
        }
        name, keys = urls.get(flow, ("clientCredentials", ("tokenUrl",)))
        flow_out: dict[str, Any] = {key: scheme.get(key, "") for key in keys}
        flow_out["scopes"] = scopes
        out = {"type": "oauth2", "flows": {name: flow_out}}
    else:
        out = dict(scheme)
    if isinstance(scheme.get("description"), str):
        out["description"] = scheme["description"]
    return out


def _param_key(param: Any, shared: dict[str, Any]) -> tuple[Any, Any] | None:
    target = _shared_target(param, shared)
    if isinstance(target, dict):
        return (target.get("name"), target.get("in"))
    return None


def _shared_target(param: Any, shared: dict[str, Any]) -> Any:
    if isinstance(param, dict) and isinstance(param.get("$ref"), str):
        ref = param["$ref"]
        if ref.startswith("#/parameters/"):
            return shared.get(ref[len("#/parameters/") :].replace("~1", "/").replace("~0", "~"))
        return None
    return param


def _merged_parameters(path_params: Any, op_params: Any, shared: dict[str, Any]) -> list[Any] | Any:
    if op_params is not None and not isinstance(op_params, list):
        return op_params  # malformed: left for the indexer to report
    merged: list[Any] = []
    positions: dict[tuple[Any, Any], int] = {}
    for param in (path_params if isinstance(path_params, list) else []) + (op_params or []):
        key = _param_key(param, shared)
        if key is not None and key in positions:
            merged[positions[key]] = param
            continue
        if key is not None:
            positions[key] = len(merged)
        merged.append(param)
    return merged


def _path_item(item: Any, shared: dict[str, Any], consumes: list[str], produces: list[str]) -> Any:
    if not isinstance(item, dict):
        return item
    out: dict[str, Any] = {}
    path_params = item.get("parameters")
    for key, value in item.items():
        if key in METHODS:
            if isinstance(value, dict):
                out[key] = _operation(value, path_params, shared, consumes, produces)
            else:
                out[key] = value
        elif key == "parameters":
            if not isinstance(value, list):
                out[key] = value
        elif key == "$ref" and isinstance(value, str):
            out[key] = _ref(value)
        else:
            out[key] = value
    return out


def _operation(
    op: dict[str, Any],
    path_params: Any,
    shared: dict[str, Any],
    consumes: list[str],
    produces: list[str],
) -> dict[str, Any]:
    consumes = _media_types(op.get("consumes")) or consumes
    produces = _media_types(op.get("produces")) or produces
    out: dict[str, Any] = {}
    for key, value in op.items():
        if key in ("parameters", "responses", "consumes", "produces", "schemes"):
            continue
        out[key] = value if key.startswith("x-") else rewrite(value)
    params = _merged_parameters(path_params, op.get("parameters"), shared)
    if not isinstance(params, list):
        out["parameters"] = params
    else:
        converted: list[Any] = []
        form_fields: list[dict[str, Any]] = []
        for param in params:
            target = _shared_target(param, shared)
            location = target.get("in") if isinstance(target, dict) else None
            is_ref = isinstance(param, dict) and "$ref" in param
            if location == "body":
                if is_ref:
                    name = param["$ref"][len("#/parameters/") :]
                    out["requestBody"] = {"$ref": "#/components/requestBodies/" + name}
                else:
                    out["requestBody"] = _body(target, consumes)
            elif location == "formData":
                form_fields.append(target)
            else:
                converted.append(_parameter(param))
        if form_fields:
            out["requestBody"] = _form_body(form_fields, consumes)
        if converted:
            out["parameters"] = converted
    responses = op.get("responses")
    if isinstance(responses, dict):
        out["responses"] = {
            str(status): _response(response, produces) for status, response in responses.items()
        }
    elif responses is not None:
        out["responses"] = responses
    return out
