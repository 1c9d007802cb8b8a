"""The Django-free readers: Postman collections (v2.0, v2.1), environments, curl, matching."""

from __future__ import annotations

import json

import pytest

from console.postman.collection import PostmanError, parse_collection, script_captures
from console.postman.curl import parse_curl
from console.postman.environment import credential_kind, parse_environment
from console.postman.matching import Candidate, base_path, match_operation
from tests.postman.conftest import fixture_text

V1 = "https://schema.getpostman.com/json/collection/v1.0.0/collection.json"
SANDBOX_OPERATIONS = [
    Candidate("GET", "/metering/v1/meter-types", "listMeterTypes"),
    Candidate("POST", "/metering/v1/meter-types", "createMeterType"),
    Candidate("GET", "/metering/v1/meter-types/{meterTypeId}", "getMeterType"),
    Candidate("DELETE", "/metering/v1/meter-types/{meterTypeId}", "deleteMeterType"),
    Candidate("GET", "/metering/v1/meter-types/{meterTypeId}/meters/{meterId}", "getMeter"),
]


# ---------------------------------------------------------------- collections


def test_v21_collection_is_read_with_folders_variables_and_auth_types():
    parsed = parse_collection(fixture_text("metering.postman_collection.json"))
    assert parsed.version == "2.1"
    assert parsed.postman_id == "6f1c2a7e-93b4-4c1d-9a52-0e7d8b3f4a61"
    assert parsed.name == "Usage Engine \u2013 metering"
    assert parsed.description.startswith("Meter types, meters and streams")
    assert [(v.name, v.value) for v in parsed.variables] == [
        ("baseUrl", "https://api.usage-engine.example"),
        ("meterTypeId", ""),
        ("account", "acme"),
    ]
    assert parsed.auth_types == ["oauth2", "bearer", "apikey", "noauth"]
    requests = parsed.requests()
    assert len(requests) == 15
    trails = {r.name: trail for trail, r in requests}
    assert trails["List meters"] == ("Meter types", "Meters")
    assert trails["List streams"] == ("Streams",)


def test_v21_request_details():
    parsed = parse_collection(fixture_text("metering.postman_collection.json"))
    by_name = {r.name: r for _, r in parsed.requests()}
    get = by_name["Get meter type"]
    assert (get.method, get.host, get.path) == (
        "GET", "{{baseUrl}}", "/metering/v1/meter-types/:meterTypeId",
    )  # fmt: skip
    assert get.path_variables == {"meterTypeId": "{{meterTypeId}}"}
    assert get.auth == "bearer"  # its own block, not the collection's oauth2
    streams = by_name["List streams"]
    assert [(q.name, q.value, q.enabled) for q in streams.query] == [
        ("page", "1", True), ("pageSize", "50", True), ("name", "billing", False),
    ]  # fmt: skip
    assert streams.auth == "apikey"  # the folder's
    create = by_name["Create meter type"]
    assert create.body_mode == "raw"
    assert create.body_language == "json"
    assert json.loads(create.body.replace("{{$timestamp}}", "1"))["unit"] == "requests"
    assert create.captures == [("meterTypeId", "/id")]
    assert create.content_type == "application/json"
    token = by_name["Get token"]
    assert token.auth == ""  # noauth
    assert [f.name for f in token.body_fields] == [
        "grant_type", "client_id", "client_secret", "audience",
    ]  # fmt: skip
    upload = by_name["Upload usage file"]
    assert [(f.name, f.enabled) for f in upload.body_fields] == [("note", True), ("dryRun", False)]
    assert "File fields are not imported (file)" in upload.notes[0]
    assert by_name["Search (GraphQL)"].unsupported.startswith("its body is a GraphQL query")
    assert by_name["Upload raw file"].unsupported.startswith("its body is a file")
    status = by_name["Service status"]
    assert (status.protocol, status.host, status.path) == (
        "https", "status.usage-engine.example", "/api/v2/status.json",
    )  # fmt: skip


