"""The variables page by role, secret values write-only, and the preview before Send."""

from __future__ import annotations

import html as html_lib

import pytest
from django.urls import reverse

from console.variables.models import Variable
from console.variables.services import variable_set
from console.vault.crypto import decrypt
from tests.explorer.support import html

pytestmark = pytest.mark.django_db

SECRET = "Top-Secret-Value-77"
LIST = reverse("variables:list", args=["metering"])


@pytest.fixture
def some(admin, member, sandbox_env):
    return {
        "plain": variable_set(scope=member.scope, name="account", value="acc-42"),
        "env": variable_set(
            scope=member.scope, name="account", value="acc-sandbox", environment=sandbox_env
        ),
        "secret": variable_set(scope=admin.scope, name="apiKey", value=SECRET, secret=True),
    }


def _page(person) -> str:
    response = person.client().get(LIST)
    assert response.status_code == 200
    return html_lib.unescape(html(response))


def test_viewer_sees_names_and_plain_values_never_a_secret(viewer, some):
    page = _page(viewer)
    assert "{{account}}" in page
    assert "acc-42" in page
    assert "acc-sandbox" in page
    assert "{{apiKey}}" in page
    assert "secret" in page
    assert SECRET not in page
    assert "Add a variable" not in page
    assert "Edit" not in page


def test_member_edits_plain_not_secret(member, some):
    page = _page(member)
    assert "Add a variable" in page
    assert reverse("variables:edit", args=["metering", some["plain"].pk]) in page
    assert reverse("variables:edit", args=["metering", some["secret"].pk]) not in page
    assert 'name="is_secret"' not in page  # members add plain variables only
    url = reverse("variables:edit", args=["metering", some["secret"].pk])
    assert member.client().get(url).status_code == 403
    assert member.client().post(url, {"name": "apiKey", "value": "x" * 10}).status_code == 403


def test_member_adds_and_changes_a_variable(member, sandbox_env, some):
    client = member.client()
    response = client.post(LIST, {"name": "meterTypeId", "value": "mt-1", "environment": ""})
    assert response.status_code == 302
    assert Variable.objects.get(name="meterTypeId").value == "mt-1"
    bad = client.post(LIST, {"name": "1 bad", "value": "x", "environment": ""})
    assert bad.status_code == 200
    assert "starts with a letter or _" in html(bad)
    url = reverse("variables:edit", args=["metering", some["plain"].pk])
    page = html(client.get(url))
    assert "acc-42" in page
    client.post(url, {"name": "account", "value": "acc-43", "environment": str(sandbox_env.pk)})
    clash = html_lib.unescape(html(client.get(url)))  # the Sandbox one exists already
    assert "acc-42" in clash
    again = client.post(
        url, {"name": "account", "value": "acc-43", "environment": str(sandbox_env.pk)}
    )
    assert "There is already a variable account for Sandbox" in html(again)
    client.post(url, {"name": "account", "value": "acc-43", "environment": ""})
    assert Variable.objects.get(pk=some["plain"].pk).value == "acc-43"


def test_admin_secret_write_only_blank_keeps_typed_replaces(admin, some):
    client = admin.client()
    url = reverse("variables:edit", args=["metering", some["secret"].pk])
    page = html(client.get(url))
    assert SECRET not in page
    assert 'type="password"' in page
    assert "Leave blank to keep" in page
    client.post(url, {"name": "apiKey", "value": "", "environment": "", "is_secret": "on"})
    row = Variable.objects.get(pk=some["secret"].pk)
    assert decrypt(row.secret_value) == SECRET
    client.post(
        url, {"name": "apiKey", "value": "Another-Secret-1", "environment": "", "is_secret": "on"}
    )
    assert decrypt(Variable.objects.get(pk=row.pk).secret_value) == "Another-Secret-1"
    short = client.post(url, {"name": "apiKey", "value": "short", "is_secret": "on"})
    assert "at least 8 characters" in html(short)
    added = client.post(
        LIST, {"name": "token2", "value": "Secret-Token-2", "environment": "", "is_secret": "on"}
    )
    assert added.status_code == 302
    new = Variable.objects.get(name="token2")
    assert new.is_secret
    assert new.value == ""
    assert "Secret-Token-2" not in html(admin.client().get(LIST))


def test_delete(member, admin, some):
    client = member.client()
    url = reverse("variables:delete", args=["metering", some["plain"].pk])
    assert client.post(url).status_code == 302
    assert not Variable.objects.filter(pk=some["plain"].pk).exists()
    secret_url = reverse("variables:delete", args=["metering", some["secret"].pk])
    assert client.post(secret_url).status_code == 403
    assert admin.client().post(secret_url).status_code == 302


def test_outsider_404(outsider, some):
    client = outsider.client()
    assert client.get(LIST).status_code == 404
    url = reverse("variables:edit", args=["metering", some["plain"].pk])
    assert client.get(url).status_code == 404
    theirs = reverse("variables:edit", args=["billing", some["plain"].pk])
    assert client.get(theirs).status_code == 404  # my variable through their team


def test_settings_links_to_the_page(viewer):
    assert LIST in html(viewer.client().get(reverse("teams:settings", args=["metering"])))


# ---------------------------------------------------------------- the preview


def _preview(person, operation, access, data, htmx=True):
    url = reverse("variables:preview", args=["metering", operation.pk])
    headers = {"HX-Request": "true", "HX-Target": "variables-preview"} if htmx else {}
    return person.client().post(url, {"access": access.pk, **data}, headers=headers)


def test_operation_form_has_the_preview(member, sandbox_access, sandbox_op):
    op = sandbox_op("getMeterType")
    page = html(member.client().get(reverse("explorer:operation", args=["metering", op.pk])))
    assert reverse("variables:preview", args=["metering", op.pk]) in page
    assert 'id="variables-preview"' in page


def test_preview_resolves_and_hides_secrets(member, some, echo, echo_access, echo_op):
    op = echo_op("deleteWidget")
    response = _preview(member, op, echo_access, {"path:widgetId": "{{account}}-{{apiKey}}"})
    page = html_lib.unescape(html(response))
    assert response.status_code == 200
    assert "<html" not in page
    assert "DELETE" in page
    assert "/v1/widgets/acc-42-[secret]" in page  # Echo has no value of its own: team-wide
    assert SECRET not in page
    assert "{{apiKey}}" in page  # listed as used, its value hidden
    assert echo.api() == []  # nothing sent
    assert echo.token_requests == 0  # and no token fetched


def test_preview_says_what_stops_the_call(member, some, sandbox_access, sandbox_op):
    op = sandbox_op("getMeterType")
    page = html(_preview(member, op, sandbox_access, {"path:meterTypeId": "{{account}}"}))
    assert "This would not be sent" in page
    assert "must be a UUID" in page  # checked as Send checks it, with the value resolved


def test_preview_body_and_unknown(member, some, echo_access, echo_op):
    op = echo_op("createWidget")
    page = html_lib.unescape(
        html(_preview(member, op, echo_access, {"body": '{"name": "{{apiKey}}", "size": 2}'}))
    )
    assert '"name": "[secret]"' in page
    assert SECRET not in page
    missing = html_lib.unescape(
        html(_preview(member, op, echo_access, {"body": '{"name": "{{nothing}}"}'}))
    )
    assert "No variable named {{nothing}} in Echo." in missing
    whole = _preview(member, op, echo_access, {"body": "{}"}, htmx=False)
    assert "<html" in html(whole)


def test_viewer_cannot_preview(viewer, sandbox_access, sandbox_op):
    assert _preview(viewer, sandbox_op("getMeterType"), sandbox_access, {}).status_code == 403
