"""`membership_for`, where every team page starts: the member's role with the team in one
query, and a 404 for everyone else, whatever the slug."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from console.teams.models import Role
from console.teams.scoping import membership_for

pytestmark = pytest.mark.django_db


def test_a_member_gets_the_role_and_the_team_in_one_query(team, member, viewer):
    with CaptureQueriesContext(connection) as queries:
        found = membership_for(member.user, team.slug)
        assert (found.team.slug, found.team.name) == (team.slug, team.name)
        assert found.user is member.user
    assert len(queries) == 1
    assert found.pk == member.membership.pk
    assert found.role == Role.MEMBER
    assert membership_for(viewer.user, team.slug).role == Role.VIEWER


@pytest.mark.parametrize(
    "slug", ["metering", "METERING", "Billing", "nope", "", "metering' OR '1'='1"]
)
def test_an_outsider_gets_a_404_for_every_slug_but_their_own(team, outsider, slug):
    with pytest.raises(Http404):
        membership_for(outsider.user, slug)


def test_the_outsiders_own_team_is_theirs(other_team, outsider):
    assert membership_for(outsider.user, other_team.slug).team == other_team


def test_anonymous_gets_a_404(team):
    with pytest.raises(Http404):
        membership_for(AnonymousUser(), team.slug)


def test_a_known_membership_is_taken_only_for_its_user_and_team(team, other_team, member, outsider):
    known = membership_for(member.user, team.slug)
    with CaptureQueriesContext(connection) as queries:
        assert membership_for(member.user, team.slug, known) is known
    assert len(queries) == 0
    # Another user's, or another team's: read afresh (and a 404 where there is none).
    with pytest.raises(Http404):
        membership_for(outsider.user, team.slug, known)
    with pytest.raises(Http404):
        membership_for(member.user, other_team.slug, known)
    theirs = membership_for(outsider.user, other_team.slug)
    assert membership_for(member.user, team.slug, theirs).pk == member.membership.pk
