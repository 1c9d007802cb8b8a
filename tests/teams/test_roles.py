"""Each role can do what the roles below it can, and more."""

from __future__ import annotations

import pytest

from console.teams.models import Membership, Role


@pytest.mark.parametrize(
    ("role", "send", "manage", "members", "team"),
    [
        (Role.VIEWER, False, False, False, False),
        (Role.MEMBER, True, False, False, False),
        (Role.ADMIN, True, True, True, False),
        (Role.OWNER, True, True, True, True),
    ],
)
def test_rights_by_role(role, send, manage, members, team):
    membership = Membership(role=role)
    assert membership.can_send is send
    assert membership.can_manage_resources is manage
    assert membership.can_manage_members is members
    assert membership.can_manage_team is team
