"""The production guard: on a production environment POST, PUT, PATCH and DELETE are sent
only after a confirmation that names the environment and the operation; until then nothing
is sent and nothing recorded. Enforced in the service, not only in the page."""

from __future__ import annotations

import json

import pytest

from console.explorer import services
from console.vault.models import Environment
from tests.explorer.support import html, records, send

WIDGET = json.dumps({"name": "Sprocket", "size": 3})


@pytest.fixture
def production(echo_access):
    Environment.objects.filter(pk=echo_access.environment_id).update(
        name="Production EU", is_production=True
    )
    echo_access.refresh_from_db()
    return echo_access


def test_a_post_is_held_until_confirmed(member, production, echo_op, echo):
    op = echo_op("createWidget")
    client = member.client()

    first = send(client, op, production, {"body_type": "application/json"}, body=WIDGET, htmx=True)

    page = html(first)
    assert "Send POST Create a widget to Production EU?" in page
    assert 'name="confirm_production" value="1"' in page
    assert 'form="send-form"' in page
    assert echo.api() == []
    assert echo.token_requests == 0
    assert records() == []

    confirmed = send(
        client,
        op,
        production,
        {"body_type": "application/json", "confirm_production": "1"},
        body=WIDGET,
        htmx=True,
    )

    assert 'title="HTTP 201">201<' in html(confirmed)
    assert len(echo.api()) == 1
    assert echo.api()[0].json() == {"name": "Sprocket", "size": 3}
    assert len(records()) == 1


def test_without_javascript_the_page_asks_and_keeps_the_values(member, production, echo_op, echo):
    op = echo_op("createWidget")

    response = send(member.client(), op, production, {"body_type": "application/json"}, body=WIDGET)

    page = html(response)
    assert response.status_code == 200
    assert "Send POST Create a widget to Production EU?" in page
    assert '<form id="send-form"' in page
    assert "&quot;Sprocket&quot;" in page  # the form holds the values the confirm button re-posts
    assert echo.api() == []
    assert records() == []


def test_a_delete_is_guarded_too(member, production, echo_op, echo):
    op = echo_op("deleteWidget")
    client = member.client()

    page = html(send(client, op, production, {"path:widgetId": "w1"}, htmx=True))

    assert "Send DELETE Delete a widget to Production EU?" in page
    assert echo.api() == []
    assert records() == []
    send(client, op, production, {"path:widgetId": "w1", "confirm_production": "1"}, htmx=True)
    assert [r.method for r in echo.api()] == ["DELETE"]


def test_a_get_is_not_guarded(member, production, echo_op, echo):
    page = html(
        send(member.client(), echo_op("listWidgets"), production, {"query:q": "x"}, htmx=True)
    )

    assert "Confirm a call to production" not in page
    assert len(echo.api()) == 1
    assert len(records()) == 1


def test_a_post_elsewhere_is_not_guarded(member, echo_access, echo_op, echo):
    op = echo_op("createWidget")
    send(
        member.client(), op, echo_access, {"body_type": "application/json"}, body=WIDGET, htmx=True
    )

    assert len(echo.api()) == 1


def test_send_anyway_is_confirmed_with_its_force_kept(member, production, echo_op, echo):
    op = echo_op("createWidget")
    client = member.client()
    bad = json.dumps({"name": "Sprocket", "size": 99})

    page = html(
        send(
            client,
            op,
            production,
            {"body_type": "application/json", "force": "1"},
            body=bad,
            htmx=True,
        )
    )

    assert "Send POST Create a widget to Production EU?" in page
    assert '<input type="hidden" form="send-form" name="force" value="1">' in page
    assert echo.api() == []
    values = {"body_type": "application/json", "force": "1", "confirm_production": "1"}
    page = html(send(client, op, production, values, body=bad, htmx=True))
    assert "Sent anyway" in page
    assert echo.api()[0].json()["size"] == 99


def test_the_service_refuses_without_the_confirmation(member, production, echo_op, echo):
    outcome = services.run_operation(
        scope=member.scope,
        access=production,
        operation=echo_op("createWidget"),
        values={"body_type": "application/json"},
        body=WIDGET,
    )

    assert not outcome.sent
    assert outcome.needs_confirmation
    assert outcome.environment_name == "Production EU"
    assert outcome.operation_label == "Create a widget"
    assert outcome.method == "POST"
    assert echo.api() == []
    assert records() == []


def test_confirmation_is_asked_each_time(member, production, echo_op, echo):
    op = echo_op("createWidget")
    client = member.client()
    confirmed = {"body_type": "application/json", "confirm_production": "1"}
    send(client, op, production, confirmed, body=WIDGET, htmx=True)

    page = html(
        send(client, op, production, {"body_type": "application/json"}, body=WIDGET, htmx=True)
    )

    assert "Confirm a call to production" in page
    assert len(echo.api()) == 1


@pytest.mark.parametrize(
    ("method", "guarded"),
    [("POST", True), ("put", True), ("PATCH", True), ("DELETE", True), ("GET", False),
     ("HEAD", False), ("OPTIONS", False)],
)  # fmt: skip
def test_which_methods_are_guarded(production, method, guarded):
    assert services.needs_production_confirmation(production, method) is guarded


def test_a_confirmation_names_one_environment(admin, member, production, echo_op, echo):
    from console.vault import services as vault
    from tests.explorer.echo import ECHO_CLIENT_ID, ECHO_SECRET

    other_env = vault.environment_save(
        scope=admin.scope,
        environment=Environment(name="Production US", base_url=echo.url, is_production=True),
    )
    other = vault.access_create(
        scope=admin.scope,
        name="US access",
        environment=other_env,
        client_id=ECHO_CLIENT_ID,
        client_secret=ECHO_SECRET,
    )
    op = echo_op("createWidget")
    client = member.client()
    page = html(send(client, op, production, {"body_type": "application/json"}, body=WIDGET))
    assert f'name="confirm_environment" value="{production.environment_id}"' in page

    # The picker was switched to another production environment before confirming.
    values = {
        "body_type": "application/json",
        "confirm_production": "1",
        "confirm_environment": str(production.environment_id),
    }
    page = html(send(client, op, other, values, body=WIDGET, htmx=True))

    assert "Send POST Create a widget to Production US?" in page
    assert echo.api() == []
    values["confirm_environment"] = str(other_env.pk)
    send(client, op, other, values, body=WIDGET, htmx=True)
    assert len(echo.api()) == 1
