"""Who may open and do what, for every team-scoped URL of the console.

One table lists every URL under /t/<team>/ with the method it is used with, the
least role it needs and what a permitted request answers. Every row is then
checked for every kind of person:

* anonymous: redirected to the sign-in page;
* outsider (owner of another team): 404, whatever the method, never a 403 that
  confirms the team exists;
* viewer, member, admin, owner: the permitted answer at or above the row's role,
  403 below it.

And an owner of `team` asking for another team's objects through `team`'s URLs
(ids swapped) gets 404 for every row that names an object.

The objects are real: an environment pointing at the session sandbox, an
Application Access with the sandbox's credentials, the sandbox's own OpenAPI
document imported by URL, and a history record written by a real send.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from console.bulk.models import BulkRun, RunState
from console.bulk.services import bulk_upload
from console.collections import services as collections
from console.collections.models import Collection, CollectionFolder, CollectionItem
from console.explorer.reopen import FormState
from console.explorer.services import run_operation
from console.freeform.models import FreeRequest
from console.freeform.services import free_request_create
from console.history.models import CallRecord
from console.invitations.models import Invitation
from console.invitations.services import invitation_send
from console.sandbox.server import RunningSandbox
from console.saved.models import SavedRequest
from console.saved.services import saved_create
from console.specs.models import Operation, Spec, SpecVersion
from console.specs.services import spec_import
from console.teams.models import Membership, Role, Team
from console.teams.scoping import TeamScope
from console.variables.models import Variable
from console.variables.services import variable_set
from console.vault import services as vault
from console.vault.models import ApplicationAccess, Environment
from tests.conftest import SANDBOX_CLIENT_ID, SANDBOX_SECRET, Person

ROLES = ("viewer", "member", "admin", "owner")


# ---------------------------------------------------------------- the objects


@dataclass
class Objects:
    """One team's set of objects, one of each kind a URL can name."""

    environment: Environment
    access: ApplicationAccess
    spec: Spec
    version: SpecVersion
    operation: Operation
    record: CallRecord
    target: Membership  # a member whose role is changed or who is removed
    saved: SavedRequest  # saved by the sender (a member)
    invitation: Invitation  # pending, sent by the manager
    run: BulkRun  # a draft bulk run of the operation, uploaded by the sender
    # Variables (set in `world`): a plain one by the sender, a secret one by the manager.
    variable: Variable | None = None
    secret_variable: Variable | None = None
    # Made by the sender (a member): a free request, a collection with a folder and a step.
    free: FreeRequest | None = None
    collection: Collection | None = None
    folder: CollectionFolder | None = None
    item: CollectionItem | None = None


@dataclass
class World:
    """The objects of `team` and the same kinds of objects in `other_team`."""

    team: Team
    mine: Objects
    theirs: Objects
    sandbox: RunningSandbox


def _make_objects(
    *, manager: TeamScope, sender: TeamScope, sandbox: RunningSandbox, target_name: str
) -> Objects:
    """Create one of each object in the team of `manager`, the way the console does."""
    env = vault.environment_save(
        scope=manager, environment=Environment(name="Sandbox", base_url=sandbox.url)
    )
    access = vault.access_create(
        scope=manager,
        name="Sandbox access",
        environment=env,
        client_id=SANDBOX_CLIENT_ID,
        client_secret=SANDBOX_SECRET,
    )
    imported = spec_import(scope=manager, name="Sandbox API", url=sandbox.url + "/openapi.json")
    operation = Operation.objects.get(version=imported.version, operation_id="listMeterTypes")
    outcome = run_operation(scope=sender, access=access, operation=operation, values={})
    assert outcome.status == 200, outcome.error
    assert outcome.record is not None
    user = get_user_model().objects.create_user(username=target_name, password="pw")
    target = Membership.objects.create(team=manager.team, user=user, role=Role.MEMBER)
    saved = saved_create(scope=sender, operation=operation, name="Meter types", state=FormState())
    invitation = invitation_send(
        scope=manager, email=f"{target_name}-friend@example.com", role=Role.MEMBER
    ).invitation
    run = bulk_upload(scope=sender, operation=operation, text="note\nfirst\n", name="x.csv")
    objects = Objects(
        env,
        access,
        imported.spec,
        imported.version,
        operation,
        outcome.record,
        target,
        saved,
        invitation,
        run,
    )
    objects.free = free_request_create(
        scope=sender, name="Meter types", method="GET", path="/metering/v1/meter-types"
    )
    objects.collection = collections.collection_create(scope=sender, name="Round trip")
    objects.folder = collections.folder_add(
        scope=sender, collection=objects.collection, name="Set-up"
    )
    objects.item = collections.item_add(
        scope=sender, collection=objects.collection, name="List", free_request=objects.free
    )
    return objects


