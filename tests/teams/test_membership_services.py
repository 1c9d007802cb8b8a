"""Adding, promoting and removing members: who may do what, and the last owner stays."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from console.teams import services
from console.teams.models import Membership, Role


def test_admin_adds_a_member(admin, outsider):
    added = services.membership_add(scope=admin.scope, username="oscar", role=Role.MEMBER)
    assert added.team == admin.membership.team
    assert added.role == Role.MEMBER


def test_member_cannot_add_people(member, outsider):
    with pytest.raises(PermissionDenied):
        services.membership_add(scope=member.scope, username="oscar", role=Role.VIEWER)


def test_viewer_cannot_add_people(viewer, outsider):
    with pytest.raises(PermissionDenied):
        services.membership_add(scope=viewer.scope, username="oscar", role=Role.VIEWER)


def test_admin_cannot_appoint_an_owner(admin, outsider):
    with pytest.raises(services.TeamRuleError, match="Only an owner"):
        services.membership_add(scope=admin.scope, username="oscar", role=Role.OWNER)


def test_owner_appoints_an_owner(owner, outsider):
    added = services.membership_add(scope=owner.scope, username="oscar", role=Role.OWNER)
    assert added.role == Role.OWNER


def test_adding_an_unknown_user_says_so(admin):
    with pytest.raises(services.TeamRuleError, match="no user named 'nobody'"):
        services.membership_add(scope=admin.scope, username="nobody", role=Role.MEMBER)


def test_adding_twice_is_refused(admin, member):
    with pytest.raises(services.TeamRuleError, match="already in this team"):
        services.membership_add(scope=admin.scope, username="mia", role=Role.MEMBER)


def test_admin_changes_a_members_role(admin, member):
    changed = services.membership_change_role(
        scope=admin.scope, membership_id=member.membership.pk, role=Role.VIEWER
    )
    assert changed.role == Role.VIEWER


def test_admin_cannot_demote_an_owner(admin, owner):
    with pytest.raises(services.TeamRuleError):
        services.membership_change_role(
            scope=admin.scope, membership_id=owner.membership.pk, role=Role.MEMBER
        )


def test_the_last_owner_cannot_step_down(owner):
    with pytest.raises(services.TeamRuleError, match="at least one owner"):
        services.membership_change_role(
            scope=owner.scope, membership_id=owner.membership.pk, role=Role.ADMIN
        )


def test_the_last_owner_cannot_be_removed(owner):
    with pytest.raises(services.TeamRuleError, match="at least one owner"):
        services.membership_remove(scope=owner.scope, membership_id=owner.membership.pk)


def test_admin_removes_a_viewer(admin, viewer):
    services.membership_remove(scope=admin.scope, membership_id=viewer.membership.pk)
    assert not Membership.objects.filter(pk=viewer.membership.pk).exists()


def test_another_teams_membership_is_not_found(admin, outsider):
    from django.http import Http404

    with pytest.raises(Http404):
        services.membership_remove(scope=admin.scope, membership_id=outsider.membership.pk)


def test_team_create_makes_the_owner(db, django_user_model):
    alice = django_user_model.objects.create_user("alice")
    team = services.team_create(name="Data Platform", owner=alice)
    assert team.slug == "data-platform"
    assert Membership.objects.get(team=team, user=alice).role == Role.OWNER


def test_only_owners_rename(admin, owner):
    with pytest.raises(PermissionDenied):
        services.team_rename(scope=admin.scope, name="New name")
    assert services.team_rename(scope=owner.scope, name="New name").name == "New name"
