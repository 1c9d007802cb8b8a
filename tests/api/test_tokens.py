"""Personal API tokens on the settings page: made with a role at most one's own, shown
once and stored as a hash, listed with their last use, revocable; owners see them all."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from django.urls import reverse

from console.api.models import ApiToken


def _make(person, team, **data):
    form = {"name": "nightly", "role": person.membership.role, "days": "30", **data}
    return person.client().post(reverse("apitokens:create", args=[team.slug]), form)


def _secret(response) -> str:
    match = re.search(
        r'id="api-token" type="text" readonly value="(uec_[^"]+)"', response.content.decode()
    )
    assert match, response.content.decode()[:2000]
    return match[1]


def test_a_token_is_shown_once_and_stored_as_a_hash(team, member):
    response = _make(member, team)
    assert response.status_code == 200
    secret = _secret(response)
    token = ApiToken.objects.get()
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(ApiToken.objects.values().get())
    assert (token.name, token.role, token.user, token.hint) == (
        "nightly",
        "member",
        member.user,
        secret[:8],
    )
    assert token.expires_at - token.created_at == timedelta(days=30)
    page = member.client().get(reverse("apitokens:list", args=[team.slug])).content.decode()
    assert secret not in page
    assert 'data-token="nightly"' in page
    assert "never" in page  # not used yet


def test_the_role_is_at_most_ones_own(team, viewer):
    response = _make(viewer, team, role="member")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not ApiToken.objects.exists()
    assert _make(viewer, team, role="viewer").status_code == 200


def test_a_name_is_needed(team, member):
    _make(member, team, name=" ")
    assert not ApiToken.objects.exists()


def test_members_see_their_own_and_owners_see_all(team, owner, member, admin):
    _make(member, team, name="mias")
    _make(admin, team, name="adams")
    mine = member.client().get(reverse("apitokens:list", args=[team.slug])).content.decode()
    assert 'data-token="mias"' in mine
    assert 'data-token="adams"' not in mine
    everything = owner.client().get(reverse("apitokens:list", args=[team.slug])).content.decode()
    assert 'data-token="mias"' in everything
    assert 'data-token="adams"' in everything


def test_revoking_ones_own_and_an_owner_revoking_any(team, owner, member, admin):
    _make(member, team, name="mias")
    token = ApiToken.objects.get()
    url = reverse("apitokens:revoke", args=[team.slug, token.pk])
    assert admin.client().post(url).status_code == 404  # not theirs, not an owner
    assert owner.client().post(url).status_code == 302
    token.refresh_from_db()
    assert token.state == "revoked"
    assert token.revoked_by_name == "olivia"


def test_an_outsider_cannot_see_or_revoke_the_teams_tokens(team, member, outsider):
    _make(member, team, name="mias")
    token = ApiToken.objects.get()
    client = outsider.client()
    assert client.get(reverse("apitokens:list", args=[team.slug])).status_code == 404
    assert client.post(reverse("apitokens:revoke", args=[team.slug, token.pk])).status_code == 404
    assert ApiToken.objects.get().state == "active"
