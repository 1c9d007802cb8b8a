"""Loading uploads: JSON and YAML, versions, and hostile input that must fail clearly and fast."""

from __future__ import annotations

import json
import time

import pytest

from console.specs.engine.errors import SpecError
from console.specs.engine.loading import MAX_DEPTH, load_document

from .conftest import fixture_bytes

MINIMAL = b'{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}}'


def error_of(data: bytes | str, **kwargs: object) -> str:
    with pytest.raises(SpecError) as caught:
        load_document(data, **kwargs)  # type: ignore[arg-type]
    return caught.value.message


def test_json_fixture_loads() -> None:
    doc = load_document(fixture_bytes("petstore-3.0.json"), filename="petstore-3.0.json")
    assert doc["info"]["title"] == "Petstore"
    assert "/pets" in doc["paths"]


def test_yaml_fixture_loads_with_text_keys_and_text_timestamps() -> None:
    doc = load_document(fixture_bytes("meters-3.1.yaml"), filename="meters.yaml")
    responses = doc["paths"]["/meters"]["get"]["responses"]
    assert list(responses) == ["200"]  # written `200:`, an int to plain YAML
    created = doc["components"]["schemas"]["Meter"]["properties"]["createdAt"]
    assert created["example"] == "2024-03-01T10:00:00Z"
    assert doc["info"]["version"] == "2"


def test_text_input_and_sniffing_without_filename() -> None:
    assert load_document(MINIMAL.decode())["openapi"] == "3.0.3"
    yaml_doc = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n"
    assert load_document(yaml_doc)["openapi"] == "3.1.0"


def test_utf8_bom_is_accepted() -> None:
    assert load_document(b"\xef\xbb\xbf" + MINIMAL)["openapi"] == "3.0.3"


def test_yaml_version_written_as_a_number() -> None:
    assert load_document("openapi: 3.0\npaths: {}\n")["openapi"] == 3.0


def test_yaml_keys_keep_their_text() -> None:
    doc = load_document("openapi: 3.0.0\npaths: {}\nx-map:\n  on: 1\n  yes: 2\n  null: 3\n")
    assert list(doc["x-map"]) == ["on", "yes", "null"]


def test_yaml_merge_keys() -> None:
    doc = load_document(
        "openapi: 3.0.0\npaths: {}\nx-base: &b {a: 1, b: 2}\nx-use:\n  <<: *b\n  b: 3\n"
    )
    assert doc["x-use"] == {"a": 1, "b": 3}


def test_too_big() -> None:
    message = error_of(MINIMAL, max_bytes=10)
    assert message.startswith("The file is too big")
    assert "limit" in message


def test_not_utf8() -> None:
    assert "not UTF-8" in error_of(b'{"openapi": "3.0.0", "x": "caf\xe9"}')
    assert "UTF-16" in error_of("openapi: 3.0.0".encode("utf-16"))


def test_empty() -> None:
    assert error_of(b"  \n") == "The file is empty."


def test_invalid_json_reports_line_and_column() -> None:
    message = error_of(b'{\n  "openapi": "3.0.0",\n}', filename="x.json")
    assert message.startswith("The file is not valid JSON")
    assert "line 2, column 21" in message  # the trailing comma


def test_json_rejects_nan() -> None:
    assert "NaN" in error_of(b'{"openapi": "3.0.0", "x": NaN}', filename="x.json")


def test_invalid_yaml_reports_line_and_column() -> None:
    message = error_of(b"openapi: 3.0.0\ninfo: [a, b\npaths: {}\n", filename="x.yaml")
    assert message.startswith("The file is not valid YAML")
    assert "line" in message
    assert "column" in message


def test_yaml_tab_indentation() -> None:
    assert "line 2" in error_of(b"openapi: 3.0.0\n\tpaths: {}\n", filename="x.yml")


def test_filename_decides_the_parser() -> None:
    assert "not valid JSON" in error_of(b"openapi: 3.0.0\n", filename="spec.JSON")


def test_yaml_flow_mapping_without_filename() -> None:
    assert load_document(b"{openapi: 3.1.0, paths: {}}")["openapi"] == "3.1.0"
    assert "not valid JSON" in error_of(b"{openapi: 3.1.0, paths: {}}", filename="x.json")
    assert "not valid JSON" in error_of(b'{"openapi": "3.1.0", paths: [}')


