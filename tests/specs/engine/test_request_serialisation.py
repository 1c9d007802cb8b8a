"""Parameter serialisation (the OpenAPI style table), path safety, and building requests.

The table is the "Style Examples" of OpenAPI 3.0.4 / 3.1.1 (which corrected the label
row of earlier editions to match RFC 6570: ``.blue,black,brown`` without explode), for
``color`` = "blue", ["blue", "black", "brown"], {"R": 100, "G": 200, "B": 150}.
"""

from __future__ import annotations

from typing import Any

import pytest

from console.specs.engine.errors import RequestBuildError
from console.specs.engine.operation import Operation, Parameter, RequestBody, load_operation
from console.specs.engine.request import (
    build_request,
    encode_query,
    expand_server_url,
    join_url,
    serialize_cookie,
    serialize_header,
    serialize_path,
    serialize_query,
    server_path_prefix,
)

STRING = "blue"
ARRAY = ["blue", "black", "brown"]
OBJECT = {"R": 100, "G": 200, "B": 150}


@pytest.mark.parametrize(
    ("style", "explode", "string", "array", "obj"),
    [
        ("matrix", False, ";color=blue", ";color=blue,black,brown", ";color=R,100,G,200,B,150"),
        (
            "matrix",
            True,
            ";color=blue",
            ";color=blue;color=black;color=brown",
            ";R=100;G=200;B=150",
        ),
        ("label", False, ".blue", ".blue,black,brown", ".R,100,G,200,B,150"),
        ("label", True, ".blue", ".blue.black.brown", ".R=100.G=200.B=150"),
        ("simple", False, "blue", "blue,black,brown", "R,100,G,200,B,150"),
        ("simple", True, "blue", "blue,black,brown", "R=100,G=200,B=150"),
    ],
)
def test_path_styles(style: str, explode: bool, string: str, array: str, obj: str) -> None:
    assert serialize_path("color", STRING, style, explode) == string
    assert serialize_path("color", ARRAY, style, explode) == array
    assert serialize_path("color", OBJECT, style, explode) == obj


@pytest.mark.parametrize(
    ("style", "expected"), [("matrix", ";color"), ("label", "."), ("simple", "")]
)
def test_path_styles_empty(style: str, expected: str) -> None:
    assert serialize_path("color", "", style, False) == expected


@pytest.mark.parametrize(
    ("style", "explode", "string", "array", "obj"),
    [
        (
            "form",
            False,
            "color=blue",
            "color=blue,black,brown",
            "color=R,100,G,200,B,150",
        ),
        (
            "form",
            True,
            "color=blue",
            "color=blue&color=black&color=brown",
            "R=100&G=200&B=150",
        ),
        (
            "spaceDelimited",
            False,
            "color=blue",
            "color=blue%20black%20brown",
            "color=R%20100%20G%20200%20B%20150",
        ),
        ("pipeDelimited", False, "color=blue", "color=blue|black|brown", "color=R|100|G|200|B|150"),
        (
            "deepObject",
            True,
            "color=blue",
            "color=blue&color=black&color=brown",
            "color[R]=100&color[G]=200&color[B]=150",
        ),
    ],
)
def test_query_styles(style: str, explode: bool, string: str, array: str, obj: str) -> None:
    assert encode_query(serialize_query("color", STRING, style, explode)) == string
    assert encode_query(serialize_query("color", ARRAY, style, explode)) == array
    assert encode_query(serialize_query("color", OBJECT, style, explode)) == obj


def test_query_pairs_are_raw_until_encoded() -> None:
    assert serialize_query("q", "a b&c=d") == [("q", "a b&c=d")]
    assert encode_query([("q", "a b&c=d"), ("ü", "€")]) == "q=a%20b%26c%3Dd&%C3%BC=%E2%82%AC"
    assert serialize_query("color", [], "form", False) == [("color", "")]
    assert serialize_query("f", {"a": {"b": 1}}, "deepObject", True) == [("f[a][b]", "1")]


def test_scalars_are_written_as_json_would() -> None:
    assert serialize_query("b", True) == [("b", "true")]
    assert serialize_query("n", 1.5) == [("n", "1.5")]
    assert serialize_query("n", None) == [("n", "")]


def test_header_and_cookie_styles() -> None:
    assert serialize_header(STRING) == "blue"
    assert serialize_header(ARRAY) == "blue,black,brown"
    assert serialize_header(OBJECT) == "R,100,G,200,B,150"
    assert serialize_header(OBJECT, explode=True) == "R=100,G=200,B=150"
    assert serialize_cookie("color", STRING) == {"color": "blue"}
    assert serialize_cookie("color", ARRAY, explode=False) == {"color": "blue,black,brown"}
    assert serialize_cookie("color", OBJECT, explode=False) == {"color": "R,100,G,200,B,150"}
    assert serialize_cookie("color", OBJECT, explode=True) == {"R": "100", "G": "200", "B": "150"}
    assert serialize_cookie("c", 'a; b,"c"') == {"c": "a%3B%20b%2C%22c%22"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("plain", "plain"),
        ("../etc/passwd", "..%2Fetc%2Fpasswd"),
        ("a/b", "a%2Fb"),
        ("%2F", "%252F"),
        ("x?y=1#z", "x%3Fy%3D1%23z"),
        (".", "%2E"),
        ("..", "%2E%2E"),
        ("...", "..."),
        ("a b", "a%20b"),
        ("ü", "%C3%BC"),
        ("\\", "%5C"),
        (";x=1", "%3Bx%3D1"),
    ],
)
def test_path_values_cannot_change_the_path(value: str, expected: str) -> None:
    op = Operation(
        method="GET",
        path="/files/{name}/meta",
        operation_id="x",
        parameters=[
            Parameter(name="name", location="path", required=True, style="simple", explode=False)
        ],
    )
    built = build_request(op, {("path", "name"): value})
    assert built.path == f"/files/{expected}/meta"


