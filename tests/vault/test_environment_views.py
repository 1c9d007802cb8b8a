"""Environments through the settings pages: create, edit, delete, defaults and refusals."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from console.teams.models import Team
from console.vault import services as vault
from console.vault.models import ApplicationAccess, Environment

EU = "https://api.digitalroute.io/"


def _text(response: Any) -> str:
    """The page as a person reads it (entities such as &#x27; decoded)."""
    return html.unescape(response.content.decode())


def _new(client: Client, team: Team, **fields: Any) -> Any:
    return client.post(reverse("vault:environment_new", args=[team.slug]), fields)


def _edit(client: Client, env: Environment, **fields: Any) -> Any:
    return client.post(reverse("vault:environment", args=[env.team.slug, env.pk]), fields)


def _delete(client: Client, env: Environment) -> Any:
    url = reverse("vault:environment_delete", args=[env.team.slug, env.pk])
    return client.post(url, follow=True)


def _form_errors(response: Any) -> list[str]:
    form = response.context["form"]
    return [str(e) for errors in form.errors.values() for e in errors]


# ---------------------------------------------------------------- create and defaults


def test_create_with_defaults_for_audience_and_token_url(admin, team):
    client = admin.client()
    response = _new(client, team, name="Production EU", base_url=EU, is_production="on")
    assert response.status_code == 302
    assert response.url == reverse("teams:settings", args=[team.slug])
    env = Environment.objects.get(team=team)
    assert env.name == "Production EU"
    assert env.is_production
    assert env.audience == ""
    assert env.token_url == ""
    assert env.effective_audience == EU
    assert env.effective_token_url == "https://api.digitalroute.io/authentication/v1/oauth/token"
    page = _text(client.get(response.url))
    assert "Environment Production EU saved." in page
    assert EU in page  # the effective audience is listed


def test_defaults_from_a_base_url_without_trailing_slash(admin, team):
    _new(admin.client(), team, name="US", base_url="https://api.us.digitalroute.io")
    env = Environment.objects.get(team=team)
    assert env.effective_audience == "https://api.us.digitalroute.io/"
    assert env.effective_token_url == (
        "https://api.us.digitalroute.io/authentication/v1/oauth/token"
    )


def test_an_explicit_audience_and_token_url_are_kept(admin, team):
    response = _new(
        admin.client(),
        team,
        name="Custom",
        base_url=EU,
        audience="https://audience.example.com/",
        token_url="https://login.example.com/oauth/token",
    )
    assert response.status_code == 302
    env = Environment.objects.get(team=team)
    assert env.effective_audience == "https://audience.example.com/"
    assert env.effective_token_url == "https://login.example.com/oauth/token"


def test_the_form_page_explains_the_defaults(admin, team):
    page = _text(admin.client().get(reverse("vault:environment_new", args=[team.slug])))
    assert "Leave blank for the base URL with a trailing slash." in page
    assert "Leave blank for the base URL followed by /authentication/v1/oauth/token." in page


def test_a_missing_base_url_is_a_field_error(admin, team):
    response = _new(admin.client(), team, name="No URL", base_url="")
    assert response.status_code == 200
    assert "base_url" in response.context["form"].errors
    assert not Environment.objects.exists()


# ---------------------------------------------------------------- edit


def test_edit_changes_the_environment(admin, team):
    env = vault.environment_save(scope=admin.scope, environment=Environment(name="EU", base_url=EU))
    client = admin.client()
    page = _text(client.get(reverse("vault:environment", args=[team.slug, env.pk])))
    assert 'value="EU"' in page
    assert EU in page
    response = _edit(client, env, name="EU (prod)", base_url=EU, audience="https://aud.example/")
    assert response.status_code == 302
    env.refresh_from_db()
    assert env.name == "EU (prod)"
    assert env.effective_audience == "https://aud.example/"
    assert Environment.objects.count() == 1


# ---------------------------------------------------------------- duplicates


def test_a_duplicate_name_is_refused_with_a_message(admin, team):
    client = admin.client()
    assert _new(client, team, name="EU", base_url=EU).status_code == 302
    response = _new(client, team, name="EU", base_url="https://api.us.digitalroute.io/")
    assert response.status_code == 200
    assert "There is already an environment named 'EU'." in _form_errors(response)
    assert "There is already an environment named 'EU'." in _text(response)
    assert Environment.objects.count() == 1


def test_renaming_onto_another_name_is_refused(admin, team):
    client = admin.client()
    _new(client, team, name="EU", base_url=EU)
    _new(client, team, name="US", base_url="https://api.us.digitalroute.io/")
    us = Environment.objects.get(name="US")
    response = _edit(client, us, name="EU", base_url=us.base_url)
    assert response.status_code == 200
    assert "There is already an environment named 'EU'." in _text(response)
    us.refresh_from_db()
    assert us.name == "US"


def test_the_same_name_in_another_team_is_fine(admin, outsider, team, other_team):
    assert _new(admin.client(), team, name="EU", base_url=EU).status_code == 302
    assert _new(outsider.client(), other_team, name="EU", base_url=EU).status_code == 302
    assert Environment.objects.filter(name="EU").count() == 2


# ---------------------------------------------------------------- delete


def test_delete_an_unused_environment(admin, team):
    env = vault.environment_save(scope=admin.scope, environment=Environment(name="EU", base_url=EU))
    response = _delete(admin.client(), env)
    assert response.status_code == 200
    assert "Environment EU deleted." in _text(response)
    assert not Environment.objects.exists()


def test_deleting_an_environment_in_use_says_why_and_keeps_it(admin, team):
    env = vault.environment_save(scope=admin.scope, environment=Environment(name="EU", base_url=EU))
    vault.access_create(
        scope=admin.scope,
        name="CI",
        environment=env,
        client_id="client-1234",
        client_secret="secret-5678",
    )
    response = _delete(admin.client(), env)
    assert response.status_code == 200
    page = _text(response)
    assert "Application Access credentials still use this environment: delete them first." in page
    assert "Environment EU deleted." not in page
    assert Environment.objects.filter(pk=env.pk).exists()
    assert ApplicationAccess.objects.filter(environment=env).exists()


# ---------------------------------------------------------------- refused upstreams


@pytest.mark.parametrize(
    "base_url",
    [
        pytest.param("https://10.1.2.3/", id="private-10"),
        pytest.param("https://192.168.0.10:8443/", id="private-192.168"),
        pytest.param("https://127.0.0.1/", id="loopback"),
        pytest.param("https://169.254.169.254/", id="link-local-metadata"),
        pytest.param("https://[::1]/", id="ipv6-loopback"),
    ],
)
def test_a_private_base_url_is_refused_when_private_hosts_are_not_allowed(
    admin, team, settings, base_url
):
    settings.CONSOLE_ALLOW_PRIVATE_HOSTS = False
    response = _new(admin.client(), team, name="Inside", base_url=base_url)
    assert response.status_code == 200
    (message,) = _form_errors(response)
    assert message.startswith("Base URL: ")
    assert "calls to private or local networks are not allowed" in message
    assert message in _text(response)
    assert not Environment.objects.exists()


def test_a_private_token_url_is_refused_too(admin, team, settings):
    settings.CONSOLE_ALLOW_PRIVATE_HOSTS = False
    response = _new(
        admin.client(), team, name="EU", base_url=EU, token_url="https://10.0.0.7/oauth/token"
    )
    assert response.status_code == 200
    (message,) = _form_errors(response)
    assert message.startswith("Token URL: ")
    assert "private" in message
    assert not Environment.objects.exists()


def test_a_private_base_url_is_accepted_when_allowed(admin, team, settings):
    settings.CONSOLE_ALLOW_PRIVATE_HOSTS = True
    response = _new(admin.client(), team, name="Inside", base_url="https://10.1.2.3/")
    assert response.status_code == 302
    assert Environment.objects.filter(base_url="https://10.1.2.3/").exists()


def test_plain_http_is_refused_when_http_is_not_allowed(admin, team, settings):
    settings.CONSOLE_ALLOW_HTTP = False
    response = _new(admin.client(), team, name="Plain", base_url="http://api.digitalroute.io/")
    assert response.status_code == 200
    (message,) = _form_errors(response)
    assert message == "Base URL: Plain http:// is not allowed here; use an https:// URL."
    assert message in _text(response)
    assert not Environment.objects.exists()


def test_editing_onto_a_refused_url_keeps_the_old_one(admin, team, settings):
    env = vault.environment_save(scope=admin.scope, environment=Environment(name="EU", base_url=EU))
    settings.CONSOLE_ALLOW_HTTP = False
    response = _edit(admin.client(), env, name="EU", base_url="http://api.digitalroute.io/")
    assert response.status_code == 200
    assert "Plain http:// is not allowed" in _text(response)
    env.refresh_from_db()
    assert env.base_url == EU


def test_plain_http_is_accepted_when_allowed(admin, team, settings):
    settings.CONSOLE_ALLOW_HTTP = True
    settings.CONSOLE_ALLOW_PRIVATE_HOSTS = True
    response = _new(admin.client(), team, name="Local", base_url="http://127.0.0.1:8900")
    assert response.status_code == 302
