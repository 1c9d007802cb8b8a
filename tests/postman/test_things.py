"""Header and array query values of a matched request, against the Things API (a spec
with header parameters, one of them a credential the console redacts)."""

from __future__ import annotations

import json

import pytest

from console.postman.collection import SCHEMA_V21
from console.postman.services import postman_export, postman_import
from console.saved.models import SavedRequest

pytestmark = pytest.mark.django_db

COLLECTION = {
    "info": {"_postman_id": "0c3f", "name": "Things", "schema": SCHEMA_V21},
    "item": [
        {
            "name": "Read a thing",
            "request": {
                "method": "GET",
                "header": [
                    {"key": "X-Request-Tag", "value": "nightly", "type": "text"},
                    {"key": "X-Api-Key", "value": "key-that-must-not-be-kept", "type": "text"},
                    {"key": "X-Other", "value": "1", "type": "text"},
                ],
                "url": {
                    "raw": "{{baseUrl}}/v1/things/:thingId?limit=7&tags=red&tags=blue",
                    "host": ["{{baseUrl}}"],
                    "path": ["v1", "things", ":thingId"],
                    "query": [
                        {"key": "limit", "value": "7"},
                        {"key": "tags", "value": "red"},
                        {"key": "tags", "value": "blue"},
                    ],
                    "variable": [{"key": "thingId", "value": "thing-42"}],
                },
            },
            "response": [],
        }
    ],
}


def test_headers_and_repeated_query_values(member, things):
    summary = postman_import(
        scope=member.scope, spec_version=things.version, text=json.dumps(COLLECTION)
    )
    assert len(summary.matched) == 1
    saved = SavedRequest.objects.get()
    assert saved.values["path:thingId"] == "thing-42"
    assert saved.values["query:limit"] == "7"
    assert saved.values["header:X-Request-Tag"] == "nightly"
    assert "key-that-must-not-be-kept" not in json.dumps(saved.values)
    assert summary.matched[0].notes == ("Headers the operation does not have: X-Other",)
    tags = saved.values["query:tags"]
    assert tags == ["red", "blue"]  # one value per repeat, as the form reads them back
    exported = json.dumps(postman_export(scope=member.scope, collection=summary.collection))
    assert "key-that-must-not-be-kept" not in exported
    again = postman_import(scope=member.scope, spec_version=things.version, text=exported)
    [first, second] = SavedRequest.objects.order_by("pk")
    assert again.matched[0].name == "Read a thing"
    # Credential headers (the history's set: X-Api-Key too) are not exported, even redacted.
    assert "X-Api-Key" not in exported
    assert first.values.pop("header:X-Api-Key") == "[redacted]"
    assert second.values == first.values
