"""Team pages through the views: members and roles, rename, the switcher, home, sign in/out."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from console.teams.models import Membership, Role, Team
from tests.conftest import Person


def _text(response: Any) -> str:
    return html.unescape(response.content.decode())


def _post(person: Person, name: str, team: Team, data: dict[str, Any] | None = None, **kw: Any):
    """POST a settings action and follow the redirect to the page showing its message."""
    url = reverse(name, kwargs={"team_slug": team.slug, **kw})
    return person.client().post(url, data or {}, follow=True)


def _lands_on_settings(response: Any, team: Team) -> None:
    assert response.status_code == 200
    assert response.redirect_chain == [(reverse("teams:settings", args=[team.slug]), 302)]


def _user(username: str) -> Any:
    return get_user_model().objects.create_user(username=username, password="pw-" + username)


# ---------------------------------------------------------------- the members page


def test_admins_see_member_controls_and_viewers_do_not(team, admin, viewer, member):
    url = reverse("teams:settings", args=[team.slug])
    admin_page = _text(admin.client().get(url))
    assert reverse("teams:member_add", args=[team.slug]) in admin_page
    assert reverse("teams:member_role", args=[team.slug, member.membership.pk]) in admin_page
    assert reverse("teams:member_remove", args=[team.slug, member.membership.pk]) in admin_page
    # No controls on one's own row.
    assert reverse("teams:member_remove", args=[team.slug, admin.membership.pk]) not in admin_page
    assert reverse("teams:rename", args=[team.slug]) not in admin_page  # owners only

    viewer_page = _text(viewer.client().get(url))
    for username in ("adam", "mia", "victor"):
        assert username in viewer_page
    assert reverse("teams:member_add", args=[team.slug]) not in viewer_page
    assert reverse("teams:member_role", args=[team.slug, member.membership.pk]) not in viewer_page
    assert "/members/" not in viewer_page


# ---------------------------------------------------------------- add


def test_add_a_member(team, admin):
    _user("nina")
    response = _post(admin, "teams:member_add", team, {"username": " nina ", "role": "viewer"})
    _lands_on_settings(response, team)
    assert "nina joined as Viewer." in _text(response)
    assert Membership.objects.get(team=team, user__username="nina").role == Role.VIEWER


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(
            {"username": "ghost", "role": "member"},
            "There is no user named 'ghost'.",
            id="unknown-user",
        ),
        pytest.param(
            {"username": "mia", "role": "viewer"}, "mia is already in this team.", id="already-in"
        ),
        pytest.param(
            {"username": "", "role": "member"}, "Give a user name and a role.", id="blank"
        ),
        pytest.param(
            {"username": "nina", "role": "emperor"}, "Give a user name and a role.", id="bad-role"
        ),
        pytest.param(
            {"username": "nina", "role": "owner"},
            "Only an owner can appoint, change or remove an owner.",
            id="admin-appoints-owner",
        ),
    ],
)
def test_adding_is_refused_with_a_message(team, admin, member, data, message):
    _user("nina")
    before = set(Membership.objects.values_list("pk", "role"))
    response = _post(admin, "teams:member_add", team, data)
    _lands_on_settings(response, team)
    assert message in _text(response)
    assert set(Membership.objects.values_list("pk", "role")) == before


def test_an_owner_can_add_an_owner(team, owner):
    _user("nina")
    response = _post(owner, "teams:member_add", team, {"username": "nina", "role": "owner"})
    assert "nina joined as Owner." in _text(response)
    assert Membership.objects.get(user__username="nina").role == Role.OWNER


# ---------------------------------------------------------------- change role


def test_change_a_role(team, admin, member):
    response = _post(
        admin, "teams:member_role", team, {"role": "admin"}, membership_id=member.membership.pk
    )
    _lands_on_settings(response, team)
    assert "mia is now Admin." in _text(response)
    member.membership.refresh_from_db()
    assert member.membership.role == Role.ADMIN


@pytest.mark.parametrize(
    ("actor", "target", "role", "message"),
    [
        pytest.param(
            "admin",
            "owner",
            "member",
            "Only an owner can appoint, change or remove an owner.",
            id="admin-demotes-owner",
        ),
        pytest.param(
            "admin",
            "member",
            "owner",
            "Only an owner can appoint, change or remove an owner.",
            id="admin-promotes-to-owner",
        ),
        pytest.param(
            "owner",
            "owner",
            "admin",
            "A team needs at least one owner: appoint another owner first.",
            id="last-owner-steps-down",
        ),
        pytest.param("admin", "member", "emperor", "Choose a role.", id="bad-role"),
    ],
)
def test_role_changes_refused_with_a_message(request, team, actor, target, role, message):
    acting: Person = request.getfixturevalue(actor)
    changed: Person = request.getfixturevalue(target)
    was = changed.membership.role
    response = _post(
        acting, "teams:member_role", team, {"role": role}, membership_id=changed.membership.pk
    )
    _lands_on_settings(response, team)
    assert message in _text(response)
    changed.membership.refresh_from_db()
    assert changed.membership.role == was


def test_an_owner_steps_down_once_there_is_another_owner(team, owner, admin):
    _post(owner, "teams:member_role", team, {"role": "owner"}, membership_id=admin.membership.pk)
    response = _post(
        owner, "teams:member_role", team, {"role": "admin"}, membership_id=owner.membership.pk
    )
    assert "olivia is now Admin." in _text(response)
    assert Membership.objects.get(team=team, role=Role.OWNER).user == admin.user


# ---------------------------------------------------------------- remove


def test_remove_a_member(team, admin, viewer):
    response = _post(admin, "teams:member_remove", team, membership_id=viewer.membership.pk)
    _lands_on_settings(response, team)
    assert "Member removed." in _text(response)
    assert not Membership.objects.filter(pk=viewer.membership.pk).exists()
    # From now on the team does not exist for them.
    assert viewer.client().get(reverse("teams:settings", args=[team.slug])).status_code == 404


def test_an_admin_cannot_remove_an_owner(team, admin, owner):
    response = _post(admin, "teams:member_remove", team, membership_id=owner.membership.pk)
    assert "Only an owner can appoint, change or remove an owner." in _text(response)
    assert Membership.objects.filter(pk=owner.membership.pk).exists()


def test_the_last_owner_cannot_leave(team, owner):
    response = _post(owner, "teams:member_remove", team, membership_id=owner.membership.pk)
    assert "A team needs at least one owner: appoint another owner first." in _text(response)
    assert Membership.objects.filter(pk=owner.membership.pk).exists()


def test_removing_yourself_goes_home(team, admin):
    response = _post(admin, "teams:member_remove", team, membership_id=admin.membership.pk)
    assert response.redirect_chain[0] == (reverse("home"), 302)
    assert response.status_code == 200
    page = _text(response)
    assert "Member removed." in page
    assert "You are not in a team yet" in page


# ---------------------------------------------------------------- rename


def test_an_owner_renames_the_team(team, owner):
    response = _post(owner, "teams:rename", team, {"name": "  Metering EU  "})
    _lands_on_settings(response, team)
    assert "Team renamed." in _text(response)
    team.refresh_from_db()
    assert team.name == "Metering EU"
    assert team.slug == "metering"  # URLs keep working


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_a_rename_without_a_usable_name_says_so(team, owner, name):
    response = _post(owner, "teams:rename", team, {"name": name})
    _lands_on_settings(response, team)
    assert "Give the team a name of at most 100 characters." in _text(response)
    assert "Team renamed." not in _text(response)
    team.refresh_from_db()
    assert team.name == "Metering"


# ---------------------------------------------------------------- the team switcher


@pytest.fixture
def in_two_teams(owner: Person, other_team: Team) -> Person:
    """The owner of `team`, also a viewer of `other_team`."""
    Membership.objects.create(team=other_team, user=owner.user, role=Role.VIEWER)
    return owner


def test_the_switcher_lists_the_users_teams(team, other_team, in_two_teams):
    page = _text(in_two_teams.client().get(reverse("teams:settings", args=[team.slug])))
    assert reverse("switch_team") in page
    assert f'value="{other_team.slug}"' in page


def test_switching_redirects_to_the_other_team(team, other_team, in_two_teams):
    response = in_two_teams.client().get(reverse("switch_team"), {"team": other_team.slug})
    assert response.status_code == 302
    assert response.url == reverse("explorer:index", args=[other_team.slug])


@pytest.mark.parametrize(
    "slug",
    [
        pytest.param("billing", id="a-team-you-are-not-in"),
        pytest.param("no-such-team", id="a-team-that-does-not-exist"),
        pytest.param("", id="no-team-given"),
    ],
)
def test_switching_to_a_team_you_are_not_in_is_404(team, other_team, owner, slug):
    response = owner.client().get(reverse("switch_team"), {"team": slug})
    assert response.status_code == 404


def test_the_switcher_needs_sign_in_and_a_get(team, owner):
    response = Client().get(reverse("switch_team"), {"team": team.slug})
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert owner.client().post(reverse("switch_team"), {"team": team.slug}).status_code == 405


# ---------------------------------------------------------------- home


def test_home_goes_to_the_last_team_visited(team, other_team, in_two_teams):
    client = in_two_teams.client()
    client.get(reverse("teams:settings", args=[other_team.slug]))
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("explorer:index", args=[other_team.slug])

    client.get(reverse("history:list", args=[team.slug]))
    assert client.get(reverse("home")).url == reverse("explorer:index", args=[team.slug])


def test_home_without_a_last_team_goes_to_the_first(team, other_team, in_two_teams):
    response = in_two_teams.client().get(reverse("home"))
    # Teams are ordered by name: Billing comes before Metering.
    assert response.url == reverse("explorer:index", args=[other_team.slug])


def test_home_ignores_a_last_team_you_have_left(team, other_team, in_two_teams, admin):
    client = in_two_teams.client()
    client.get(reverse("teams:settings", args=[team.slug]))
    Membership.objects.filter(team=team, user=in_two_teams.user).delete()
    assert client.get(reverse("home")).url == reverse("explorer:index", args=[other_team.slug])


def test_a_user_without_a_team_sees_the_explanation(db):
    client = Client()
    client.force_login(_user("loner"))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    page = _text(response)
    assert "You are not in a team yet" in page
    assert "Ask an owner or admin of your team for an invitation link" in page
    assert "createteam" in page


def test_home_needs_sign_in(db):
    response = Client().get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("login") + "?next=/"


# ---------------------------------------------------------------- sign in and out


def _csrf(client: Client, url: str) -> str:
    page = client.get(url).content.decode()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1)


def test_the_login_page_renders(db):
    response = Client().get(reverse("login"))
    assert response.status_code == 200
    page = _text(response)
    assert 'name="username"' in page
    assert 'name="password"' in page
    assert 'type="password"' in page
    assert "Sign in" in page


def test_sign_in_and_out(team, member):
    client = Client(enforce_csrf_checks=True)
    token = _csrf(client, reverse("login"))
    response = client.post(
        reverse("login"),
        {"username": "mia", "password": "pw-mia", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.get(reverse("home")).url == reverse("explorer:index", args=[team.slug])

    # The sign-out form is on every page and posts with the page's CSRF token.
    page = client.get(reverse("teams:settings", args=[team.slug])).content.decode()
    assert f'action="{reverse("logout")}"' in page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post(reverse("logout"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert client.get(reverse("home")).url.startswith(reverse("login"))
    response = client.get(reverse("teams:settings", args=[team.slug]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_sign_in_goes_to_next(team, member):
    client = Client()
    target = reverse("history:list", args=[team.slug])
    response = client.post(
        reverse("login"), {"username": "mia", "password": "pw-mia", "next": target}
    )
    assert response.status_code == 302
    assert response.url == target


def test_sign_in_does_not_follow_next_off_site(team, member):
    response = Client().post(
        reverse("login"),
        {"username": "mia", "password": "pw-mia", "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_a_wrong_password_is_refused(team, member):
    client = Client()
    response = client.post(reverse("login"), {"username": "mia", "password": "wrong"})
    assert response.status_code == 200
    assert "Wrong user name or password" in _text(response)
    assert client.get(reverse("home")).status_code == 302
    assert client.get(reverse("home")).url.startswith(reverse("login"))


def test_signed_in_users_skip_the_login_page(member):
    response = member.client().get(reverse("login"))
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_logout_needs_a_post(member):
    client = member.client()
    assert client.get(reverse("logout")).status_code == 405
    assert client.get(reverse("home")).status_code in (200, 302)
    assert "_auth_user_id" in client.session
