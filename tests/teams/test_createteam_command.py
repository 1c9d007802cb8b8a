"""`manage.py createteam` bootstraps a team without the demo."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from console.teams.models import Membership, Role, Team


def test_creates_a_team_owned_by_the_user(db, django_user_model, capsys):
    django_user_model.objects.create_user("alice")
    call_command("createteam", "Metering Ops", owner="alice")
    team = Team.objects.get(name="Metering Ops")
    assert Membership.objects.get(team=team).role == Role.OWNER
    assert "/t/metering-ops/" in capsys.readouterr().out


def test_unknown_owner_is_a_clear_error(db):
    with pytest.raises(CommandError, match="no user named 'ghost'"):
        call_command("createteam", "X", owner="ghost")


def test_an_existing_team_name_is_refused(db, django_user_model):
    django_user_model.objects.create_user("alice")
    call_command("createteam", "Ops", owner="alice")
    with pytest.raises(CommandError, match="already exists"):
        call_command("createteam", "Ops", owner="alice")
