"""Swagger 2.0 documents are converted to the OpenAPI 3.0 shape the rest of the engine reads."""

from __future__ import annotations

from typing import Any

from console.specs.engine.index import document_info, index_operations
from console.specs.engine.operation import load_operation
from console.specs.engine.refs import iter_refs
from console.specs.engine.request import build_request


def test_marked_as_converted(swagger: dict[str, Any]) -> None:
    assert swagger["openapi"] == "3.0.3"
    assert swagger["x-converted-from"] == "swagger 2.0"
    assert "swagger" not in swagger


def test_servers_from_host_base_path_and_schemes(swagger: dict[str, Any]) -> None:
    assert swagger["servers"] == [
        {"url": "https://store.example.com/api"},
        {"url": "http://store.example.com/api"},
    ]


def test_servers_without_host() -> None:
    from console.specs.engine.swagger2 import convert

    assert convert({"swagger": "2.0", "basePath": "v2"})["servers"] == [{"url": "/v2"}]
    assert convert({"swagger": "2.0"})["servers"] == [{"url": "/"}]


def test_definitions_become_component_schemas(swagger: dict[str, Any]) -> None:
    schemas = swagger["components"]["schemas"]
    assert set(schemas) == {"Order", "Error"}
    note = schemas["Order"]["properties"]["note"]
    assert note["nullable"] is True
    assert schemas["Order"]["properties"]["attachment"] == {"type": "string", "format": "binary"}
    refs = iter_refs(swagger)
    assert refs
    assert not [
        r for r in refs if r.startswith(("#/definitions/", "#/parameters/", "#/responses/"))
    ]


def test_security_definitions(swagger: dict[str, Any]) -> None:
    schemes = swagger["components"]["securitySchemes"]
    assert schemes["basicAuth"] == {"type": "http", "scheme": "basic"}
    assert schemes["key"] == {"type": "apiKey", "name": "api_key", "in": "header"}
    flow = schemes["oauth"]["flows"]["authorizationCode"]
    assert flow["authorizationUrl"] == "https://auth.example.com/authorize"
    assert flow["tokenUrl"] == "https://auth.example.com/token"
    assert flow["scopes"] == {"orders:read": "Read orders"}
    info = document_info(swagger)
    assert info["converted_from"] == "swagger 2.0"
    assert info["security_schemes"]["oauth"]["scopes"] == {"orders:read": "Read orders"}


def test_every_operation_indexes(swagger: dict[str, Any]) -> None:
    result = index_operations(swagger)
    assert result.errors == []
    ids = [op.operation_id for op in result.operations]
    assert ids == [
        "listOrders",
        "createOrder",
        "getOrder",
        "replaceOrder",
        "uploadReceipt",
        "login",
    ]
    scopes = {op.operation_id: op.scopes for op in result.operations}
    assert scopes["listOrders"] == ["orders:read"]
    assert scopes["login"] == []


def test_query_parameters_and_collection_formats(swagger: dict[str, Any]) -> None:
    op = load_operation(swagger, "GET", "/orders")
    params = {p.name: p for p in op.parameters}
    assert params["page"].schema == {"type": "integer", "minimum": 1}
    assert (params["status"].style, params["status"].explode) == ("form", True)
    assert (params["ids"].style, params["ids"].explode) == ("pipeDelimited", False)
    assert params["X-Trace"].example == "abc"
    built = build_request(
        op, {("query", "status"): ["a", "b"], ("query", "ids"): [1, 2], ("query", "page"): 2}
    )
    assert built.query == [("page", "2"), ("status", "a"), ("status", "b"), ("ids", "1|2")]


def test_responses_get_content_from_produces(swagger: dict[str, Any]) -> None:
    op = load_operation(swagger, "GET", "/orders")
    media = op.responses["200"].content["application/json"]
    assert media.schema["items"]["required"] == ["item"]
    assert media.example == [{"id": 1, "item": "book"}]
    not_found = load_operation(swagger, "GET", "/orders/{orderId}").responses["404"]
    assert not_found.description == "Not found"
    assert "message" in not_found.content["application/json"].schema["properties"]


def test_body_parameter_becomes_request_body(swagger: dict[str, Any]) -> None:
    created = load_operation(swagger, "POST", "/orders")
    assert created.parameters == []
    assert created.request_body is not None
    assert created.request_body.required is True
    assert created.request_body.content_types == ["application/json"]
    replaced = load_operation(swagger, "PUT", "/orders/{orderId}")
    assert [p.name for p in replaced.parameters] == ["orderId"]
    assert replaced.request_body is not None
    schema = replaced.request_body.content["application/json"].schema
    assert schema["required"] == ["item"]


def test_form_data_becomes_a_form_body(swagger: dict[str, Any]) -> None:
    upload = load_operation(swagger, "POST", "/orders/{orderId}/receipt")
    assert [p.name for p in upload.parameters] == ["orderId"]
    assert upload.request_body is not None
    schema = upload.request_body.content["multipart/form-data"].schema
    assert schema["properties"]["file"] == {"type": "string", "format": "binary"}
    assert schema["required"] == ["file"]
    login = load_operation(swagger, "POST", "/login")
    assert login.request_body is not None
    form = login.request_body.content["application/x-www-form-urlencoded"].schema
    assert form["properties"] == {"user": {"type": "string"}, "remember": {"type": "boolean"}}


def test_path_level_parameters_reach_each_operation(swagger: dict[str, Any]) -> None:
    op = load_operation(swagger, "GET", "/orders/{orderId}")
    assert [(p.name, p.location, p.required) for p in op.parameters] == [("orderId", "path", True)]
    assert op.parameters[0].schema == {"type": "integer"}


def test_input_is_not_modified() -> None:
    import copy
    import json

    from console.specs.engine.swagger2 import convert

    from .conftest import fixture_bytes

    original = json.loads(fixture_bytes("swagger-2.0.json"))
    before = copy.deepcopy(original)
    convert(original)
    assert original == before


def test_malformed_parts_are_left_for_the_indexer() -> None:
    from console.specs.engine.swagger2 import convert

    doc = convert(
        {
            "swagger": "2.0",
            "paths": {"/x": {"get": "nonsense", "post": {"parameters": {"a": 1}, "responses": {}}}},
        }
    )
    result = index_operations(doc)
    assert result.skipped == [("GET", "/x"), ("POST", "/x")]
