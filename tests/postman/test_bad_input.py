"""Input the console cannot store or send, and names that hide secrets: curl escapes beyond
Unicode, lone surrogates and NUL characters (PostgreSQL refuses NUL in text, no database
takes a lone surrogate), the web page's item limit, secret-named environment values, the
one credential-header set and ASCII-only capture indexes (review findings 8, 10 and 11)."""

from __future__ import annotations

import json
import re

import pytest
from django.core import serializers
from django.urls import reverse

from console.collections.models import Collection, CollectionFolder, CollectionItem
from console.collections.services import collection_create, item_add
from console.freeform.models import FreeRequest
from console.freeform.services import free_request_create
from console.postman.collection import (
    SCHEMA_V21,
    PostmanError,
    clean_document,
    parse_collection,
    unstorable,
)
from console.postman.curl import parse_curl
from console.postman.environment import parse_environment
from console.postman.services import (
    INPUT_ERRORS,
    WEB_MAX_ITEMS,
    AccessOffer,
    curl_import,
    postman_environment_import,
    postman_export,
    postman_import,
    secret_named,
)
from console.saved.models import SavedRequest
from console.variables.models import Variable
from console.variables.services import variables_for
from console.vault import services as vault
from console.vault.models import Environment

pytestmark = pytest.mark.django_db

UNSTORABLE = ("\x00", "\ud800", "\udfff")


def _stored() -> str:
    rows = [
        *Collection.objects.all(), *CollectionFolder.objects.all(),
        *CollectionItem.objects.all(), *SavedRequest.objects.all(), *FreeRequest.objects.all(),
        *Variable.objects.all(),
    ]  # fmt: skip
    return serializers.serialize("json", rows)


def _collection(items: list, **extra) -> dict:
    return {"info": {"name": "Bad", "schema": SCHEMA_V21, **extra}, "item": items}


def _get(name: str, path: str, **request) -> dict:
    return {"name": name, "request": {"method": "GET", "url": "{{baseUrl}}" + path, **request}}


@pytest.fixture
def environment(admin, sandbox) -> Environment:
    return vault.environment_save(
        scope=admin.scope, environment=Environment(name="Sandbox", base_url=sandbox.url)
    )


# ---------------------------------------------------------------- curl escapes


@pytest.mark.parametrize(
    ("escape", "says"),
    [
        (r"\UFFFFFFFF", "beyond the last Unicode character (U+10FFFF)"),
        (r"\U00110000", "beyond the last Unicode character (U+10FFFF)"),
        (r"\ud800", "half of a UTF-16 surrogate pair"),
        (r"\U0000DFFF", "half of a UTF-16 surrogate pair"),
        (r"\x00", "a NUL character"),
        (r"\u0000", "a NUL character"),
    ],
)
def test_curl_escapes_that_name_no_storable_character(escape, says):
    with pytest.raises(PostmanError, match=re.escape(says)) as caught:
        parse_curl(f"curl https://h/x -H $'X-Note: a{escape}b'")
    assert escape in str(caught.value)  # the person sees which escape


def test_curl_escapes_that_are_characters_still_work():
    parsed = parse_curl(r"curl https://h/x --data-raw $'{\"n\": \"\u00e9\U0001F600\x41\"}'")
    assert parsed.body == '{"n": "\u00e9\U0001f600A"}'


@pytest.mark.parametrize("char", UNSTORABLE)
def test_curl_text_holding_unstorable_characters_is_refused(member, char):
    with pytest.raises(PostmanError, match="which a request cannot hold"):
        curl_import(scope=member.scope, text=f"curl https://h/x -d 'a{char}b'")
    assert not FreeRequest.objects.exists()


@pytest.mark.parametrize("escape", [r"\UFFFFFFFF", r"\U00110000", r"\ud800", r"\x00"])
def test_curl_page_shows_the_message_not_a_500(member, escape):
    url = reverse("postman:curl", args=["metering"])
    page = member.client().post(url, {"text": f"curl https://h/x -d $'a{escape}'"})
    assert page.status_code == 200
    assert "The curl command&#x27;s escape" in page.content.decode()
    assert not FreeRequest.objects.exists()


# ---------------------------------------------------------------- NUL and surrogates in JSON


