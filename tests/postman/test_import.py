"""Importing Postman collections against the sandbox's spec: exact counts of matched,
free and skipped requests, what each became, and that no Postman credential is kept."""

from __future__ import annotations

import json

import pytest
from django.core import serializers

from console.collections.models import Collection, CollectionFolder, CollectionItem
from console.freeform.models import FreeRequest
from console.postman.collection import PostmanError
from console.postman.services import postman_import
from console.saved.models import SavedRequest
from tests.postman.conftest import fixture_text

pytestmark = pytest.mark.django_db

V21 = "metering.postman_collection.json"
V20 = "legacy-v2.0.postman_collection.json"
# Credentials written into the fixtures' auth blocks and headers: never kept anywhere.
FIXTURE_SECRETS = [
    "collection-oauth-secret-Wq81zL",
    "collection-oauth-client",
    "eyJhbGciOiJSUzI1NiJ9.postman-literal-token-Xk29Qw",
    "folder-api-key-Ty7uQ1pZ",
    "legacy-password-Pz93Kd",
    "legacy-bearer-token-Hq72Ls",
    "Bearer {{token}}",
]


def _everything_stored() -> str:
    rows = [
        *Collection.objects.all(), *CollectionFolder.objects.all(),
        *CollectionItem.objects.all(), *SavedRequest.objects.all(), *FreeRequest.objects.all(),
    ]  # fmt: skip
    return serializers.serialize("json", rows)


def _saved(name: str) -> SavedRequest:
    return SavedRequest.objects.get(name=name)


def test_v21_counts_and_folders(member, sandbox_version):
    summary = postman_import(
        scope=member.scope, spec_version=sandbox_version, text=fixture_text(V21)
    )
    assert (len(summary.matched), len(summary.free), len(summary.skipped)) == (9, 3, 3)
    assert summary.version == "2.1"
    collection = summary.collection
    assert collection.name == "Usage Engine \u2013 metering"
    assert collection.team == member.membership.team
    folders = {f.name: f for f in collection.folders.all()}
    assert set(folders) == {"Meter types", "Meters", "Streams", "Authentication", "Not in the spec"}
    assert folders["Meters"].parent == folders["Meter types"]
    assert collection.items.count() == 12  # matched and free; skipped ones are not steps
    assert collection.items.filter(saved_request__isnull=False).count() == 9
    assert {i.name for i in folders["Meters"].items.all()} == {"List meters", "Create meter"}
    skipped = {e.name: e.reason for e in summary.skipped}
    assert set(skipped) == {"Get token", "Search (GraphQL)", "Upload raw file"}
    assert "fetches and renews tokens itself" in skipped["Get token"]
    assert {e.name for e in summary.free} == {"Usage report", "Upload usage file", "Service status"}
    assert any("OAuth 2.0, bearer token, an API key" in note for note in summary.notes)


def test_v21_matched_values(member, sandbox_version):
    postman_import(scope=member.scope, spec_version=sandbox_version, text=fixture_text(V21))
    get = _saved("Get meter type")
    assert (get.method, get.path, get.operation_key) == (
        "GET", "/metering/v1/meter-types/{meterTypeId}", "getMeterType",
    )  # fmt: skip
    assert get.values == {"path:meterTypeId": "{{meterTypeId}}"}
    assert _saved("Delete meter type").values == {
        "path:meterTypeId": "0b6f3c9e-2a41-4f0e-9d7c-8e5a1b2c3d4e"
    }
    assert _saved("Update meter type").values == {"path:meterTypeId": "{{meterTypeId}}"}
    # the disabled query parameter is left out, the enabled ones kept
    assert _saved("List streams").values == {"query:page": "1", "query:pageSize": "50"}
    create = _saved("Create meter type")
    assert create.body_content_type == "application/json"
    assert '"accountId": "{{account}}"' in create.body  # variables kept as written
    item = CollectionItem.objects.get(name="Create meter type")
    assert item.captures == [{"variable": "meterTypeId", "pointer": "/id"}]


def test_v21_free_requests(member, sandbox_version):
    postman_import(scope=member.scope, spec_version=sandbox_version, text=fixture_text(V21))
    report = FreeRequest.objects.get(name="Usage report")
    assert (report.method, report.path) == ("GET", "/reporting/v1/usage")
    assert report.query == [
        {"name": "from", "value": "2025-01-01", "enabled": True},
        {"name": "to", "value": "2025-02-01", "enabled": True},
        {"name": "format", "value": "csv", "enabled": False},
    ]
    assert report.headers == [
        {"name": "Accept", "value": "text/csv", "enabled": True},
        {"name": "X-Trace", "value": "on", "enabled": False},
    ]
    upload = FreeRequest.objects.get(name="Upload usage file")
    assert (upload.body, upload.body_content_type) == (
        "note=March+import", "application/x-www-form-urlencoded",
    )  # fmt: skip
    status = FreeRequest.objects.get(name="Service status")
    assert status.path == "/api/v2/status.json"  # the host is the access's environment's


def test_v20_counts_base_path_and_string_urls(member, sandbox_version):
    summary = postman_import(
        scope=member.scope, spec_version=sandbox_version, text=fixture_text(V20), name="Old one"
    )
    assert (len(summary.matched), len(summary.free), len(summary.skipped)) == (5, 1, 1)
    assert summary.collection.name == "Old one"
    assert [e.name for e in summary.skipped] == ["Live meter feed"]
    remove = _saved("Remove meter")
    assert remove.values == {
        "path:meterTypeId": "{{meterTypeId}}",
        "path:meterId": "7d2e4f60-1b3a-4c5d-8e9f-a0b1c2d3e4f5",
    }
    assert _saved("Quick look at streams").values == {"query:page": "2"}
    assert json.loads(_saved("New meter type").body)["name"] == "Legacy calls"
    legacy = FreeRequest.objects.get(name="Legacy import")
    # the base path of the {{url}} variable (/ue) is not part of a free request's path
    assert legacy.path == "/legacy/v0/import"
    assert legacy.body == "account={{account}}"


def test_no_postman_credential_is_stored(member, sandbox_version):
    for name in (V21, V20):
        postman_import(scope=member.scope, spec_version=sandbox_version, text=fixture_text(name))
    stored = _everything_stored()
    for secret in FIXTURE_SECRETS:
        assert secret not in stored
    assert "Authorization" not in stored


def test_viewers_cannot_import(viewer, sandbox_version):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        postman_import(scope=viewer.scope, spec_version=sandbox_version, text=fixture_text(V21))


def test_a_bad_document_makes_nothing(member, sandbox_version):
    with pytest.raises(PostmanError, match="not valid JSON"):
        postman_import(scope=member.scope, spec_version=sandbox_version, text="{")
    assert not Collection.objects.exists()


def test_without_a_spec_everything_with_a_url_is_free(member):
    summary = postman_import(scope=member.scope, spec_version=None, text=fixture_text(V21))
    assert (len(summary.matched), len(summary.free), len(summary.skipped)) == (0, 12, 3)
    assert summary.free[0].reason == "no spec was chosen to match against"
    get = FreeRequest.objects.get(name="Get meter type")
    assert get.path == "/metering/v1/meter-types/{{meterTypeId}}"  # :id as its value
