"""The free request page through Django's client: the form, Send (htmx panel and plain
page), Save, the production confirmation, and who may do what."""

from __future__ import annotations

import pytest
from django.urls import reverse

from console.freeform.models import FreeRequest
from console.history.models import CallRecord

pytestmark = pytest.mark.django_db
METER_TYPES = "/metering/v1/meter-types"


def _form(access, **extra):
    data = {
        "method": "GET",
        "path": METER_TYPES,
        "query-0-name": "limit",
        "query-0-value": "2",
        "query-0-enabled": "1",
        "query-1-name": "",
        "query-1-value": "",
        "header-0-name": "X-Request-Tag",
        "header-0-value": "free",
        "header-0-enabled": "1",
        "body": "",
        "access": access.pk,
    }
    data.update(extra)
    return data


def test_the_page_opens_for_viewers_without_send(viewer, team):
    page = viewer.client().get(reverse("freeform:new", args=[team.slug]))
    assert page.status_code == 200
    assert "Viewers read requests" in page.content.decode()


def test_send_with_htmx_answers_the_response_panel(member, team, sandbox_access):
    response = member.client().post(
        reverse("freeform:send", args=[team.slug]),
        _form(sandbox_access),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "<html" not in text
    assert "meterTypes" in text
    record = CallRecord.objects.get()
    assert record.url.endswith(METER_TYPES + "?limit=2")
    assert ["X-Request-Tag", "free"] in record.request_headers


def test_send_without_javascript_answers_the_page(member, team, sandbox_access):
    response = member.client().post(
        reverse("freeform:send", args=[team.slug]), _form(sandbox_access)
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "<html" in text
    assert "meterTypes" in text
    assert 'value="X-Request-Tag"' in text  # the form keeps what was typed


def test_a_refused_path_is_said_in_words(member, team, sandbox_access):
    response = member.client().post(
        reverse("freeform:send", args=[team.slug]),
        _form(sandbox_access, path="https://evil.example/x"),
        headers={"HX-Request": "true"},
    )
    assert "Type the path only" in response.content.decode()
    assert not CallRecord.objects.exists()


def test_save_then_open_and_update(member, team, sandbox_access):
    client = member.client()
    saved = client.post(
        reverse("freeform:save", args=[team.slug]), _form(sandbox_access, name="List two")
    )
    free = FreeRequest.objects.get()
    assert saved.status_code == 302
    assert saved.url == reverse("freeform:open", args=[team.slug, free.pk])
    assert free.query == [{"name": "limit", "value": "2", "enabled": True}]
    page = client.get(saved.url).content.decode()
    assert "List two" in page
    assert f'value="{METER_TYPES}"' in page
    client.post(
        reverse("freeform:update", args=[team.slug, free.pk]),
        _form(sandbox_access, name="List three", **{"query-0-value": "3"}),
    )
    free.refresh_from_db()
    assert free.name == "List three"
    assert free.query[0]["value"] == "3"
    assert not CallRecord.objects.exists()  # saving sends nothing


def test_save_without_a_name_says_so(member, team, sandbox_access):
    response = member.client().post(
        reverse("freeform:save", args=[team.slug]), _form(sandbox_access)
    )
    assert response.status_code == 400
    assert "Give the request a name." in response.content.decode()


def test_an_authorization_header_is_not_kept(member, team, sandbox_access):
    member.client().post(
        reverse("freeform:save", args=[team.slug]),
        _form(
            sandbox_access,
            name="N",
            **{
                "header-1-name": "Authorization",
                "header-1-value": "Bearer x",
                "header-1-enabled": "1",
            },
        ),
    )
    assert [h["name"] for h in FreeRequest.objects.get().headers] == ["X-Request-Tag"]


def test_viewers_cannot_send_and_outsiders_see_nothing(viewer, outsider, team, sandbox_access):
    url = reverse("freeform:send", args=[team.slug])
    assert viewer.client().post(url, _form(sandbox_access)).status_code == 403
    assert outsider.client().post(url, _form(sandbox_access)).status_code == 404
    assert outsider.client().get(reverse("freeform:new", args=[team.slug])).status_code == 404
    assert not CallRecord.objects.exists()


def test_another_teams_access_is_404(member, team, theirs_access):
    response = member.client().post(
        reverse("freeform:send", args=[team.slug]), _form(theirs_access)
    )
    assert response.status_code == 404
    assert not CallRecord.objects.exists()


def test_production_asks_then_sends_with_the_confirmation(admin, member, team, sandbox):
    from console.vault import services as vault
    from console.vault.models import Environment
    from tests.conftest import SANDBOX_CLIENT_ID, SANDBOX_SECRET

    env = vault.environment_save(
        scope=admin.scope,
        environment=Environment(name="Live", base_url=sandbox.url, is_production=True),
    )
    access = vault.access_create(
        scope=admin.scope, name="Live access", environment=env,
        client_id=SANDBOX_CLIENT_ID, client_secret=SANDBOX_SECRET,
    )  # fmt: skip
    url = reverse("freeform:send", args=[team.slug])
    form = _form(
        access, method="DELETE", path=METER_TYPES + "/00000000-0000-0000-0000-000000000000"
    )
    client = member.client()
    asked = client.post(url, form, headers={"HX-Request": "true"}).content.decode()
    assert "Confirm a call to production" in asked
    assert (
        "Send DELETE /metering/v1/meter-types/00000000-0000-0000-0000-000000000000 to Live?"
        in asked
    )
    assert f'name="confirm_environment" value="{env.pk}"' in asked
    assert not CallRecord.objects.exists()
    sent = client.post(
        url,
        {**form, "confirm_production": "1", "confirm_environment": str(env.pk)},
        headers={"HX-Request": "true"},
    )
    assert "Confirm a call to production" not in sent.content.decode()
    assert CallRecord.objects.get().status == 404  # sent: the sandbox has no such meter type


def test_a_free_call_opens_in_the_history(member, team, sandbox_access):
    client = member.client()
    client.post(reverse("freeform:send", args=[team.slug]), _form(sandbox_access))
    record = CallRecord.objects.get()
    detail = client.get(reverse("history:detail", args=[team.slug, record.pk]))
    assert detail.status_code == 200
    assert METER_TYPES in detail.content.decode()
    assert client.get(reverse("history:list", args=[team.slug])).status_code == 200