def test_clean_document_strips_nul_and_replaces_lone_surrogates():
    data, note = clean_document({"na\x00me": ["x\ud800y", {"b": "\x00\x00"}], "ok": 1})
    assert data == {"name": ["x\ufffdy", {"b": ""}], "ok": 1}
    assert note.startswith("The document held 4 characters no database can store")
    assert "na\x00me" not in note
    assert clean_document({"a": ["\U0001f600"]}) == ({"a": ["\U0001f600"]}, "")
    assert unstorable("plain \U0001f600") == ""
    assert unstorable("a\udc00") == "an unpaired UTF-16 surrogate (U+DC00)"


def test_cleaning_takes_nesting_deeper_than_the_recursion_limit():
    # json.loads reads this (its C parser has its own, higher limit); a recursive walk would
    # raise RecursionError (a 500).
    deep = "[" * 5000 + '"\\u0000"' + "]" * 5000
    text = json.dumps(_collection([]))[:-1] + ', "x": ' + deep + "}"
    [note] = parse_collection(text).notes
    assert note.startswith("The document held 1 character no database can store")
    assert len(note) < 400  # the place is cut to its last 80 characters


def test_a_collection_with_nul_and_surrogates_is_imported_clean(member, sandbox_version):
    # As JSON writes them: \u0000 and \ud800 escapes (a raw NUL is not valid JSON at all).
    items = [
        {
            "name": "Folder\u0000",
            "item": [
                _get(
                    "List\u0000 meter types",
                    "/metering/v1/meter-types?q=a\ud800",
                    header=[{"key": "X-Tag\u0000", "value": "v\udfff"}],
                ),
                {
                    "name": "Odd \ud83d",
                    "request": {
                        "method": "POST",
                        "url": "{{baseUrl}}/not/in/spec",
                        "body": {"mode": "raw", "raw": '{"n": "\\u0000"}\u0000'},
                    },
                },
            ],
        }
    ]
    text = json.dumps(_collection(items, description="about\u0000"))
    assert "\\u0000" in text
    assert "\\ud800" in text
    summary = postman_import(scope=member.scope, spec_version=sandbox_version, text=text)
    assert (len(summary.matched), len(summary.free), len(summary.skipped)) == (1, 1, 0)
    [note] = [n for n in summary.notes if "no database can store" in n]
    assert "NUL characters were removed and surrogates replaced by U+FFFD" in note
    assert "info.description" in note
    # every text stored, JSON columns included, is free of them (the body's own "\\u0000"
    # escape, written inside the raw text, is six plain characters and stays)
    assert unstorable(json.dumps(json.loads(_stored()), ensure_ascii=False)) == ""
    assert FreeRequest.objects.get().body == '{"n": "\\u0000"}'
    assert CollectionFolder.objects.get().name == "Folder"
    assert FreeRequest.objects.get().name == "Odd \ufffd"


def test_a_collection_with_nul_through_the_page(member, sandbox_version):
    text = json.dumps(_collection([_get("Read\u0000", "/metering/v1/meter-types")]))
    page = member.client().post(
        reverse("postman:import", args=["metering"]),
        {"text": text, "spec": sandbox_version.spec_id},
    )
    assert page.status_code == 200
    assert "no database can store" in page.content.decode()
    assert SavedRequest.objects.get().name == "Read"


def test_environment_values_with_nul_or_surrogates_are_skipped(admin, environment):
    values = [
        {"key": "good", "value": "fine"},
        {"key": "nul", "value": "a\u0000b"},
        {"key": "half\ud800", "value": "x"},
        {"key": "password", "value": "pw\ud800-Kq81Lx"},
    ]
    text = json.dumps({"name": "Env\u0000", "values": values})
    parsed = parse_environment(text)
    assert parsed.name == "Env"
    summary = postman_environment_import(scope=admin.scope, environment=environment, text=text)
    assert summary.created == ["good"]
    skipped = dict(summary.skipped)
    assert skipped.keys() == {"nul", "half\ufffd", "password"}
    assert "a NUL character (U+0000)" in skipped["nul"]
    assert "an unpaired UTF-16 surrogate (U+D800)" in skipped["half\ufffd"]
    assert list(Variable.objects.values_list("name", flat=True)) == ["good"]


def test_environment_page_with_unstorable_values(admin, environment):
    text = json.dumps({"name": "E", "values": [{"key": "nul", "value": "a\u0000"}]})
    page = admin.client().post(
        reverse("postman:environment", args=["metering"]),
        {"text": text, "environment": environment.pk},
    )
    assert page.status_code == 200
    assert "which cannot be stored" in page.content.decode()


