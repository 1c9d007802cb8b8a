"""Who may use the console's API and the pass-through: every URL with a token of each role,
another team's token, a revoked token and none. (The pages are in test_access_rules.py.)"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import timezone

from console.api.models import ApiToken
from console.bulk.services import bulk_upload
from console.history.models import CallRecord
from tests.api.conftest import ApiClient
from tests.test_access_rules import ROLES

pytestmark = pytest.mark.usefixtures("sandbox_access", "sandbox_spec")


@dataclass(frozen=True)
class ApiRoute:
    name: str
    method: str
    role: str
    ok: int

    def url(self, record_id: int, run_id: int) -> str:
        if self.name == "api:record":
            return reverse(self.name, args=["metering", record_id])
        if self.name == "api:bulk_run":
            return reverse(self.name, args=["metering", run_id])
        if self.name == "api:bulk_start":
            return reverse(self.name, args=["metering", "listMeterTypes"])
        if self.name == "api:call":
            return reverse(self.name, args=["metering", "listMeterTypes"])
        if self.name == "proxy:pass":
            return reverse(
                self.name, args=["metering", "Sandbox access", "metering/v1/meter-types"]
            )
        return reverse(self.name, args=["metering"])


ROUTES = [
    ApiRoute("api:history", "GET", "viewer", 200),
    ApiRoute("api:record", "GET", "viewer", 200),
    ApiRoute("api:operations", "GET", "viewer", 200),
    ApiRoute("api:call", "POST", "member", 200),
    ApiRoute("api:bulk_start", "POST", "member", 202),
    ApiRoute("api:bulk_run", "GET", "viewer", 200),
    ApiRoute("proxy:pass", "GET", "member", 200),
]
RANK = {role: n for n, role in enumerate(ROLES)}


def _ask(client: ApiClient, route: ApiRoute, ids: tuple[int, int]):
    if route.method == "POST":
        body = {"access": "Sandbox access", "csv": "note\nfirst\n"}
        return client.post(route.url(*ids), body)
    return client.get(route.url(*ids))


@pytest.fixture
def record(team, member, sandbox_op) -> tuple[int, int]:
    """A call record and a bulk run of the team, for the URLs that name one."""
    call = CallRecord.objects.create(
        team=team, user=member.user, username="mia", method="GET", url="u"
    )
    run = bulk_upload(scope=member.scope, operation=sandbox_op("listMeterTypes"), text="a\n1\n")
    return call.pk, run.pk


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_tokens_by_role(request, route, role, token_for, record):
    person = request.getfixturevalue(role)
    response = _ask(ApiClient(token_for(person)), route, record)
    expected = route.ok if RANK[role] >= RANK[route.role] else 403
    assert response.status_code == expected, response.content[:300]


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_another_teams_token_is_404(route, outsider, token_for, record):
    assert _ask(ApiClient(token_for(outsider)), route, record).status_code == 404


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_no_token_or_a_revoked_one_is_401(route, owner, token_for, record):
    assert _ask(ApiClient(""), route, record).status_code == 401
    secret = token_for(owner)
    ApiToken.objects.update(revoked_at=timezone.now())
    assert _ask(ApiClient(secret), route, record).status_code == 401


def test_the_table_covers_every_api_url():
    from django.urls import get_resolver

    names = set()
    for namespace in ("api", "proxy"):
        resolver = get_resolver().namespace_dict[namespace][1]
        names |= {f"{namespace}:{k}" for k in resolver.reverse_dict if isinstance(k, str)}
    public = {"api:openapi"}  # the API's description: for anyone
    assert names - public == {r.name for r in ROUTES} | {"proxy:root"}
