"""The explorer's sidebar names the spec it shows (with its version) and, when the team
has several specs, offers a switcher to the others on every explorer page."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from console.specs.services import spec_import
from tests.explorer.many_operations import many_operations
from tests.explorer.support import html

pytestmark = pytest.mark.django_db


def _import(admin, name: str):
    document = many_operations(3, 1)
    return spec_import(scope=admin.scope, name=name, data=json.dumps(document).encode())


def _switcher(page: str) -> str:
    match = re.search(r'<div class="spec-switcher" data-spec-switcher>(.*?)\n</div>', page, re.S)
    assert match, "the sidebar shows the spec switcher"
    return match.group(1)


def test_several_specs_show_the_current_one_and_a_switcher(admin, viewer, team):
    alpha = _import(admin, "Alpha")
    beta = _import(admin, "Beta")
    _import(admin, "Gamma")
    client = viewer.client()
    op = beta.version.operations.first()
    for url in (
        reverse("explorer:spec", args=[team.slug, beta.spec.pk]),
        reverse("explorer:operation", args=[team.slug, op.pk]),
    ):
        switcher = _switcher(html(client.get(url)))
        current = re.search(r"<a [^>]*data-current-spec>([^<]+)</a>", switcher)
        assert current.group(1) == "Beta"
        assert "v1" in switcher
        assert "Switch spec" in switcher
        others = re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', switcher)
        assert [name for _, name in others] == ["Alpha", "Gamma"]
        assert others[0][0] == reverse("explorer:spec", args=[team.slug, alpha.spec.pk])


def test_one_spec_is_named_without_a_switcher(admin, viewer, team):
    only = _import(admin, "Only")
    page = html(viewer.client().get(reverse("explorer:spec", args=[team.slug, only.spec.pk])))
    switcher = _switcher(page)
    assert "data-current-spec>Only</a>" in switcher
    assert "Switch spec" not in switcher