def test_input_errors_cover_every_service_error():
    from console.collections.services import CollectionError
    from console.freeform.services import FreeRequestError
    from console.saved.services import SavedRequestError
    from console.vault.services import VaultError

    for error in (PostmanError, FreeRequestError, CollectionError, SavedRequestError, VaultError):
        assert error in INPUT_ERRORS


def test_curl_into_a_collection_with_too_many_headers_is_a_message(member):
    from console.freeform.services import MAX_ROWS

    headers = " ".join(f"-H 'X-H{i}: v'" for i in range(MAX_ROWS + 1))
    page = member.client().post(
        reverse("postman:curl", args=["metering"]), {"text": f"curl https://h/x {headers}"}
    )
    assert page.status_code == 200
    assert f"at most {MAX_ROWS}" in page.content.decode()


# ---------------------------------------------------------------- the web page's item limit


def _requests(count: int) -> list:
    return [_get(f"R{i}", "/metering/v1/meter-types") for i in range(count)]


def test_parse_collection_limit_is_a_message():
    text = json.dumps(_collection(_requests(4)))
    assert len(parse_collection(text, max_items=4).items) == 4
    with pytest.raises(PostmanError, match=r"more than 3 items .* split it into several"):
        parse_collection(text, max_items=3)


def test_the_web_page_refuses_more_than_web_max_items(member, sandbox_version):
    text = json.dumps(_collection(_requests(WEB_MAX_ITEMS + 1)))
    page = member.client().post(
        reverse("postman:import", args=["metering"]),
        {"text": text, "spec": sandbox_version.spec_id},
    )
    assert page.status_code == 200
    assert f"more than {WEB_MAX_ITEMS:,} items" in page.content.decode()
    assert not Collection.objects.exists()
    # the service itself, with its own default, takes the same document
    summary = postman_import(scope=member.scope, spec_version=None, text=text)
    assert summary.total == WEB_MAX_ITEMS + 1


# ---------------------------------------------------------------- secrets by name


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("password", True), ("DB_PASSWORD", True), ("userPassword", True), ("apiKey", True),
        ("api-key", True), ("X-Api-Key", True), ("client_secret", True), ("refreshToken", True),
        ("mySecret", True), ("authToken", True), ("sessionCookie", True),
        ("baseUrl", False), ("meterTypeId", False), ("account", False), ("passwordHint2", False),
        ("secretary", False), ("keyId", False),
    ],
)  # fmt: skip
def test_secret_named(name, secret):
    assert secret_named(name) is secret


ENV = {
    "name": "Named",
    "values": [
        {"key": "account", "value": "acme", "type": "default"},
        {"key": "dbPassword", "value": "pw-named-Vx83Lq", "type": "default"},
        {"key": "apiKey", "value": "key-named-Jm27Pw", "type": "text"},
    ],
}


def test_secret_named_values_become_secret_variables_for_admins(admin, environment):
    summary = postman_environment_import(
        scope=admin.scope, environment=environment, text=json.dumps(ENV)
    )
    assert summary.created == ["account", "dbPassword", "apiKey"]
    assert summary.secret == ["dbPassword", "apiKey"]
    assert Variable.objects.get(name="dbPassword").is_secret
    assert Variable.objects.get(name="apiKey").is_secret
    assert not Variable.objects.get(name="account").is_secret
    stored = serializers.serialize("json", Variable.objects.all())
    assert "pw-named-Vx83Lq" not in stored
    assert "key-named-Jm27Pw" not in stored
    values = variables_for(admin.scope, environment).values
    assert values["dbPassword"] == "pw-named-Vx83Lq"


def test_secret_named_values_are_skipped_for_members(member, viewer, environment):
    summary = postman_environment_import(
        scope=member.scope, environment=environment, text=json.dumps(ENV)
    )
    assert summary.created == ["account"]
    skipped = dict(summary.skipped)
    assert skipped["dbPassword"] == (
        "named like a secret: only admins and owners set secret variables"
    )
    assert "apiKey" in skipped
    # nothing a viewer reads holds them
    page = viewer.client().get(reverse("variables:list", args=["metering"]))
    assert "pw-named-Vx83Lq" not in page.content.decode()
    assert list(Variable.objects.values_list("name", flat=True)) == ["account"]