def test_not_a_mapping() -> None:
    assert "mapping" in error_of(b"[1, 2]")
    assert "it is a string" in error_of(b"just text")


def test_not_openapi() -> None:
    assert error_of(b'{"foo": 1}') == (
        "This is not an OpenAPI document: it has no 'openapi' or 'swagger' field."
    )


@pytest.mark.parametrize("version", ["2.0.0", "3.2.0", "4.0", "three"])
def test_unsupported_openapi_version(version: str) -> None:
    message = error_of(json.dumps({"openapi": version, "paths": {}}))
    assert f"OpenAPI version {version} is not supported" in message


def test_unsupported_swagger_version() -> None:
    assert "Swagger version 1.2 is not supported" in error_of(b'{"swagger": "1.2"}')


def test_version_must_be_text() -> None:
    assert "version string" in error_of(b'{"openapi": {"v": 3}}')


@pytest.mark.parametrize("version", ["3.0.0", "3.0.3", "3.1.0", "3.1.1"])
def test_supported_versions(version: str) -> None:
    assert load_document(json.dumps({"openapi": version, "paths": {}}))["openapi"] == version


def test_paths_must_be_a_mapping() -> None:
    assert "'paths' field must be a mapping" in error_of(b'{"openapi": "3.0.0", "paths": []}')


def test_more_than_one_yaml_document() -> None:
    message = error_of(b"openapi: 3.0.0\n---\nopenapi: 3.0.0\n")
    assert "more than one YAML document" in message


BILLION_LAUGHS = """openapi: 3.0.0
paths: {}
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_billion_laughs_fails_fast() -> None:
    started = time.perf_counter()
    message = error_of(BILLION_LAUGHS, filename="bomb.yaml")
    assert time.perf_counter() - started < 1.0
    assert "anchors and aliases expand" in message


def test_modest_aliases_are_fine() -> None:
    doc = load_document("openapi: 3.0.0\npaths: {}\nx-a: &a [1, 2]\nx-b: [*a, *a]\n")
    assert doc["x-b"] == [[1, 2], [1, 2]]


def test_self_containing_alias() -> None:
    assert "contains itself" in error_of(b"openapi: 3.0.0\nx: &a [1, *a]\n")


def test_unknown_alias() -> None:
    assert "no matching anchor" in error_of(b"openapi: 3.0.0\nx: *nope\n")


def test_deep_alias_counts_towards_depth() -> None:
    deep = "[" * 150 + "1" + "]" * 150
    text = f"openapi: 3.0.0\nx: &d {deep}\ny: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[*d]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n"  # noqa: E501
    assert "nested too deeply" in error_of(text)


@pytest.mark.parametrize(
    ("text", "filename"),
    [
        ("[" * 10_000 + "]" * 10_000, "deep.json"),
        ('{"a":' * 10_000 + "1" + "}" * 10_000, "deep.json"),
        ("openapi: 3.0.0\nx: " + "[" * 10_000 + "]" * 10_000, "deep.yaml"),
        ("openapi: 3.0.0\nx: " + "{a: " * 10_000 + "1" + "}" * 10_000, "deep.yaml"),
        (
            "openapi: 3.0.0\nx:\n" + "".join("  " * i + "- \n" for i in range(1, 1_000)),
            "deep.yaml",
        ),
        (
            "openapi: 3.0.0\nx:\n" + "".join("  " * i + "a:\n" for i in range(1, 1_000)),
            "deep.yaml",
        ),
    ],
    ids=[
        "json-arrays",
        "json-objects",
        "yaml-flow-lists",
        "yaml-flow-maps",
        "yaml-block-lists",
        "yaml-block-maps",
    ],
)
def test_deep_nesting_gives_a_clear_error(text: str, filename: str) -> None:
    started = time.perf_counter()
    message = error_of(text, filename=filename)
    assert "nested too deeply" in message
    assert time.perf_counter() - started < 2.0


def test_depth_limit_boundary() -> None:
    def nested(depth: int) -> str:
        return '{"openapi": "3.0.0", "x": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"

    load_document(nested(MAX_DEPTH))
    assert "nested too deeply" in error_of(nested(MAX_DEPTH + 1))