def test_build_request_petstore(petstore: dict[str, Any]) -> None:
    op = load_operation(petstore, "GET", "/pets")
    built = build_request(
        op,
        {
            ("query", "limit"): 10,
            ("query", "tags"): ["a", "b,c"],
            ("query", "status"): None,
            ("header", "Accept"): "text/html",  # ignored, as OpenAPI says
            ("query", "unknown"): "ignored",
        },
    )
    assert built.method == "GET"
    assert built.path == "/pets"
    assert built.query == [("limit", "10"), ("tags", "a,b,c")]
    assert built.headers == {}
    assert built.body is None
    assert built.query_string() == "limit=10&tags=a,b,c"


def test_build_request_headers_and_validation(petstore: dict[str, Any]) -> None:
    op = load_operation(petstore, "DELETE", "/pets/{petId}")
    built = build_request(
        op, {("path", "petId"): 7, ("header", "X-Request-Id"): "abc", ("query", "force"): False}
    )
    assert built.path == "/pets/7"
    assert built.headers == {"X-Request-Id": "abc"}
    assert built.query == [("force", "false")]
    with pytest.raises(RequestBuildError, match="line breaks"):
        build_request(op, {("path", "petId"): 7, ("header", "X-Request-Id"): "a\r\nX-Evil: 1"})


def test_missing_required_values_are_all_listed(petstore: dict[str, Any]) -> None:
    op = load_operation(petstore, "POST", "/pets")
    op.parameters.append(Parameter(name="trace", location="header", required=True))
    with pytest.raises(RequestBuildError) as caught:
        build_request(op, {}, None)
    assert caught.value.fields == [("header", "trace"), ("body", "")]
    assert caught.value.message == (
        "Missing required values: header parameter 'trace'. The request body is required."
    )
    shown = load_operation(petstore, "GET", "/pets/{petId}")
    with pytest.raises(RequestBuildError) as caught:
        build_request(shown, {("path", "petId"): ""})
    assert caught.value.fields == [("path", "petId")]


def test_bodies(petstore: dict[str, Any]) -> None:
    op = load_operation(petstore, "POST", "/pets")
    as_json = build_request(op, {}, {"name": "Tom"})
    assert as_json.body == b'{"name":"Tom"}'
    assert as_json.content_type == "application/json"
    assert as_json.headers["Content-Type"] == "application/json"
    as_text = build_request(op, {}, '{"name": "Rex"}', "application/json")
    assert as_text.body == b'{"name": "Rex"}'
    as_form = build_request(
        op, {}, {"name": "Tom", "tag": None}, "application/x-www-form-urlencoded"
    )
    assert as_form.body == b"name=Tom"
    raw = build_request(op, {}, b"\x00\x01", "application/octet-stream")
    assert (raw.body, raw.content_type) == (b"\x00\x01", "application/octet-stream")
    with pytest.raises(RequestBuildError, match="cannot be sent as JSON"):
        build_request(op, {}, {"n": float("nan")})


def test_optional_body_and_no_body() -> None:
    op = Operation(
        method="post", path="/x", operation_id="x", request_body=RequestBody(required=False)
    )
    assert build_request(op, {}, None).body is None
    assert build_request(op, {}, "").body is None


def test_matrix_and_deep_object_from_31_document(meters: dict[str, Any]) -> None:
    op = load_operation(meters, "GET", "/meters/{meterId}")
    built = build_request(op, {("path", "meterId"): "m-1", ("query", "fields"): ["id", "name"]})
    assert built.path == "/meters/;meterId=m-1"
    assert built.query == [("fields", "id,name")]
    listing = load_operation(meters, "GET", "/meters")
    built = build_request(
        listing, {("query", "filter"): {"status": "on"}, ("cookie", "session"): "s 1"}
    )
    assert built.query == [("filter[status]", "on")]
    assert built.cookies == {"session": "s%201"}


def test_content_parameters_are_sent_as_json() -> None:
    op = Operation(
        method="GET",
        path="/s",
        operation_id="s",
        parameters=[Parameter(name="q", location="query", content_type="application/json")],
    )
    assert build_request(op, {("query", "q"): {"a": 1}}).query == [("q", '{"a":1}')]


def test_server_path_prefix(meters: dict[str, Any]) -> None:
    assert server_path_prefix([{"url": "https://api.example.com/v1/"}]) == "/v1"
    assert server_path_prefix([{"url": "https://api.example.com"}]) == ""
    assert server_path_prefix([{"url": "/"}]) == ""
    assert server_path_prefix([{"url": "/api/v2"}]) == "/api/v2"
    assert server_path_prefix([{"url": "v3"}]) == "/v3"
    assert server_path_prefix([]) == ""
    servers = load_operation(meters, "GET", "/units").servers
    assert server_path_prefix(servers) == "/api/v2"
    assert expand_server_url(servers[0], {"region": "us"}) == "https://us.example.com/api/v2"


def test_join_url() -> None:
    assert join_url("https://ue.example.com", "/v1", "/meters/7", [("a", "1 2")]) == (
        "https://ue.example.com/v1/meters/7?a=1%202"
    )
    assert join_url("https://ue.example.com/", "", "/meters", []) == "https://ue.example.com/meters"
    assert (
        join_url("https://ue.example.com/v1/", "/v1", "/meters", None)
        == "https://ue.example.com/v1/meters"
    )
    assert (
        join_url("https://ue.example.com/base", "v1/", "meters")
        == "https://ue.example.com/base/v1/meters"
    )
