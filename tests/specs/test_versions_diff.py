"""Comparing two versions of a spec: the selector and the page.

The page lists operations added, removed and changed (parameters, request body and
response schemas) between two versions, by default the latest and the one before it.
Everyone in the team may read it; anyone else gets a 404.
"""

from __future__ import annotations

import copy
import html
import json
from typing import Any

import pytest
from django.http import Http404
from django.urls import reverse

from console.specs.models import Operation
from console.specs.selectors import versions_diff
from console.specs.services import spec_import

V1: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Meters", "version": "1.0"},
    "paths": {
        "/meters": {
            "get": {
                "operationId": "listMeters",
                "summary": "List meters",
                "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer"}}],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Meter"},
                                }
                            }
                        },
                    }
                },
            },
            "post": {
                "operationId": "createMeter",
                "summary": "Create a meter",
                "requestBody": {
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Meter"}}
                    }
                },
                "responses": {"201": {"description": "Created"}},
            },
        },
        "/legacy": {
            "get": {
                "operationId": "legacy",
                "summary": "Old listing",
                "responses": {"200": {"description": "ok"}},
            }
        },
        "/streams": {
            "get": {
                "operationId": "listStreams",
                "summary": "List streams",
                "responses": {"200": {"description": "ok"}},
            }
        },
    },
    "components": {
        "schemas": {
            "Meter": {
                "type": "object",
                "required": ["name"],
                "properties": {"name": {"type": "string"}},
            }
        }
    },
}


def _v2() -> dict[str, Any]:
    doc = copy.deepcopy(V1)
    doc["info"]["version"] = "2.0"
    del doc["paths"]["/legacy"]
    doc["paths"]["/usage"] = {
        "get": {
            "operationId": "getUsage",
            "summary": "Usage per day",
            "responses": {"200": {"description": "ok"}},
        }
    }
    meters = doc["paths"]["/meters"]["get"]
    meters["parameters"].append(
        {"name": "cursor", "in": "query", "required": True, "schema": {"type": "string"}}
    )
    meters["description"] = "Reworded: not a change."
    doc["components"]["schemas"]["Meter"]["properties"]["unit"] = {"type": "string"}
    return doc


def _import(admin: Any, doc: dict[str, Any], name: str = "Meters") -> Any:
    return spec_import(scope=admin.scope, name=name, data=json.dumps(doc).encode())


@pytest.fixture
def spec(admin) -> Any:
    """A spec with two versions: v1 = V1, v2 = V1 with the changes of `_v2`."""
    _import(admin, V1)
    return _import(admin, _v2()).spec


def _url(team: Any, spec: Any, query: str = "") -> str:
    return reverse("specs:diff", args=[team.slug, spec.pk]) + query


def _page(response: Any) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


# ---------------------------------------------------------------- the selector


def test_by_default_the_latest_version_is_compared_with_the_one_before(spec):
    result = versions_diff(spec, None, None)
    assert (result.old.number, result.new.number) == (1, 2)
    diff = result.diff
    assert [op.key for op in diff.added] == [("GET", "/usage")]
    assert [op.key for op in diff.removed] == [("GET", "/legacy")]
    changed = {c.operation.key: [x.text for x in c.changes] for c in diff.changed}
    assert changed == {
        ("GET", "/meters"): [
            "query parameter 'cursor' added (required)",
            "response 200 schema changed (application/json)",
        ],
        ("POST", "/meters"): ["request body schema changed (application/json)"],
    }
    assert diff.unchanged == 1  # GET /streams


def test_explorer_links_point_at_the_operations_of_each_version(spec):
    result = versions_diff(spec, 1, 2)
    usage = Operation.objects.get(version=result.new, path="/usage")
    legacy = Operation.objects.get(version=result.old, path="/legacy")
    assert result.links[("GET", "/usage")] == usage.pk
    assert result.removed_links[("GET", "/legacy")] == legacy.pk


def test_any_two_versions_in_either_order(admin, spec):
    third = copy.deepcopy(V1)
    _import(admin, third)  # v3 is V1 again
    assert versions_diff(spec, 1, 3).diff.is_empty
    back = versions_diff(spec, 2, 3).diff
    assert [op.key for op in back.added] == [("GET", "/legacy")]
    assert [op.key for op in back.removed] == [("GET", "/usage")]
    # Only `to` given: compared with the version before it.
    result = versions_diff(spec, None, 2)
    assert (result.old.number, result.new.number) == (1, 2)


@pytest.mark.parametrize(("old", "new"), [(1, 9), (0, 2), (None, 1)])
def test_a_version_the_spec_does_not_have_is_a_404(spec, old, new):
    with pytest.raises(Http404):
        versions_diff(spec, old, new)


# ---------------------------------------------------------------- the page


def test_the_page_lists_added_removed_and_changed_operations(viewer, team, spec):
    page = _page(viewer.client().get(_url(team, spec)))
    assert "Changes from v1 to v2" in page
    added = page.split('id="added-title"')[1].split('id="removed-title"')[0]
    removed = page.split('id="removed-title"')[1].split('id="changed-title"')[0]
    changed = page.split('id="changed-title"')[1]
    for text in ('Added <span class="count">1</span>', "/usage", "Usage per day"):
        assert text in added
    for text in ('Removed <span class="count">1</span>', "/legacy", "Old listing"):
        assert text in removed
    for text in (
        'Changed <span class="count">2</span>',
        "query parameter 'cursor' added (required)",
        "response 200 schema changed (application/json)",
        "items.properties.unit: added",
        "request body schema changed (application/json)",
    ):
        assert text in changed
    assert "/streams" not in page  # unchanged
    assert "Reworded" not in page
    usage = Operation.objects.get(version__number=2, path="/usage")
    assert reverse("explorer:operation", args=[team.slug, usage.pk]) in page


def test_from_and_to_choose_the_versions(viewer, team, spec):
    page = _page(viewer.client().get(_url(team, spec, "?from=2&to=1")))
    assert "Changes from v2 to v1" in page
    assert '<option value="2" selected>v2</option>' in page
    page = _page(viewer.client().get(_url(team, spec, "?from=v1&to=v1")))
    assert "No operation changed" in page


@pytest.mark.parametrize("query", ["?from=7&to=2", "?from=x", "?to=1"])
def test_an_unknown_version_is_a_404(viewer, team, spec, query):
    assert viewer.client().get(_url(team, spec, query)).status_code == 404


def test_a_spec_with_one_version_has_nothing_to_compare(admin, viewer, team):
    only = _import(admin, V1, name="Single").spec
    page = _page(viewer.client().get(_url(team, only)))
    assert "Nothing to compare yet" in page


def test_the_spec_page_links_each_version_to_its_changes(viewer, team, spec):
    page = _page(viewer.client().get(reverse("specs:detail", args=[team.slug, spec.pk])))
    assert "Changes from v1" in page
    assert html.unescape(_url(team, spec, "?from=1&to=2")) in page
    assert "Changes from v0" not in page


def test_an_outsider_gets_a_404(outsider, team, spec):
    client = outsider.client()
    assert client.get(_url(team, spec)).status_code == 404
    assert client.get(_url(team, spec, "?from=1&to=2")).status_code == 404
    # Nor can they reach it through their own team's URL.
    their_team = outsider.membership.team
    assert client.get(_url(their_team, spec)).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, team, spec):
    response = client.get(_url(team, spec))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