@pytest.fixture
def world(
    team: Team,
    owner: Person,
    admin: Person,
    member: Person,
    viewer: Person,
    outsider: Person,
    sandbox: RunningSandbox,
) -> World:
    """Objects in `team` (made by its admin and member) and in `other_team` (the outsider's)."""
    mine = _make_objects(
        manager=admin.scope, sender=member.scope, sandbox=sandbox, target_name="tess"
    )
    theirs = _make_objects(
        manager=outsider.scope, sender=outsider.scope, sandbox=sandbox, target_name="theo"
    )
    for objects, manager, sender in ((mine, admin, member), (theirs, outsider, outsider)):
        objects.variable = variable_set(scope=sender.scope, name="meterTypeId", value="mt-1")
        objects.secret_variable = variable_set(
            scope=manager.scope, name="apiKey", value="secret-value-0001", secret=True
        )
    return World(team, mine, theirs, sandbox)


# ---------------------------------------------------------------- the URL table


@dataclass(frozen=True)
class Route:
    """One team-scoped URL as the console uses it.

    `objects` maps URL keyword arguments to attributes of `Objects`; `data` builds
    the POST body from the world (None for GET); `ok` is what a permitted request
    answers.
    """

    name: str
    method: str
    role: Role
    ok: int
    objects: dict[str, str] = field(default_factory=dict)
    data: Callable[[World], dict[str, Any]] | None = None
    fixed: dict[str, str] = field(default_factory=dict)  # URL arguments that are not objects

    @property
    def id(self) -> str:
        return f"{self.method} {self.name}"

    def url(self, slug: str, objects: Objects) -> str:
        kwargs = {arg: getattr(objects, attr).pk for arg, attr in self.objects.items()}
        return reverse(self.name, kwargs={"team_slug": slug, **kwargs, **self.fixed})

    def body(self, world: World) -> dict[str, Any]:
        return self.data(world) if self.data else {}


def _environment_form(world: World) -> dict[str, Any]:
    return {"name": "Second sandbox", "base_url": world.sandbox.url}


def _access_form(world: World) -> dict[str, Any]:
    return {
        "name": "Another access",
        "environment": world.mine.environment.pk,
        "client_id": SANDBOX_CLIENT_ID,
        "client_secret": SANDBOX_SECRET,
    }


def _access_edit_form(world: World) -> dict[str, Any]:
    # Blank client ID and secret keep the stored ones.
    return {"name": "Renamed access", "environment": world.mine.environment.pk}


def _import_form(world: World) -> dict[str, Any]:
    return {"name": "Sandbox API", "url": world.sandbox.url + "/openapi.json"}


def _send_form(world: World) -> dict[str, Any]:
    return {"access": world.mine.access.pk}


ENV = {"environment_id": "environment"}
ACCESS = {"access_id": "access"}
SPEC = {"spec_id": "spec"}
VERSION = {"version_id": "version"}
OPERATION = {"operation_id": "operation"}
RECORD = {"record_id": "record"}
SAVED = {"saved_id": "saved"}
TARGET = {"membership_id": "target"}
INVITATION = {"invitation_id": "invitation"}
RUN = {"run_id": "run"}
VARIABLE = {"variable_id": "variable"}
SECRET_VARIABLE = {"variable_id": "secret_variable"}
FREE = {"free_id": "free"}
COLLECTION = {"collection_id": "collection"}
FOLDER = {"collection_id": "collection", "folder_id": "folder"}
ITEM = {"collection_id": "collection", "item_id": "item"}