def test_access_offer_repr_shows_no_credentials():
    offer = AccessOffer(name="From Postman", client_id="cid-Ab12Cd34", client_secret="s-Zq9Lm2")
    assert "s-Zq9Lm2" not in repr(offer)
    assert "cid-Ab12Cd34" not in repr(offer)
    assert offer.client_id_hint == "Cd34"


# ---------------------------------------------------------------- one credential-header set


def test_credential_headers_are_the_historys_set(member):
    items = [
        _get(
            "Other",
            "/not/in/spec",
            header=[
                {"key": "X-Api-Key", "value": "key-hdr-Lw82Qz"},
                {"key": "X-Auth-Token", "value": "tok-hdr-Nb27Xs"},
                {"key": "Authorization", "value": "Bearer abc-hdr-Qp1"},
                {"key": "X-Kept", "value": "1"},
            ],
        )
    ]
    summary = postman_import(
        scope=member.scope, spec_version=None, text=json.dumps(_collection(items))
    )
    [entry] = summary.free
    assert "Credential headers left out: X-Api-Key, X-Auth-Token, Authorization" in entry.notes
    assert summary.notes[0].startswith("Credential headers (Authorization, Cookie, X-Api-Key")
    free = FreeRequest.objects.get()
    assert [h["name"] for h in free.headers] == ["X-Kept"]
    stored = _stored()
    for secret in ("key-hdr-Lw82Qz", "tok-hdr-Nb27Xs", "abc-hdr-Qp1"):
        assert secret not in stored


def test_hop_headers_are_not_named_as_missing_from_the_operation(member, sandbox_version):
    headers = [
        {"key": "Connection", "value": "keep-alive"},
        {"key": "Accept-Encoding", "value": "gzip"},
        {"key": "Transfer-Encoding", "value": "chunked"},
        {"key": "X-Other", "value": "1"},
    ]
    items = [_get("List", "/metering/v1/meter-types", header=headers)]
    summary = postman_import(
        scope=member.scope, spec_version=sandbox_version, text=json.dumps(_collection(items))
    )
    [entry] = summary.matched
    assert entry.notes == ("Headers the operation does not have: X-Other",)


def test_curl_drops_every_credential_header(member):
    free = curl_import(
        scope=member.scope,
        text="curl https://h/x -H 'X-Api-Key: key-curl-Rt61' -H 'X-Auth-Token: t-curl-Pq' "
        "-H 'X-Kept: 1'",
    )
    assert free.headers == [{"name": "X-Kept", "value": "1", "enabled": True}]
    assert "Credential headers left out: X-Api-Key, X-Auth-Token" in free.import_notes


def test_export_leaves_out_every_credential_header(member):
    collection = collection_create(scope=member.scope, name="Headers")
    free = free_request_create(
        scope=member.scope,
        name="H",
        method="GET",
        path="/x",
        headers=[{"name": "X-Auth-Token", "value": "{{authToken}}"}, ("X-Kept", "1")],
    )
    item_add(scope=member.scope, collection=collection, name="H", free_request=free)
    exported = postman_export(scope=member.scope, collection=collection)
    header = exported["item"][0]["request"]["header"]
    assert [h["key"] for h in header] == ["X-Kept"]


# ---------------------------------------------------------------- ASCII digits


def test_unicode_digits_are_keys_not_indexes(member):
    collection = collection_create(scope=member.scope, name="Digits")
    free = free_request_create(scope=member.scope, name="D", method="GET", path="/x")
    item_add(
        scope=member.scope,
        collection=collection,
        name="D",
        free_request=free,
        captures=[
            {"variable": "first", "pointer": "/items/0/id"},
            {"variable": "arabic", "pointer": "/items/\u0661"},
        ],
    )
    exported = postman_export(scope=member.scope, collection=collection)
    lines = exported["item"][0]["event"][0]["script"]["exec"]
    assert lines[0].endswith('pm.response.json()["items"][0]["id"]);')
    # a JavaScript string key (json.dumps escapes it), not `[\u0661]`, a syntax error
    assert lines[1].endswith('pm.response.json()["items"]["\\u0661"]);')


def test_a_script_with_a_unicode_digit_index_is_not_a_capture():
    from console.postman.collection import script_captures

    events = [
        {
            "listen": "test",
            "script": {"exec": ['pm.environment.set("a", pm.response.json().items[\u0661]);']},
        }
    ]
    captures, other = script_captures(events)
    assert captures == []
    assert other
