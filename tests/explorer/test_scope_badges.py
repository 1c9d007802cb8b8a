"""Scope badges: the scopes an operation requires, in the sidebar and on its page.

On the operation page, scopes the chosen Application Access's cached token lacks are
marked (read from the token cache's plain `scope` column, nothing decrypted); with no
cached token the badges are unmarked and the page says how to find out. Deprecated
operations are marked in both places.
"""

from __future__ import annotations

import re

import pytest
from cryptography.fernet import Fernet, MultiFernet
from django.urls import reverse

from console.vault import services as vault
from console.vault.models import CachedToken
from tests.explorer.support import assert_no_leak, html, send

pytestmark = pytest.mark.django_db

MISSING = re.compile(r'<span class="badge scope scope-missing"[^>]*>([^<]+)<')
PRESENT = re.compile(r'<span class="badge scope">([^<]+)</span>')


def page(client, op, query: str = "", **headers: str) -> str:
    url = reverse("explorer:operation", args=[op.team.slug, op.pk]) + query
    return html(client.get(url, headers=headers))


def header_part(text: str) -> str:
    """The operation header (title, scopes) of an operation page."""
    return text.split('class="op-header"', 1)[1].split('class="explorer-grid"', 1)[0]


def sidebar_item(text: str, label: str) -> str:
    """The sidebar list item of the operation labelled `label`."""
    nav = text.split('id="operation-list"', 1)[1].split("</nav>", 1)[0]
    (item,) = [li for li in nav.split("<li")[1:] if f">{label}<" in li]
    return item


def cache_token_with_scopes(access, scopes: str) -> None:
    """Make the access fetch (and cache) a token whose scope string is `scopes`."""
    vault.access_token(access)
    CachedToken.objects.filter(access=access).update(scope=scopes)


# ---------------------------------------------------------------- sidebar


def test_sidebar_shows_scopes_and_the_deprecated_mark(member, echo_op, echo_spec):
    spec_url = reverse("explorer:spec", args=[member.membership.team.slug, echo_spec.spec.pk])
    for text in (
        html(member.client().get(spec_url)),
        page(member.client(), echo_op("listWidgets")),
        html(member.client().get(spec_url + "?q=widget")),  # a search's list too
    ):
        create = sidebar_item(text, "Create a widget")
        assert PRESENT.findall(create) == ["write:widgets"]
        assert "Deprecated" not in create

        delete = sidebar_item(text, "Delete a widget")
        assert delete.startswith(' class="is-deprecated"')
        assert '<span class="badge badge-deprecated">Deprecated</span>' in delete
        assert PRESENT.findall(delete) == ["admin:widgets"]

        either = sidebar_item(text, "Read with either scope")
        assert PRESENT.findall(either) == ["admin:widgets", "read:widgets"]
        assert "scope-missing" not in text.split('id="operation-list"', 1)[1]


def test_sandbox_sidebar_lists_the_scopes_of_its_operations(member, sandbox_op):
    text = page(member.client(), sandbox_op("listMeterTypes"))
    assert PRESENT.findall(sidebar_item(text, "List meter types")) == ["read:meter_types"]
    assert PRESENT.findall(sidebar_item(text, "Create a meter type")) == ["create:meter_types"]


# ---------------------------------------------------------------- operation page


def test_deprecated_mark_on_the_operation_page(member, echo_op, echo_access):
    header = header_part(page(member.client(), echo_op("deleteWidget")))
    assert '<span class="badge badge-deprecated">Deprecated</span>' in header
    assert PRESENT.findall(header) == ["admin:widgets"]


def test_without_a_cached_token_badges_are_unmarked_with_a_hint(member, echo, echo_access, echo_op):
    header = header_part(page(member.client(), echo_op("createWidget")))
    assert PRESENT.findall(header) == ["write:widgets"]
    assert not MISSING.search(header)
    assert "test the connection to check scopes" in header
    access_url = reverse("vault:access", args=[echo_access.team.slug, echo_access.pk])
    assert f'href="{access_url}"' in header
    assert echo.token_requests == 0  # opening a page never fetches a token