READ_PAGES = [
    Route("explorer:index", "GET", Role.VIEWER, 302),  # to the first spec
    Route("explorer:spec", "GET", Role.VIEWER, 200, SPEC),
    Route("explorer:operation", "GET", Role.VIEWER, 200, OPERATION),
    # a tag group's operations, as the sidebar of a big spec loads them (the first group)
    Route("explorer:group", "GET", Role.VIEWER, 200, VERSION, fixed={"number": "0"}),
    Route("history:list", "GET", Role.VIEWER, 200),
    Route("history:detail", "GET", Role.VIEWER, 200, RECORD),
    Route("history:replay", "GET", Role.MEMBER, 200, RECORD),
    Route("history:response_body", "GET", Role.VIEWER, 200, RECORD),  # a download
    Route("history:compare", "GET", Role.VIEWER, 200),  # without ?ids: asks for two
    Route("saved:list", "GET", Role.VIEWER, 200),
    Route("saved:open", "GET", Role.VIEWER, 200, SAVED),
    Route("history:events", "GET", Role.VIEWER, 200),
    Route("apitokens:list", "GET", Role.VIEWER, 200),
    Route("bulk:list", "GET", Role.VIEWER, 200),
    Route("bulk:run", "GET", Role.VIEWER, 200, RUN),
    Route("bulk:progress", "GET", Role.VIEWER, 200, RUN),
    Route("bulk:results", "GET", Role.VIEWER, 200, RUN),
    Route("variables:list", "GET", Role.VIEWER, 200),
    Route("history:events_export", "GET", Role.VIEWER, 200, fixed={"fmt": "csv"}),
    Route("history:team_events", "GET", Role.VIEWER, 200),
    Route("history:team_events_export", "GET", Role.VIEWER, 200, fixed={"fmt": "jsonl"}),
    Route("history:export", "GET", Role.VIEWER, 200, fixed={"fmt": "csv"}),
    Route("teams:settings", "GET", Role.VIEWER, 200),
    Route("vault:access", "GET", Role.VIEWER, 200, ACCESS),
    Route("specs:detail", "GET", Role.VIEWER, 200, SPEC),
    Route("specs:diff", "GET", Role.VIEWER, 200, SPEC),
    Route("freeform:list", "GET", Role.VIEWER, 200),
    Route("freeform:new", "GET", Role.VIEWER, 200),
    Route("freeform:open", "GET", Role.VIEWER, 200, FREE),
    Route("collections:list", "GET", Role.VIEWER, 200),
    Route("collections:detail", "GET", Role.VIEWER, 200, COLLECTION),
    Route("postman:export", "GET", Role.VIEWER, 200, COLLECTION),  # a download
]

MANAGE_PAGES = [
    Route("vault:environment_new", "GET", Role.ADMIN, 200),
    Route("vault:environment", "GET", Role.ADMIN, 200, ENV),
    Route("vault:access_new", "GET", Role.ADMIN, 200),
    Route("vault:access_edit", "GET", Role.ADMIN, 200, ACCESS),
    Route("specs:import", "GET", Role.ADMIN, 200),
    Route("bulk:new", "GET", Role.MEMBER, 200, OPERATION),
    # variables: members change plain ones; secret ones only admins and owners
    Route("variables:edit", "GET", Role.MEMBER, 200, VARIABLE),
    Route("variables:edit", "GET", Role.ADMIN, 200, SECRET_VARIABLE),
    Route("collections:add", "GET", Role.MEMBER, 200),  # without ?saved= or ?free=: says how
    Route("collections:run", "GET", Role.MEMBER, 200, COLLECTION),
    Route("postman:import", "GET", Role.MEMBER, 200),
    Route("postman:environment", "GET", Role.MEMBER, 200),
    Route("postman:curl", "GET", Role.MEMBER, 200),
]


_POSTMAN_COLLECTION = {
    "info": {
        "name": "From Postman",
        "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
    },
    "item": [
        {"name": "List", "request": {"method": "GET", "url": "{{baseUrl}}/metering/v1/meter-types"}}
    ],
}
_POSTMAN_ENVIRONMENT = {"name": "Postman", "values": [{"key": "account", "value": "acme"}]}


def _postman_import_form(world: World) -> dict[str, Any]:
    return {"text": json.dumps(_POSTMAN_COLLECTION), "spec": world.mine.spec.pk}


def _postman_environment_form(world: World) -> dict[str, Any]:
    return {"text": json.dumps(_POSTMAN_ENVIRONMENT), "environment": world.mine.environment.pk}


def _free_form(world: World) -> dict[str, Any]:
    return {
        "name": "Listed", "method": "GET", "path": "/metering/v1/meter-types",
        "access": world.mine.access.pk,
    }  # fmt: skip


def _variable_form(world: World) -> dict[str, Any]:
    return {"name": "account", "value": "acc-1", "environment": ""}


def _from_response_form(world: World) -> dict[str, Any]:
    return {"record": world.mine.record.pk, "pointer": "/meterTypes/0/id", "name": "mt"}


