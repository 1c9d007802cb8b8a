"""The settings page's rows show their actions as buttons: Test, Edit and Delete on an
Application Access, Diff and Delete on a spec, Edit and Delete on an environment; each
works, keeps its role rule, and the destructive ones are CSRF-protected POSTs that ask
for confirmation first."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from console.specs.models import Spec
from console.specs.services import spec_import
from console.vault.models import ApplicationAccess
from tests.explorer import support

pytestmark = pytest.mark.django_db

# Fixtures from the explorer's set-up, found by name.
sandbox_env = support.sandbox_env
sandbox_access = support.sandbox_access


def _doc(summary: str) -> bytes:
    return json.dumps(
        {
            "openapi": "3.0.3",
            "info": {"title": "Things", "version": "1"},
            "paths": {"/things": {"get": {"operationId": "listThings", "summary": summary}}},
        }
    ).encode()


@pytest.fixture
def two_versions(admin) -> Spec:
    spec_import(scope=admin.scope, name="Things", data=_doc("v1"))
    return spec_import(scope=admin.scope, name="Things", data=_doc("v2")).spec


def _row(page: str, marker: str) -> str:
    match = re.search(rf'<td class="actions" {marker}>(.*?)</td>', page, re.S)
    assert match, marker
    return match.group(1)


def _settings(person, team) -> str:
    return person.client().get(reverse("teams:settings", args=[team.slug])).content.decode()


def test_an_admin_sees_every_action(admin, team, sandbox_access, two_versions):
    page = _settings(admin, team)
    access = _row(page, f'data-access-actions="{sandbox_access.pk}"')
    assert reverse("vault:access_test", args=[team.slug, sandbox_access.pk]) in access
    assert reverse("vault:access_edit", args=[team.slug, sandbox_access.pk]) in access
    assert reverse("vault:access_delete", args=[team.slug, sandbox_access.pk]) in access
    assert ">Test</button>" in access
    assert ">Edit</a>" in access
    assert ">Delete</button>" in access
    assert 'method="post"' in access
    assert "data-confirm=" in access
    assert "csrfmiddlewaretoken" in access
    spec = _row(page, f'data-spec-actions="{two_versions.pk}"')
    assert reverse("specs:diff", args=[team.slug, two_versions.pk]) in spec
    assert reverse("specs:delete", args=[team.slug, two_versions.pk]) in spec
    assert ">Diff</a>" in spec
    assert "data-confirm=" in spec
    assert "csrfmiddlewaretoken" in spec


def test_a_member_may_test_and_diff_but_not_edit_or_delete(
    member, team, sandbox_access, two_versions
):
    page = _settings(member, team)
    access = _row(page, f'data-access-actions="{sandbox_access.pk}"')
    assert ">Test</button>" in access
    assert "Edit" not in access
    assert "Delete" not in access
    spec = _row(page, f'data-spec-actions="{two_versions.pk}"')
    assert ">Diff</a>" in spec
    assert "Delete" not in spec


def test_a_viewer_cannot_test(viewer, team, sandbox_access, two_versions):
    access = _row(_settings(viewer, team), f'data-access-actions="{sandbox_access.pk}"')
    assert access.strip() == ""


def test_a_spec_with_one_version_has_no_diff(admin, team):
    spec = spec_import(scope=admin.scope, name="Single", data=_doc("only")).spec
    assert "Diff" not in _row(_settings(admin, team), f'data-spec-actions="{spec.pk}"')


def test_the_test_button_tests_the_connection(member, team, sandbox_access):
    response = member.client().post(
        reverse("vault:access_test", args=[team.slug, sandbox_access.pk])
    )
    assert response.status_code == 200
    assert "read:meter_types" in response.content.decode()


def _csrf_post(person, page_url: str, action: str):
    """Post `action` as the settings page's own form does, CSRF token and all."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(person.user)
    page = client.get(page_url).content.decode()
    form = re.search(rf'action="{re.escape(action)}".*?</form>', page, re.S)
    assert form, action
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.group(0)).group(1)
    assert client.post(action).status_code == 403  # no token: refused
    return client.post(action, {"csrfmiddlewaretoken": token})


def test_delete_buttons_work_for_admins(admin, team, sandbox_access, two_versions):
    settings_url = reverse("teams:settings", args=[team.slug])
    access_delete = reverse("vault:access_delete", args=[team.slug, sandbox_access.pk])
    assert _csrf_post(admin, settings_url, access_delete).status_code == 302
    assert not ApplicationAccess.objects.filter(pk=sandbox_access.pk).exists()
    spec_delete = reverse("specs:delete", args=[team.slug, two_versions.pk])
    assert _csrf_post(admin, settings_url, spec_delete).status_code == 302
    assert not Spec.objects.filter(pk=two_versions.pk).exists()


def test_members_cannot_delete_and_outsiders_get_404(
    member, outsider, team, sandbox_access, two_versions
):
    for url in (
        reverse("vault:access_delete", args=[team.slug, sandbox_access.pk]),
        reverse("specs:delete", args=[team.slug, two_versions.pk]),
    ):
        assert member.client().post(url).status_code == 403
        assert outsider.client().post(url).status_code == 404
    assert ApplicationAccess.objects.filter(pk=sandbox_access.pk).exists()
    assert Spec.objects.filter(pk=two_versions.pk).exists()
