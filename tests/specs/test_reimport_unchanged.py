"""Importing the document a spec's latest version already holds says "unchanged" and adds
no version; a changed document still adds one."""

from __future__ import annotations

import json

import pytest
import yaml
from django.urls import reverse

from console.specs.models import SpecVersion
from console.specs.services import spec_import

pytestmark = pytest.mark.django_db


def document(summary: str = "List things") -> dict:
    return {
        "openapi": "3.0.3",
        "info": {"title": "Things", "version": "1"},
        "paths": {"/things": {"get": {"operationId": "listThings", "summary": summary}}},
    }


def paste(client, team, text: str):
    return client.post(
        reverse("specs:import", args=[team.slug]), {"name": "Things", "paste": text}, follow=True
    )


def test_the_same_document_again_is_unchanged(admin, team):
    first = spec_import(scope=admin.scope, name="Things", data=json.dumps(document()).encode())
    again = spec_import(
        scope=admin.scope, name="Things", data=json.dumps(document(), indent=4).encode()
    )
    assert again.unchanged
    assert again.version == first.version
    assert SpecVersion.objects.count() == 1
    assert again.summary() == (
        "Things is unchanged: the document is the same as v1, so no new version was added."
    )


def test_the_same_document_as_yaml_is_unchanged(admin, team):
    spec_import(scope=admin.scope, name="Things", data=json.dumps(document()).encode())
    again = spec_import(
        scope=admin.scope,
        name="Things",
        data=yaml.safe_dump(document(), sort_keys=False).encode(),
        source="x",
    )
    assert again.unchanged
    assert SpecVersion.objects.count() == 1


def test_a_changed_document_adds_a_version(admin, team):
    spec_import(scope=admin.scope, name="Things", data=json.dumps(document()).encode())
    changed = spec_import(
        scope=admin.scope, name="Things", data=json.dumps(document("List all things")).encode()
    )
    assert not changed.unchanged
    assert changed.version.number == 2


def test_the_page_says_unchanged(admin, team):
    client = admin.client()
    paste(client, team, json.dumps(document()))
    page = paste(client, team, json.dumps(document())).content.decode()
    assert "Things is unchanged" in page
    assert "Imported Things" not in page
    assert SpecVersion.objects.count() == 1


def test_another_teams_identical_spec_does_not_count(admin, outsider, team):
    spec_import(scope=outsider.scope, name="Things", data=json.dumps(document()).encode())
    mine = spec_import(scope=admin.scope, name="Things", data=json.dumps(document()).encode())
    assert not mine.unchanged
    assert mine.version.team == team