ACTIONS = [
    # variables: members set plain ones, from a form or from a recorded response
    Route("variables:list", "POST", Role.MEMBER, 302, {}, _variable_form),
    Route("variables:edit", "POST", Role.MEMBER, 302, VARIABLE, _variable_form),
    Route(
        "variables:edit", "POST", Role.ADMIN, 302, SECRET_VARIABLE,
        lambda w: {"name": "apiKey", "value": "", "environment": "", "is_secret": "on"},
    ),
    Route("variables:delete", "POST", Role.MEMBER, 302, VARIABLE),
    Route("variables:delete", "POST", Role.ADMIN, 302, SECRET_VARIABLE),
    Route(
        "variables:from_response", "POST", Role.MEMBER, 302, {},
        lambda w: {**_from_response_form(w), "scope": "call"},
    ),
    Route("variables:preview", "POST", Role.MEMBER, 200, OPERATION, _send_form),
    # sending with the team's credentials
    Route("explorer:send", "POST", Role.MEMBER, 200, OPERATION, _send_form),
    Route("vault:access_test", "POST", Role.MEMBER, 200, ACCESS),
    # saved requests: any member saves; who saved it (here the member) and admins change it
    Route("saved:new", "POST", Role.MEMBER, 302, OPERATION, lambda w: {"name": "N", "state": "{}"}),
    Route("saved:update", "POST", Role.MEMBER, 302, SAVED),
    Route("saved:rename", "POST", Role.MEMBER, 302, SAVED, lambda w: {"name": "Renamed"}),
    Route("saved:delete", "POST", Role.MEMBER, 302, SAVED),
    # managing credentials
    Route("vault:environment_new", "POST", Role.ADMIN, 302, {}, _environment_form),
    Route("vault:environment", "POST", Role.ADMIN, 302, ENV, _environment_form),
    Route("vault:environment_delete", "POST", Role.ADMIN, 302, ENV),
    Route("vault:access_new", "POST", Role.ADMIN, 302, {}, _access_form),
    Route("vault:access_edit", "POST", Role.ADMIN, 302, ACCESS, _access_edit_form),
    Route("vault:access_delete", "POST", Role.ADMIN, 302, ACCESS),
    Route("vault:access_enable", "POST", Role.ADMIN, 302, ACCESS, lambda w: {"enabled": "0"}),
    # managing specs
    Route("specs:import", "POST", Role.ADMIN, 302, {}, _import_form),
    Route("specs:delete", "POST", Role.ADMIN, 302, SPEC),
    # managing members
    Route("teams:member_add", "POST", Role.ADMIN, 302, {}, lambda w: {"username": "newcomer"}),
    Route("teams:member_role", "POST", Role.ADMIN, 302, TARGET, lambda w: {"role": "viewer"}),
    Route("teams:member_remove", "POST", Role.ADMIN, 302, TARGET),
    # bulk runs: upload, map, start, pause, resume, cancel
    Route("bulk:new", "POST", Role.MEMBER, 302, OPERATION, lambda w: {"text": "note\nx\n"}),
    Route("bulk:mapping", "POST", Role.MEMBER, 302, RUN, lambda w: {"access": w.mine.access.pk}),
    Route("bulk:start", "POST", Role.MEMBER, 302, RUN),
    Route("bulk:pause", "POST", Role.MEMBER, 302, RUN),
    Route("bulk:resume", "POST", Role.MEMBER, 302, RUN),
    Route("bulk:cancel", "POST", Role.MEMBER, 302, RUN),
    # free requests: members send and save; who saved it (here the member) and admins change it
    Route("freeform:send", "POST", Role.MEMBER, 200, {}, _free_form),
    Route("freeform:save", "POST", Role.MEMBER, 302, {}, _free_form),
    Route("freeform:update", "POST", Role.MEMBER, 302, FREE, _free_form),
    Route("freeform:delete", "POST", Role.MEMBER, 302, FREE),
    # collections: members make and run them; who made it (the member) and admins change and
    # delete it (another member's 403s: tests/collections/test_run_guard.py)
    Route("collections:new", "POST", Role.MEMBER, 302, {}, lambda w: {"name": "New"}),
    Route("collections:edit", "POST", Role.MEMBER, 302, COLLECTION, lambda w: {"name": "Renamed"}),
    Route("collections:delete", "POST", Role.MEMBER, 302, COLLECTION),
    Route("collections:folder_new", "POST", Role.MEMBER, 302, COLLECTION, lambda w: {"name": "F"}),
    Route(
        "collections:folder", "POST", Role.MEMBER, 302, FOLDER,
        lambda w: {"action": "rename", "name": "Prep"},
    ),
    Route("collections:item", "POST", Role.MEMBER, 302, ITEM, lambda w: {"action": "down"}),
    Route(
        "collections:add", "POST", Role.MEMBER, 302, {},
        lambda w: {"saved": w.mine.saved.pk, "collection": w.mine.collection.pk},
    ),
    Route(
        "collections:run", "POST", Role.MEMBER, 200, COLLECTION,
        lambda w: {"access": w.mine.access.pk},
    ),
    # Postman: members import (the summary page, 200; curl opens the free request); only
    # admins make the offered Application Access (none pending here: back to the import)
    Route("postman:import", "POST", Role.MEMBER, 200, {}, _postman_import_form),
    Route("postman:environment", "POST", Role.MEMBER, 200, {}, _postman_environment_form),
    Route("postman:access_offer", "POST", Role.ADMIN, 302),
    Route(
        "postman:curl", "POST", Role.MEMBER, 302, {},
        lambda w: {"text": "curl https://h.example/metering/v1/meter-types"},
    ),
    # invitations: sending shows the link once (200), revoking goes back to settings
    Route(
        "invitations:send", "POST", Role.ADMIN, 200, {},
        lambda w: {"email": "newcomer@example.com", "role": "member"},
    ),
    Route("invitations:revoke", "POST", Role.ADMIN, 302, INVITATION),
    # a member's sign-in: unlock, a password-reset link (shown once), reset two-factor
    Route("people:unlock", "POST", Role.ADMIN, 302, TARGET),
    Route("people:reset_link", "POST", Role.ADMIN, 200, TARGET),
    Route("people:two_factor_reset", "POST", Role.ADMIN, 302, TARGET),
    # the team itself
    Route("teams:rename", "POST", Role.OWNER, 302, {}, lambda w: {"name": "Metering EU"}),
    Route("teams:two_factor_rule", "POST", Role.OWNER, 302, {}, lambda w: {"required": "0"}),
    # personal API tokens: anyone in the team makes their own (the page shows it once)
    Route(
        "apitokens:create", "POST", Role.VIEWER, 200, {},
        lambda w: {"name": "ci", "role": "viewer", "days": "30"},
    ),
]  # fmt: skip

