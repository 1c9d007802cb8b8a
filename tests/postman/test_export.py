"""Exporting a collection as Postman v2.1, and an export imported again giving the same
requests (method, path template, values, body). No secret and no token in an export."""

from __future__ import annotations

import json

import pytest

from console.collections.models import CollectionItem
from console.postman.collection import SCHEMA_V21, parse_collection
from console.postman.services import postman_export, postman_import
from tests.postman.conftest import fixture_text

pytestmark = pytest.mark.django_db


def _requests(collection) -> list[tuple]:
    """What each step of a collection sends, in run order, by folder."""
    out = []
    for item in CollectionItem.objects.filter(collection=collection).order_by(
        "folder_id", "position"
    ):
        folder = item.folder.name if item.folder else ""
        if item.saved_request_id:
            s = item.saved_request
            out.append((folder, item.name, "saved", s.method, s.path, s.values, s.body.strip(),
                        s.body_content_type, item.captures))  # fmt: skip
        else:
            f = item.free_request
            out.append((folder, item.name, "free", f.method, f.path, f.query, f.headers,
                        f.body, f.body_content_type))  # fmt: skip
    return sorted(out, key=lambda r: (r[0], r[1]))


@pytest.mark.parametrize("fixture", ["metering.postman_collection.json",
                                     "legacy-v2.0.postman_collection.json"])  # fmt: skip
def test_export_then_import_gives_the_same_requests(member, sandbox_version, fixture):
    first = postman_import(
        scope=member.scope, spec_version=sandbox_version, text=fixture_text(fixture)
    )
    exported = postman_export(scope=member.scope, collection=first.collection)
    second = postman_import(
        scope=member.scope, spec_version=sandbox_version, text=json.dumps(exported)
    )
    assert (len(second.matched), len(second.free), len(second.skipped)) == (
        len(first.matched), len(first.free), 0,
    )  # fmt: skip
    assert _requests(second.collection) == _requests(first.collection)
    assert {f.name for f in second.collection.folders.all()} == {
        f.name for f in first.collection.folders.all()
    }


def test_export_is_postman_v21_with_placeholders_only(member, sandbox_version):
    summary = postman_import(
        scope=member.scope,
        spec_version=sandbox_version,
        text=fixture_text("metering.postman_collection.json"),
    )
    exported = postman_export(scope=member.scope, collection=summary.collection)
    assert exported["info"]["schema"] == SCHEMA_V21
    assert exported["auth"] == {
        "type": "bearer", "bearer": [{"key": "token", "value": "{{token}}", "type": "string"}],
    }  # fmt: skip
    assert [v["key"] for v in exported["variable"]] == ["baseUrl"]
    parsed = parse_collection(json.dumps(exported))  # Postman's own shape, read back
    by_name = {r.name: r for _, r in parsed.requests()}
    get = by_name["Get meter type"]
    assert get.raw_url == "{{baseUrl}}/metering/v1/meter-types/:meterTypeId"
    assert get.path_variables == {"meterTypeId": "{{meterTypeId}}"}
    create = by_name["Create meter type"]
    assert (create.body_mode, create.body_language) == ("raw", "json")
    assert create.captures == [("meterTypeId", "/id")]
    text = json.dumps(exported)
    for secret in ("collection-oauth-secret-Wq81zL", "postman-literal-token", "folder-api-key"):
        assert secret not in text
    assert "Authorization" not in text


def test_export_leaves_out_secret_values(member, sandbox_version):
    from console.collections.services import collection_create, item_add
    from console.freeform.services import free_request_create

    collection = collection_create(scope=member.scope, name="Secrets")
    free = free_request_create(
        scope=member.scope,
        name="Login",
        method="POST",
        path="/login",
        headers=[{"name": "X-Api-Key", "value": "key-Qm83Lz0w"}, ("Authorization", "Bearer abc")],
        body='{"client_secret": "hush-9Xk2Lm", "user": "kim"}',
        body_content_type="application/json",
    )
    item_add(scope=member.scope, collection=collection, name="Login", free_request=free)
    text = json.dumps(postman_export(scope=member.scope, collection=collection))
    assert "hush-9Xk2Lm" not in text
    assert "key-Qm83Lz0w" not in text
    assert "Bearer abc" not in text