def test_v20_collection_string_urls_object_auth_and_bare_requests():
    parsed = parse_collection(fixture_text("legacy-v2.0.postman_collection.json"))
    assert parsed.version == "2.0"
    assert parsed.auth_types == ["basic", "bearer"]
    by_name = {r.name: r for _, r in parsed.requests()}
    one = by_name["One meter type"]
    assert (one.host, one.path) == (
        "api.usage-engine.example", "/ue/metering/v1/meter-types/{{meterTypeId}}",
    )  # fmt: skip
    quick = by_name["Quick look at streams"]  # "request" is only its URL
    assert (quick.method, quick.path) == ("GET", "/ue/stream-management/v1/streams")
    assert [(q.name, q.value) for q in quick.query] == [("page", "2")]
    new = by_name["New meter type"]
    assert new.body_language == "json"  # v2.0 writes no options: the text says JSON
    assert [(h.name, h.enabled) for h in new.headers] == [
        ("Content-Type", True), ("X-Request-Id", False),
    ]  # fmt: skip
    assert by_name["Live meter feed"].unsupported.startswith("it has no HTTP request")
    remove = by_name["Remove meter"]
    assert remove.path_variables["meterId"] == "7d2e4f60-1b3a-4c5d-8e9f-a0b1c2d3e4f5"
    assert parsed.variable("url") == "https://api.usage-engine.example/ue"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The document is empty."),
        ("{not json", "not valid JSON"),
        ("[1, 2]", "no JSON object"),
        (json.dumps({"info": {"name": "x", "schema": V1}, "item": []}), "v2.0 or v2.1"),
        ('{"name": "env", "values": []}', "Postman environment, not a collection"),
        ('{"info": {"name": "x"}}', "no info and item"),
    ],
)
def test_bad_collections_say_why(text, message):
    with pytest.raises(PostmanError, match=message):
        parse_collection(text)


def test_scripts_other_than_captures_are_noted():
    captures, other = script_captures(
        [{"listen": "test", "script": {"exec": ["const j = pm.response.json();",
                                                 "pm.environment.set('m', j.items[0].id);",
                                                 "pm.test('200', () => {});"]}}]
    )  # fmt: skip
    assert captures == [("m", "/items/0/id")]
    assert other is True


# ---------------------------------------------------------------- environments


def test_environment_values_and_credentials_set_apart():
    env = parse_environment(fixture_text("sandbox.postman_environment.json"))
    assert env.name == "UE sandbox"
    assert [(v.name, v.enabled, v.secret) for v in env.values] == [
        ("baseUrl", True, False),
        ("meterTypeId", True, False),
        ("account", True, False),
        ("reportKey", True, True),
        ("oldAccount", False, False),
        ("token", True, True),
    ]
    assert env.client_id is not None
    assert env.client_id.value == "tests-client-0001"
    assert env.client_secret is not None
    assert env.client_secret.secret


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("client_id", "client_id"), ("clientId", "client_id"), ("CLIENT-ID", "client_id"),
        ("ueClientId", "client_id"), ("client_secret", "client_secret"),
        ("clientSecret", "client_secret"), ("oauth_client_secret", "client_secret"),
        ("clientName", ""), ("secretary", ""), ("account", ""),
    ],
)  # fmt: skip
def test_credential_names(name, kind):
    assert credential_kind(name) == kind


def test_collection_is_not_an_environment():
    with pytest.raises(PostmanError, match="collection, not an environment"):
        parse_environment(fixture_text("metering.postman_collection.json"))


# ---------------------------------------------------------------- curl


def test_curl_with_continuations_headers_and_quoted_json():
    parsed = parse_curl(
        "curl -X POST 'https://api.usage-engine.example/metering/v1/meter-types?dry=1' \\\n"
        "  -H 'Content-Type: application/json' \\\n"
        "  -H 'Authorization: Bearer eyJ.abc.def' \\\n"
        '  --data-raw \'{"name": "API calls", "unit": "requests"}\''
    )
    assert parsed.method == "POST"
    assert parsed.url == "https://api.usage-engine.example/metering/v1/meter-types?dry=1"
    assert parsed.headers == [("Content-Type", "application/json")]
    assert json.loads(parsed.body) == {"name": "API calls", "unit": "requests"}
    assert any("Authorization header was dropped" in n for n in parsed.notes)


def test_curl_data_is_a_post_and_get_moves_it_to_the_query():
    assert parse_curl("curl https://h/x -d a=1 -d b=2").method == "POST"
    assert parse_curl("curl https://h/x -d a=1").content_type == "application/x-www-form-urlencoded"
    get = parse_curl("curl -G https://h/x?c=3 --data a=1 --data-urlencode 'q=a b'")
    assert (get.method, get.url, get.body) == ("GET", "https://h/x?c=3&a=1&q=a%20b", "")