ROUTES = READ_PAGES + MANAGE_PAGES + ACTIONS
# Actions that only accept POST: a GET is refused (405) before the team is looked at.
POST_ONLY = {r.name for r in ACTIONS} - {r.name for r in READ_PAGES + MANAGE_PAGES}


def _route_params(routes: list[Route]) -> list[Any]:
    return [pytest.param(route, id=route.id) for route in routes]


def _request(client: Client, route: Route, url: str, world: World, method: str | None = None):
    method = method or route.method
    if method == "GET":
        return client.get(url)
    return client.post(url, route.body(world))


TEAM_NAMESPACES = {
    "explorer", "history", "saved", "teams", "vault", "specs", "invitations", "people",
    "apitokens", "bulk", "freeform", "collections",
    "postman",
}  # fmt: skip
TEAM_NAMESPACES.add("variables")
# Whose answer depends on whose object it is, not on a role: their own tests.
TESTED_ELSEWHERE = {
    "apitokens:revoke",  # one's own token, or an owner: tests/api/test_tokens.py
}


def test_the_table_covers_every_team_url():
    """Every URL pattern under /t/<team>/ appears in the table (a new view must be added)."""
    from django.urls import get_resolver

    names = set()
    for name, entries in get_resolver().namespace_dict.items():
        resolver = entries[1]
        names |= {f"{name}:{key}" for key in resolver.reverse_dict if isinstance(key, str)}
    team_names = {n for n in names if n.split(":")[0] in TEAM_NAMESPACES}
    assert team_names - TESTED_ELSEWHERE == {r.name for r in ROUTES}


# ---------------------------------------------------------------- the checks


