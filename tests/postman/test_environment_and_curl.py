"""Postman environments to team variables (credentials offered as an Application Access,
never stored as variables) and curl commands to free requests."""

from __future__ import annotations

import pytest
from django.core import serializers

from console.collections.services import collection_create
from console.postman.collection import PostmanError
from console.postman.services import (
    curl_import,
    offer_accept,
    offer_open,
    offer_seal,
    postman_environment_import,
)
from console.variables.models import Variable
from console.variables.services import variables_for
from console.vault import services as vault
from console.vault.models import ApplicationAccess, Environment
from tests.conftest import SANDBOX_CLIENT_ID, SANDBOX_SECRET
from tests.postman.conftest import fixture_text

pytestmark = pytest.mark.django_db

ENV_FILE = "sandbox.postman_environment.json"


@pytest.fixture
def environment(admin, sandbox) -> Environment:
    return vault.environment_save(
        scope=admin.scope, environment=Environment(name="Sandbox", base_url=sandbox.url)
    )


def test_admin_import_sets_variables_and_offers_the_credentials(admin, environment):
    summary = postman_environment_import(
        scope=admin.scope, environment=environment, text=fixture_text(ENV_FILE)
    )
    assert summary.created == ["baseUrl", "meterTypeId", "account", "reportKey"]
    assert summary.secret == ["reportKey"]
    assert dict(summary.skipped).keys() == {"oldAccount", "token"}
    names = set(Variable.objects.filter(environment=environment).values_list("name", flat=True))
    assert names == {"baseUrl", "meterTypeId", "account", "reportKey"}
    report = Variable.objects.get(name="reportKey")
    assert report.is_secret
    assert report.value == ""
    assert variables_for(admin.scope, environment).values["reportKey"] == "report-key-9Vd2Lm5Q"
    assert summary.offer is not None
    assert (summary.offer.client_id, summary.offer.client_secret) == (
        SANDBOX_CLIENT_ID, SANDBOX_SECRET,
    )  # fmt: skip
    stored = serializers.serialize("json", Variable.objects.all())
    for kept_out in (SANDBOX_CLIENT_ID, SANDBOX_SECRET, "env-token-Bx8Tq2", "report-key-9Vd2"):
        assert kept_out not in stored


def test_importing_again_changes_the_same_variables(admin, environment):
    postman_environment_import(
        scope=admin.scope, environment=environment, text=fixture_text(ENV_FILE)
    )
    again = postman_environment_import(
        scope=admin.scope, environment=environment, text=fixture_text(ENV_FILE)
    )
    assert again.created == []
    assert again.updated == ["baseUrl", "meterTypeId", "account", "reportKey"]
    assert Variable.objects.filter(environment=environment).count() == 4


def test_a_member_gets_plain_variables_and_no_secret(member, environment):
    summary = postman_environment_import(
        scope=member.scope, environment=environment, text=fixture_text(ENV_FILE)
    )
    assert summary.created == ["baseUrl", "meterTypeId", "account"]
    assert "only admins and owners" in dict(summary.skipped)["reportKey"]


def test_the_offer_is_sealed_for_its_team_and_makes_a_working_access(admin, environment, outsider):
    summary = postman_environment_import(
        scope=admin.scope, environment=environment, text=fixture_text(ENV_FILE)
    )
    sealed = offer_seal(admin.scope, summary.offer)
    assert SANDBOX_SECRET not in sealed
    assert SANDBOX_CLIENT_ID not in sealed
    assert offer_open(outsider.scope, sealed) is None  # another team's session cannot use it
    assert offer_open(admin.scope, sealed + "x") is None
    offer = offer_open(admin.scope, sealed)
    assert offer == summary.offer
    access = offer_accept(
        scope=admin.scope, offer=offer, name="From Postman", environment=environment
    )
    assert ApplicationAccess.objects.get(pk=access.pk).client_id_hint == SANDBOX_CLIENT_ID[-4:]
    check = vault.access_test(scope=admin.scope, access=access)
    assert check.scopes  # the sandbox gave a token for the credentials from the file


def test_an_environment_file_that_is_not_one(admin, environment):
    with pytest.raises(PostmanError, match="not a Postman environment"):
        postman_environment_import(scope=admin.scope, environment=environment, text="{}")


# ---------------------------------------------------------------- curl


def test_curl_becomes_a_free_request_without_host_or_credentials(member, environment):
    collection = collection_create(scope=member.scope, name="Pasted")
    free = curl_import(
        scope=member.scope,
        collection=collection,
        text=(
            "curl -X POST 'https://api.usage-engine.example/metering/v1/meter-types?dry=1' \\\n"
            "  -H 'Content-Type: application/json' -H 'X-Request-Id: r-1' \\\n"
            "  -H 'Authorization: Bearer eyJ.curl-token' -u kim:pw \\\n"
            '  --data-raw \'{"name": "API calls", "client_secret": "curl-secret-Lm2Q9x"}\''
        ),
    )
    assert (free.method, free.path) == ("POST", "/metering/v1/meter-types")
    assert free.query == [{"name": "dry", "value": "1", "enabled": True}]
    assert free.headers == [{"name": "X-Request-Id", "value": "r-1", "enabled": True}]
    assert free.body_content_type == "application/json"
    assert '"name": "API calls"' in free.body
    assert "curl-secret-Lm2Q9x" not in free.body  # redacted as the history redacts
    assert len(free.import_notes) == 2
    assert collection.items.get().free_request == free


def test_curl_drops_the_environments_base_path(member, admin, sandbox):
    vault.environment_save(
        scope=admin.scope,
        environment=Environment(name="With path", base_url=sandbox.url + "/ue"),
    )
    free = curl_import(scope=member.scope, text=f"curl {sandbox.url}/ue/reporting/v1/usage")
    assert (free.method, free.path) == ("GET", "/reporting/v1/usage")


def test_curl_form_body_keeps_variables(member):
    free = curl_import(
        scope=member.scope, text="curl https://h/x/y -d 'account={{account}}' -d 'n=a b'"
    )
    assert free.body == "account={{account}}&n=a+b"
    assert free.body_content_type == "application/x-www-form-urlencoded"
