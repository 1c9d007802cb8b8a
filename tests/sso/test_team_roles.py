"""OIDC_TEAM_ROLES: the provider's groups give team roles, through a real sign-in for the
flow and through `apply_team_roles` for each rule."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core import checks
from django.test import Client

from console.history.models import TeamEvent, TeamEventAction
from console.sso.roles import apply_team_roles, parse_team_roles
from console.teams.models import Membership, Role
from tests.sso.conftest import sign_in_with_sso

User = get_user_model()
MAP = "ue-admins=metering:admin, ue-devs=metering:member, ue-devs=billing:viewer"


@pytest.fixture
def mapped(settings, team, other_team):
    settings.CONSOLE_SSO_TEAM_ROLES = MAP
    return team


def test_parsing_names_the_bad_entry():
    entries = parse_team_roles(MAP)
    assert [(e.group, e.team_slug, e.role) for e in entries] == [
        ("ue-admins", "metering", Role.ADMIN),
        ("ue-devs", "metering", Role.MEMBER),
        ("ue-devs", "billing", Role.VIEWER),
    ]
    with pytest.raises(ValueError, match="'ue-devs=metering:boss' is not group=team:role"):
        parse_team_roles("ue-devs=metering:boss")
    assert parse_team_roles("") == []


def test_a_bad_map_fails_the_configuration_check(settings):
    settings.CONSOLE_SSO_TEAM_ROLES = "no-equals-sign"
    errors = [
        m for m in checks.run_checks(tags=[checks.Tags.security]) if m.id == "console.sso.E001"
    ]
    assert len(errors) == 1
    assert "OIDC_TEAM_ROLES" in errors[0].msg


def test_a_sign_in_joins_the_mapped_teams(db, sso, mapped, other_team):
    client = Client()
    sign_in_with_sso(client, sso, "carl")  # in ue-devs
    carl = User.objects.get(username="carl")
    roles = {m.team.slug: (m.role, m.from_sso) for m in Membership.objects.filter(user=carl)}
    assert roles == {"metering": (Role.MEMBER, True), "billing": (Role.VIEWER, True)}
    event = TeamEvent.objects.get(team=mapped, action=TeamEventAction.MEMBER_ADDED)
    assert (event.username, event.subject_name, event.detail["via"]) == ("system", "carl", "sso")


def test_the_highest_role_wins(db, mapped):
    user = User.objects.create_user("x")
    apply_team_roles(user, {"groups": ["ue-devs", "ue-admins"]})
    assert Membership.objects.get(user=user, team=mapped).role == Role.ADMIN


def test_a_mapped_membership_follows_the_groups_and_ends_with_them(db, mapped):
    user = User.objects.create_user("x")
    apply_team_roles(user, {"groups": ["ue-admins"]})
    apply_team_roles(user, {"groups": ["ue-devs"]})
    assert Membership.objects.get(user=user, team=mapped).role == Role.MEMBER
    changed = TeamEvent.objects.get(team=mapped, action=TeamEventAction.ROLE_CHANGED)
    assert (changed.detail["old_role"], changed.detail["new_role"]) == ("admin", "member")
    apply_team_roles(user, {"groups": []})
    assert not Membership.objects.filter(user=user).exists()
    assert TeamEvent.objects.filter(team=mapped, action=TeamEventAction.MEMBER_REMOVED).exists()


def test_an_invited_membership_is_only_ever_raised(db, mapped):
    user = User.objects.create_user("x")
    Membership.objects.create(team=mapped, user=user, role=Role.VIEWER)  # an invitation's
    apply_team_roles(user, {"groups": ["ue-devs"]})
    assert Membership.objects.get(user=user, team=mapped).role == Role.MEMBER
    apply_team_roles(user, {"groups": []})
    kept = Membership.objects.get(user=user, team=mapped)
    assert (kept.role, kept.from_sso) == (Role.MEMBER, False)  # not lowered, not removed


def test_the_last_owner_is_kept_whatever_the_groups_say(db, settings, team):
    settings.CONSOLE_SSO_TEAM_ROLES = "ue-owners=metering:owner"
    user = User.objects.create_user("x")
    apply_team_roles(user, {"groups": ["ue-owners"]})
    apply_team_roles(user, {"groups": []})
    assert Membership.objects.get(user=user, team=team).role == Role.OWNER


def test_a_team_the_map_names_but_that_does_not_exist_is_skipped(db, settings, caplog):
    settings.CONSOLE_SSO_TEAM_ROLES = "ue-devs=nowhere:member"
    apply_team_roles(User.objects.create_user("x"), {"groups": ["ue-devs"]})
    assert "names the team 'nowhere', which does not exist" in caplog.text
    assert not Membership.objects.exists()


def test_groups_as_text_and_an_odd_claim(db, mapped):
    user = User.objects.create_user("x")
    apply_team_roles(user, {"groups": "ue-admins other"})
    assert Membership.objects.get(user=user, team=mapped).role == Role.ADMIN
    apply_team_roles(user, {"groups": 42})
    assert not Membership.objects.filter(user=user, team=mapped).exists()