@pytest.mark.parametrize("route", _route_params(ROUTES))
def test_anonymous_is_sent_to_sign_in(world, route):
    url = route.url(world.team.slug, world.mine)
    response = _request(Client(), route, url, world)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login") + "?next=")


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("route", _route_params(ROUTES))
def test_outsider_gets_404_for_everything(world, outsider, route, method):
    url = route.url(world.team.slug, world.mine)
    response = _request(outsider.client(), route, url, world, method)
    if method == "GET" and route.name in POST_ONLY:
        # Refused by method before any team lookup: the same answer for a team that
        # does not exist, so it tells nothing (checked below).
        assert response.status_code == 405
        ghost = route.url("no-such-team", world.mine)
        assert outsider.client().get(ghost).status_code == 405
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", _route_params(ROUTES))
def test_members_by_role(world, request, route, role):
    person: Person = request.getfixturevalue(role)
    url = route.url(world.team.slug, world.mine)
    response = _request(person.client(), route, url, world)
    if person.membership.has_role(route.role):
        assert response.status_code == route.ok, response.content[:500]
        if route.ok == 302:
            assert not response.url.startswith(reverse("login"))
    else:
        assert response.status_code == 403


OBJECT_ROUTES = [r for r in ROUTES if r.objects]


@pytest.mark.parametrize("route", _route_params(OBJECT_ROUTES))
def test_other_teams_objects_through_my_team_are_404(world, owner, route):
    """The owner of `team` names another team's object under /t/<team>/: 404, and no change."""
    url = route.url(world.team.slug, world.theirs)
    response = _request(owner.client(), route, url, world)
    assert response.status_code == 404
    theirs = world.theirs
    assert Environment.objects.filter(pk=theirs.environment.pk, name="Sandbox").exists()
    assert ApplicationAccess.objects.filter(
        pk=theirs.access.pk, name="Sandbox access", is_enabled=True
    ).exists()
    assert Spec.objects.filter(pk=theirs.spec.pk).exists()
    assert Membership.objects.filter(pk=theirs.target.pk, role=Role.MEMBER).exists()
    assert SavedRequest.objects.filter(pk=theirs.saved.pk, name="Meter types").exists()
    assert Invitation.objects.get(pk=theirs.invitation.pk).is_pending
    assert BulkRun.objects.get(pk=theirs.run.pk).state == RunState.DRAFT
    assert Variable.objects.filter(pk=theirs.variable.pk, value="mt-1").exists()
    assert Variable.objects.filter(pk=theirs.secret_variable.pk, name="apiKey").exists()
    assert FreeRequest.objects.filter(pk=theirs.free.pk, name="Meter types").exists()
    assert Collection.objects.filter(pk=theirs.collection.pk, name="Round trip").exists()
    assert CollectionFolder.objects.filter(pk=theirs.folder.pk, name="Set-up").exists()
    assert CollectionItem.objects.get(pk=theirs.item.pk).position == theirs.item.position


def test_sending_with_another_teams_access_is_404(world, owner):
    """The access id in the POST body is scoped too: nothing is sent or recorded."""
    before = CallRecord.objects.count()
    response = owner.client().post(
        reverse("explorer:send", args=[world.team.slug, world.mine.operation.pk]),
        {"access": world.theirs.access.pk},
    )
    assert response.status_code == 404
    assert CallRecord.objects.count() == before


@pytest.mark.parametrize("name", ["vault:access_new", "vault:access_edit"])
def test_another_teams_environment_is_not_a_choice(world, owner, name):
    """An Application Access cannot be put in another team's environment."""
    kwargs = {"access_id": world.mine.access.pk} if name == "vault:access_edit" else {}
    url = reverse(name, kwargs={"team_slug": world.team.slug, **kwargs})
    data = {**_access_form(world), "environment": world.theirs.environment.pk}
    response = owner.client().post(url, data)
    assert response.status_code == 200
    assert "environment" in response.context["form"].errors
    assert not ApplicationAccess.objects.filter(environment=world.theirs.environment).exclude(
        pk=world.theirs.access.pk
    )
    assert ApplicationAccess.objects.get(pk=world.mine.access.pk).environment == (
        world.mine.environment
    )


@pytest.mark.parametrize("route", _route_params([r for r in ROUTES if r.method == "POST"]))
def test_every_form_needs_its_csrf_token(world, owner, route):
    """A POST without the CSRF token is refused (the plain 403 page) before the view runs."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner.user)
    before = (Membership.objects.count(), ApplicationAccess.objects.count(), Spec.objects.count())
    response = _request(client, route, route.url(world.team.slug, world.mine), world)
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()
    after = (Membership.objects.count(), ApplicationAccess.objects.count(), Spec.objects.count())
    assert after == before