def test_curl_json_user_url_option_and_short_forms():
    parsed = parse_curl(
        "curl -sSL -XPUT --url https://h/v1/things/7 -u me:pw --json '{\"a\": 1}' --compressed"
    )
    assert (parsed.method, parsed.url, parsed.body) == ("PUT", "https://h/v1/things/7", '{"a": 1}')
    assert ("Content-Type", "application/json") in parsed.headers
    assert any("(-u) were dropped" in n for n in parsed.notes)
    windows = parse_curl('curl "https://h/v1/x" ^\n  -H "Accept: application/json"')
    assert windows.headers == [("Accept", "application/json")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("wget https://h/x", "starts with “curl”"),
        ("curl -H 'Accept: x'", "no URL"),
        ("curl 'https://h/x", "quote is not closed"),
        ("curl https://h/x -d @body.json", "read from a file"),
        ("curl https://h/x -F file=@a.csv", "Multipart form bodies"),
        ("curl https://h/x -X", "has no value"),
    ],
)
def test_bad_curl_says_why(text, message):
    with pytest.raises(PostmanError, match=message):
        parse_curl(text)


# ---------------------------------------------------------------- matching


def test_colon_and_braces_segments_match_parameters():
    found = match_operation(
        "get", "/metering/v1/meter-types/:id", SANDBOX_OPERATIONS, variables={"id": "abc"}
    )
    assert found is not None
    assert found.candidate.key == "getMeterType"
    assert found.params == {"meterTypeId": "abc"}
    braces = match_operation("DELETE", "/metering/v1/meter-types/{{mt}}", SANDBOX_OPERATIONS)
    assert braces is not None
    assert braces.params == {"meterTypeId": "{{mt}}"}
    unnamed = match_operation("GET", "/metering/v1/meter-types/:x", SANDBOX_OPERATIONS)
    assert unnamed is not None
    assert unnamed.params == {"meterTypeId": "{{x}}"}  # no value given: a variable of its name


def test_literal_segments_must_be_equal_and_the_method_must_match():
    assert match_operation("GET", "/metering/v1/meter-type", SANDBOX_OPERATIONS) is None
    assert match_operation("PUT", "/metering/v1/meter-types", SANDBOX_OPERATIONS) is None
    # a variable never stands for a literal segment of the template
    assert match_operation("GET", "/metering/v1/{{kind}}", SANDBOX_OPERATIONS) is None
    literal = match_operation(
        "GET", "/metering/v1/meter-types/0b6f/meters/7d2e", SANDBOX_OPERATIONS
    )
    assert literal is not None
    assert literal.params == {"meterTypeId": "0b6f", "meterId": "7d2e"}


def test_most_literal_segments_win():
    candidates = [
        Candidate("GET", "/things/{id}", "get"),
        Candidate("GET", "/things/search", "search"),
    ]
    found = match_operation("GET", "/things/search", candidates)
    assert found is not None
    assert found.candidate.key == "search"
    other = match_operation("GET", "/things/42", candidates)
    assert other is not None
    assert other.candidate.key == "get"


def test_base_paths_are_stripped():
    candidates = [Candidate("GET", "/meter-types/{id}", "get")]
    assert match_operation("GET", "/ue/v1/meter-types/1", candidates) is None
    found = match_operation(
        "GET", "/ue/v1/meter-types/1", candidates, base_paths=[["ue"], ["ue", "v1"]]
    )
    assert found is not None
    assert (found.params, found.stripped) == ({"id": "1"}, 2)
    assert base_path("https://api.example/ue/v1/") == ["ue", "v1"]
    assert base_path("{{baseUrl}}/x") == []


def test_curl_bash_ansi_c_strings_as_chrome_copies_them():
    parsed = parse_curl(
        "curl 'https://h/v1/x' \\\n  -H 'content-type: application/json' \\\n"
        '  --data-raw $\'{"name":"Kim\\\'s \\u00e9 meter"}\' \\\n  --compressed'
    )
    assert json.loads(parsed.body) == {"name": "Kim's \u00e9 meter"}
    assert parsed.method == "POST"
    # a $ inside a word is left alone
    assert parse_curl("curl https://h/v1/x -d 'a=$b'").body == "a=$b"