def test_scopes_the_token_lacks_are_marked(member, echo, echo_access, echo_op, monkeypatch):
    cache_token_with_scopes(echo_access, "read:widgets")

    # Reading the cached scopes must not decrypt anything.
    def refuse(*args, **kwargs):
        raise AssertionError("the page decrypted something")

    monkeypatch.setattr(MultiFernet, "decrypt", refuse)
    monkeypatch.setattr(Fernet, "decrypt", refuse)

    client = member.client()
    create = header_part(page(client, echo_op("createWidget")))
    assert MISSING.findall(create) == ["write:widgets"]
    assert "(the token lacks it)" in create  # said in words, not only in colour
    assert "The token of Echo access lacks write:widgets" in create

    listing = header_part(page(client, echo_op("listWidgets")))
    assert PRESENT.findall(listing) == ["read:widgets"]
    assert not MISSING.search(listing)
    assert "has the scopes this operation needs" in listing


def test_one_satisfied_alternative_is_enough(member, echo_access, echo_op):
    cache_token_with_scopes(echo_access, "read:widgets")
    header = header_part(page(member.client(), echo_op("readEither")))
    assert PRESENT.findall(header) == ["admin:widgets", "read:widgets"]
    assert not MISSING.search(header)

    CachedToken.objects.filter(access=echo_access).update(scope="files:upload")
    header = header_part(page(member.client(), echo_op("readEither")))
    assert MISSING.findall(header) == ["admin:widgets", "read:widgets"]


def test_a_token_that_does_not_list_scopes(member, echo_access, echo_op):
    cache_token_with_scopes(echo_access, "")
    header = header_part(page(member.client(), echo_op("createWidget")))
    assert not MISSING.search(header)
    assert "does not list its scopes" in header


def test_marks_follow_the_token_after_a_call(member, echo, echo_access, echo_op):
    echo.token_scope = "read:widgets"
    client = member.client()
    send(client, echo_op("listWidgets"), echo_access, {"query:q": "x"})  # caches the token

    header = header_part(page(client, echo_op("uploadFile")))
    assert MISSING.findall(header) == ["files:upload"]


def test_marks_are_for_the_chosen_access(member, admin, echo, echo_access, echo_op):
    other = vault.access_create(
        scope=admin.scope,
        name="Second access",
        environment=echo_access.environment,
        client_id="second-client-1234",
        client_secret="second-secret-5678",
    )
    cache_token_with_scopes(echo_access, "read:widgets write:widgets")
    cache_token_with_scopes(other, "read:widgets")
    op = echo_op("createWidget")
    client = member.client()

    assert not MISSING.search(header_part(page(client, op, f"?access={echo_access.pk}")))
    assert MISSING.findall(header_part(page(client, op, f"?access={other.pk}"))) == [
        "write:widgets"
    ]

    # Choosing another access in the form refreshes only the scopes (htmx).
    part = page(
        client, op, f"?access={other.pk}", **{"HX-Request": "true", "HX-Target": "op-scopes"}
    )
    assert part.lstrip().startswith('<div id="op-scopes" class="op-scopes">')
    assert "<html" not in part
    assert MISSING.findall(part) == ["write:widgets"]
    assert "Second access" in part
    assert_no_leak(part)


def test_access_select_refreshes_the_scope_badges(member, echo_access, echo_op):
    text = page(member.client(), echo_op("createWidget"))
    select = re.search(r'<select id="access" name="access"[^>]*>', text).group(0)
    assert 'hx-target="#op-scopes"' in select
    assert 'hx-trigger="change"' in select


def test_another_teams_access_is_ignored(member, outsider, sandbox, echo_op, echo_access):
    from console.vault.models import Environment

    env = vault.environment_save(
        scope=outsider.scope, environment=Environment(name="Theirs", base_url=sandbox.url)
    )
    theirs = vault.access_create(
        scope=outsider.scope,
        name="Their access",
        environment=env,
        client_id="their-client-0001",
        client_secret="their-secret-0001",
    )
    text = page(member.client(), echo_op("createWidget"), f"?access={theirs.pk}")
    assert "Their access" not in text


def test_viewers_see_badges_without_token_hints(viewer, echo_access, echo_op):
    cache_token_with_scopes(echo_access, "read:widgets")
    header = header_part(page(viewer.client(), echo_op("createWidget")))
    assert PRESENT.findall(header) == ["write:widgets"]
    assert not MISSING.search(header)
    assert "test the connection" not in header
