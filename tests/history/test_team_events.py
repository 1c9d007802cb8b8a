"""Team events: members added, removed and re-roled (who, whom, old and new role), their
page with its filters, the export, and append-only storage."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from console.history.models import TeamEvent, TeamEventAction
from console.history.team_events import describe
from console.teams.models import Membership
from tests.conftest import sign_in


def _page(reader, team, **query) -> str:
    url = reverse("history:team_events", args=[team.slug])
    return reader.client().get(url, query).content.decode()


@pytest.fixture
def changes(team, owner, admin, member, viewer):
    """An admin adds nina, changes the member's role and removes the viewer."""
    get_user_model().objects.create_user("nina")
    client = admin.client()
    client.post(
        reverse("teams:member_add", args=[team.slug]), {"username": "nina", "role": "viewer"}
    )
    client.post(
        reverse("teams:member_role", args=[team.slug, member.membership.pk]), {"role": "admin"}
    )
    client.post(reverse("teams:member_remove", args=[team.slug, viewer.membership.pk]))
    return TeamEvent.objects.filter(team=team).exclude(action=TeamEventAction.SIGNED_IN)


def test_each_change_names_who_whom_and_the_roles(changes):
    rows = [(e.action, e.username, e.subject_name, e.detail) for e in changes.order_by("id")]
    assert rows == [
        (TeamEventAction.MEMBER_ADDED, "adam", "nina", {"new_role": "viewer"}),
        (TeamEventAction.ROLE_CHANGED, "adam", "mia", {"old_role": "member", "new_role": "admin"}),
        (
            TeamEventAction.MEMBER_REMOVED,
            "adam",
            "victor",
            {"old_role": "viewer", "sessions_ended": 0},
        ),
    ]
    assert [describe(e) for e in changes.order_by("id")] == [
        "adam added nina as viewer",
        "adam changed mia's role from member to admin",
        "adam removed victor (was viewer)",
    ]


def test_the_page_lists_them_in_words_and_filters(team, viewer, owner, changes):
    page = _page(owner, team)
    assert "adam changed mia&#x27;s role from member to admin" in page
    assert "adam removed victor (was viewer)" in page
    only_roles = _page(owner, team, action="role_changed")
    assert "changed mia" in only_roles
    assert "removed victor" not in only_roles
    about_victor = _page(owner, team, person="victor")
    assert "removed victor" in about_victor
    assert "changed mia" not in about_victor
    nothing = _page(owner, team, person="nobody")
    assert "No event matches" in nothing


def test_an_outsider_gets_404(team, changes, outsider):
    url = reverse("history:team_events", args=[team.slug])
    assert outsider.client().get(url).status_code == 404


def test_the_export_holds_them(team, owner, changes):
    client = owner.client()
    response = client.get(reverse("history:team_events_export", args=[team.slug, "csv"]))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    by_action = {r["action"]: r for r in rows}
    assert by_action["role_changed"]["subject_name"] == "mia"
    assert json.loads(by_action["role_changed"]["detail"]) == {
        "old_role": "member",
        "new_role": "admin",
    }
    filtered = client.get(
        reverse("history:team_events_export", args=[team.slug, "jsonl"]),
        {"action": "member_removed"},
    )
    lines = b"".join(filtered.streaming_content).decode().splitlines()
    assert [json.loads(line)["subject_name"] for line in lines] == ["victor"]


def test_renaming_the_team_and_the_rule_are_events(team, owner):
    owner.client().post(reverse("teams:rename", args=[team.slug]), {"name": "Metering EU"})
    event = TeamEvent.objects.get(team=team, action=TeamEventAction.TEAM_RENAMED)
    assert describe(event) == "olivia renamed the team from Metering to Metering EU"


def test_events_are_append_only(team, owner, changes):
    event = changes.first()
    event.detail = {"forged": True}
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        TeamEvent.objects.filter(pk=event.pk).update(detail={})


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgresql_refuses_an_update_behind_the_consoles_back(team, changes):
    event = changes.first()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE history_teamevent SET detail = '{}' WHERE id = %s", [event.pk])


def test_a_removed_member_keeps_their_events(team, admin, member):

    assert sign_in(Client(), "mia", "pw-mia")
    admin.client().post(reverse("teams:member_remove", args=[team.slug, member.membership.pk]))
    assert not Membership.objects.filter(user=member.user, team=team).exists()
    assert TeamEvent.objects.filter(team=team, subject_name="mia", action="signed_in").exists()
    removed = TeamEvent.objects.get(team=team, action=TeamEventAction.MEMBER_REMOVED)
    assert removed.detail["old_role"] == "member"
