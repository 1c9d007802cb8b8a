"""Signing in and staying signed in, with the console's session store, backend and
middleware (Django's, with the session and its user read in one statement): the rules
are Django's, checked here from the browser's side."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from console.core.models import Session

pytestmark = pytest.mark.django_db


def _signed_in(person) -> Client:
    client = Client()
    response = client.post(
        reverse("login"),
        {"username": person.user.username, "password": "pw-" + person.user.username},
    )
    assert response.status_code == 302
    return client


def _team_page(client: Client, team) -> int:
    return client.get(reverse("history:list", args=[team.slug])).status_code


def test_a_signed_in_member_stays_signed_in(team, member):
    client = _signed_in(member)
    assert _team_page(client, team) == 200
    assert _team_page(client, team) == 200


def test_an_outsider_signed_in_gets_a_404_for_the_team(team, outsider):
    assert _team_page(_signed_in(outsider), team) == 404


def test_the_session_its_user_and_the_membership_are_one_query(team, member):
    client = _signed_in(member)
    _team_page(client, team)  # the first visit writes last_team into the session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("teams:settings", args=[team.slug]))
    assert response.status_code == 200
    assert response.context["scope"].membership.role == "member"
    reads = [q["sql"] for q in queries if Session._meta.db_table in q["sql"]]
    assert len(reads) == 1
    assert 'JOIN "auth_user"' in reads[0]
    assert 'JOIN "teams_membership"' in reads[0]
    others = [q["sql"] for q in queries if q["sql"] not in reads]
    assert not [q for q in others if 'FROM "auth_user"' in q or 'FROM "teams_membership" AS' in q]


def test_a_page_without_a_team_still_signs_in_with_one_read(member):
    client = _signed_in(member)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"))
    assert response.status_code in (200, 302)
    assert response.wsgi_request.user == member.user
    assert len([q for q in queries if Session._meta.db_table in q["sql"]]) == 1


def test_the_session_read_brings_no_membership_for_an_outsider(team, outsider):
    client = _signed_in(outsider)
    response = client.get(reverse("teams:settings", args=[team.slug]))
    assert response.status_code == 404
    assert response.wsgi_request.session.prefetched_membership is None


def test_a_membership_removed_is_seen_at_once(team, owner, member):
    client = _signed_in(member)
    assert _team_page(client, team) == 200
    member.membership.delete()
    assert _team_page(client, team) == 404


def test_a_role_changed_is_seen_at_once(team, member):
    client = _signed_in(member)
    add_member = reverse("teams:member_add", args=[team.slug])
    assert client.post(add_member, {"username": "x", "role": "viewer"}).status_code == 403
    type(member.membership).objects.filter(pk=member.membership.pk).update(role="admin")
    assert (
        client.get(reverse("teams:settings", args=[team.slug])).context["scope"].membership.role
        == "admin"
    )


def test_the_rows_user_column_does_not_decide_who_is_signed_in(team, member, viewer):
    client = _signed_in(member)
    row = Session.objects.get()
    assert row.user_id == member.user.pk
    # A row whose column names someone else (edited in the database) does not sign
    # that person in: the session's signed data decides, and its user is read instead.
    Session.objects.update(user_id=viewer.user.pk)
    response = client.get(reverse("teams:settings", args=[team.slug]))
    assert response.status_code == 200
    assert response.wsgi_request.user == member.user


def test_signing_out_and_in_again_as_someone_else_updates_the_row(team, member, viewer):
    client = _signed_in(member)
    client.post(reverse("logout"))
    assert not Session.objects.exists()
    client.post(reverse("login"), {"username": "victor", "password": "pw-victor"})
    assert Session.objects.get().user_id == viewer.user.pk
    assert client.get(reverse("teams:settings", args=[team.slug])).wsgi_request.user == viewer.user


def test_an_expired_session_signs_out(team, member):
    client = _signed_in(member)
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get(reverse("history:list", args=[team.slug]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_unknown_session_key_is_not_taken_over(team, member):
    client = Client()
    client.cookies["sessionid"] = "z" * 32
    response = client.get(reverse("history:list", args=[team.slug]))
    assert response.status_code == 302
    # Signing in on it gets a new key, not the one the browser offered.
    client.post(reverse("login"), {"username": "mia", "password": "pw-mia"})
    assert client.cookies["sessionid"].value != "z" * 32
    assert not Session.objects.filter(session_key="z" * 32).exists()


def test_a_deactivated_user_is_signed_out(team, member):
    client = _signed_in(member)
    type(member.user).objects.filter(pk=member.user.pk).update(is_active=False)
    assert _team_page(client, team) == 302


def test_a_deleted_user_is_signed_out(team, member):
    client = _signed_in(member)
    type(member.user).objects.filter(pk=member.user.pk).delete()
    assert _team_page(client, team) == 302


def test_a_password_change_elsewhere_signs_other_sessions_out(team, member):
    client = _signed_in(member)
    member.user.set_password("a-new-password-123")
    member.user.save()
    assert _team_page(client, team) == 302


def test_a_session_signed_out_cannot_be_replayed(team, member):
    client = _signed_in(member)
    key = client.cookies["sessionid"].value
    assert client.post(reverse("logout")).status_code == 302
    replay = Client()
    replay.cookies["sessionid"] = key
    assert _team_page(replay, team) == 302
    assert not Session.objects.filter(session_key=key).exists()


def test_a_tampered_session_is_empty(team, member):
    client = _signed_in(member)
    Session.objects.update(session_data="not-signed-data")
    assert _team_page(client, team) == 302


def test_clearsessions_removes_only_expired_sessions(member, viewer):
    from django.core.management import call_command

    _signed_in(member)
    _signed_in(viewer)
    Session.objects.filter(user_id=member.user.pk).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    call_command("clearsessions")
    assert list(Session.objects.values_list("user_id", flat=True)) == [viewer.user.pk]
