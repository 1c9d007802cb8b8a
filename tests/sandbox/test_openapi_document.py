"""The OpenAPI document: valid, complete, and in step with the operations the sandbox serves."""

from __future__ import annotations

import re

import pytest
import requests

from console.sandbox.api import OPERATIONS
from console.sandbox.openapi import build_openapi

TIMEOUT = 10
METHODS = {"get", "put", "post", "delete", "patch", "options", "head", "trace"}
SUMMARIES = {
    "listMeterTypes": "List meter types",
    "createMeterType": "Create a meter type",
    "getMeterType": "Get a meter type",
    "updateMeterType": "Update a meter type",
    "deleteMeterType": "Delete a meter type",
    "listMeters": "List meters",
    "createMeter": "Create a meter",
    "getMeter": "Get a meter",
    "deleteMeter": "Delete a meter",
    "listStreams": "List streams",
    "getStream": "Get a stream",
    "startStreamRun": "Start a stream run",
    "getExecution": "Get an execution",
}


@pytest.fixture
def document(sandbox):
    response = requests.get(f"{sandbox.url}/openapi.json", timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    return response.json()


def operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def resolve(document, ref):
    assert ref.startswith("#/"), ref
    node = document
    for part in ref[2:].split("/"):
        assert part in node, f"unresolved $ref {ref}"
        node = node[part]
    return node


def all_refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from all_refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from all_refs(value)


def test_the_header_names_the_sandbox_and_its_own_url(sandbox, document):
    assert document["openapi"] == "3.0.3"
    assert document["info"]["title"] == "Usage Engine Cloud Edition API (sandbox)"
    assert document["info"]["version"]
    assert document["servers"][0]["url"] == sandbox.url


def test_the_server_url_follows_the_host_the_caller_used(sandbox):
    port = sandbox.url.rsplit(":", 1)[1]
    response = requests.get(f"http://localhost:{port}/openapi.json", timeout=TIMEOUT)

    assert response.json()["servers"] == [
        {"url": f"http://localhost:{port}", "description": "This sandbox"}
    ]


def test_tags_have_descriptions_and_are_used(document):
    tags = {tag["name"]: tag["description"] for tag in document["tags"]}

    assert set(tags) == {"Meter types", "Meters", "Streams"}
    assert all(tags.values())
    used = {tag for _, _, op in operations(document) for tag in op["tags"]}
    assert used == set(tags)


def test_every_operation_has_a_unique_camel_case_id_and_its_summary(document):
    ids = [op.get("operationId") for _, _, op in operations(document)]

    assert all(ids)
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z][a-zA-Z]+", i) for i in ids)
    assert {op["operationId"]: op["summary"] for _, _, op in operations(document)} == SUMMARIES
    assert all(op["description"] for _, _, op in operations(document))


def test_the_document_matches_the_served_operations(document):
    documented = {
        (method.upper(), path, op["operationId"], tuple(op["security"][0]["oauth2"]))
        for path, method, op in operations(document)
    }
    served = {(o.method, o.path, o.operation_id, (o.scope,)) for o in OPERATIONS}

    assert documented == served


def test_every_ref_resolves(document):
    refs = list(all_refs(document))

    assert refs
    for ref in refs:
        resolve(document, ref)


def test_components_hold_the_expected_schemas_and_responses(document):
    schemas = document["components"]["schemas"]
    for name in (
        "MeterType",
        "MeterTypeInput",
        "Meter",
        "MeterInput",
        "Stream",
        "Execution",
        "Error",
    ):
        assert name in schemas
    assert set(document["components"]["responses"]) >= {"Unauthorized", "Forbidden", "NotFound"}
    assert schemas["AggregationType"]["enum"] == ["increment", "max", "last", "sum"]


def test_security_scopes_exist_in_the_oauth2_scheme(sandbox, document):
    scheme = document["components"]["securitySchemes"]["oauth2"]
    flow = scheme["flows"]["clientCredentials"]

    assert scheme["type"] == "oauth2"
    assert flow["tokenUrl"] == f"{sandbox.url}/authentication/v1/oauth/token"
    assert all(isinstance(d, str) and d for d in flow["scopes"].values())
    for _, _, op in operations(document):
        (requirement,) = op["security"]
        assert set(requirement) == {"oauth2"}
        assert requirement["oauth2"]
        assert set(requirement["oauth2"]) <= set(flow["scopes"])


def test_path_parameters_are_declared_as_uuids(document):
    for path, _, op in operations(document):
        declared = {}
        for parameter in op.get("parameters", []):
            parameter = resolve(document, parameter["$ref"]) if "$ref" in parameter else parameter
            declared[parameter["name"]] = parameter
        for name in re.findall(r"{(\w+)}", path):
            assert declared[name]["in"] == "path"
            assert declared[name]["required"] is True
            assert declared[name]["schema"]["format"] == "uuid"


def test_paging_parameters_are_bounded_integers(document):
    parameters = document["components"]["parameters"]

    for name, default in (("Page", 1), ("PageSize", 20)):
        schema = parameters[name]["schema"]
        assert schema["type"] == "integer"
        assert schema["minimum"] == 1
        assert schema["maximum"] >= schema["default"] == default
    assert parameters["NameFilter"]["in"] == "query"


def test_request_bodies_and_success_responses_have_examples(document):
    for _, _, op in operations(document):
        if "requestBody" in op:
            media = op["requestBody"]["content"]["application/json"]
            assert "$ref" in media["schema"]
            assert "example" in media
        for status, response in op["responses"].items():
            if status.startswith("2") and "content" in response:
                assert "example" in response["content"]["application/json"]


def test_the_document_is_built_per_base_url():
    first = build_openapi("http://a.test:1/")
    second = build_openapi("http://b.test:2")

    assert first["servers"][0]["url"] == "http://a.test:1"
    assert (
        second["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"]["tokenUrl"]
        == "http://b.test:2/authentication/v1/oauth/token"
    )


def test_openapi_spec_validator_accepts_it(document):
    validator = pytest.importorskip("openapi_spec_validator")

    validator.validate(document)
