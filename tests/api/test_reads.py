"""Reading through the API: the history (keyset pages, one record redacted), the operations
of each spec's newest version, and the console API's own OpenAPI document."""

from __future__ import annotations

import json

from django.test import Client
from django.urls import reverse
from openapi_spec_validator import validate

from console.history.models import CallRecord
from console.specs.services import spec_import


def _record(team, member, n: int) -> CallRecord:
    return CallRecord.objects.create(
        team=team, user=member.user, username="mia", method="GET", url=f"https://x/{n}", status=200
    )


def test_history_pages_by_id_newest_first(team, member, viewer, api_as):
    records = [_record(team, member, n) for n in range(5)]
    client = api_as(viewer)
    first = client.get(reverse("api:history", args=[team.slug]), limit="2").json()
    assert [r["id"] for r in first["records"]] == [records[4].pk, records[3].pk]
    second = client.client.get(first["next"], headers=client.headers).json()
    assert [r["id"] for r in second["records"]] == [records[2].pk, records[1].pk]
    filtered = client.get(reverse("api:history", args=[team.slug]), q="x/0").json()
    assert [r["url"] for r in filtered["records"]] == ["https://x/0"]


def test_one_record_in_full_and_another_teams_is_404(team, member, viewer, outsider, api_as):
    record = _record(team, member, 1)
    answer = api_as(viewer).get(reverse("api:record", args=[team.slug, record.pk])).json()
    assert answer["url"] == "https://x/1"
    assert "record_hash" in answer
    theirs = CallRecord.objects.create(
        team=outsider.membership.team, user=outsider.user, username="oscar", method="GET", url="u"
    )
    assert api_as(viewer).get(reverse("api:record", args=[team.slug, theirs.pk])).status_code == 404


def test_operations_of_the_newest_versions(team, admin, viewer, api_as, sandbox):
    first = spec_import(scope=admin.scope, name="Sandbox API", url=sandbox.url + "/openapi.json")
    # A second version (the same document again would be "unchanged", not a version).
    changed = {**first.version.document, "info": {"title": "Sandbox", "version": "next"}}
    spec_import(scope=admin.scope, name="Sandbox API", data=json.dumps(changed).encode())
    client = api_as(viewer)
    page = client.get(reverse("api:operations", args=[team.slug]), limit="5").json()
    assert len(page["operations"]) == 5
    assert {op["version"] for op in page["operations"]} == {2}
    everything, url = [], reverse("api:operations", args=[team.slug])
    while url:
        answer = client.client.get(url, headers=client.headers).json()
        everything += answer["operations"]
        url = answer["next"]
    ids = [op["operation_id"] for op in everything]
    assert len(ids) == len(set(ids)) == 13
    create = next(op for op in everything if op["operation_id"] == "createMeterType")
    assert create["method"] == "POST"
    assert create["call"] == "/api/v1/t/metering/operations/createMeterType/call"


def test_the_api_describes_itself_in_openapi(db):
    response = Client().get(reverse("api:openapi"))
    assert response.status_code == 200
    document = response.json()
    validate(document)  # a valid OpenAPI 3.1 document
    assert "/api/v1/t/{team}/operations/{operationId}/call" in document["paths"]
    assert "/proxy/t/{team}/{access}/{path}" in document["paths"]
    assert document["servers"] == [{"url": "http://testserver"}]
