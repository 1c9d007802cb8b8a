"""The Postman pages as people use them (no JavaScript): import, its summary, export as a
download, the environment import with its Application Access offer, curl. Secrets never
reach the HTML, the session in clear, or an export."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from console.freeform.models import FreeRequest
from console.postman.views import OFFER_KEY
from console.vault import services as vault
from console.vault.models import ApplicationAccess, Environment
from tests.conftest import SANDBOX_CLIENT_ID, SANDBOX_SECRET
from tests.postman.conftest import FIXTURES, fixture_text

pytestmark = pytest.mark.django_db

V21 = "metering.postman_collection.json"
ENV_FILE = "sandbox.postman_environment.json"


def _upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (FIXTURES / name).read_bytes(), "application/json")


@pytest.fixture
def environment(admin, sandbox) -> Environment:
    return vault.environment_save(
        scope=admin.scope, environment=Environment(name="Sandbox", base_url=sandbox.url)
    )


def test_import_page_upload_summary_and_export(member, viewer, sandbox_version):
    client = member.client()
    url = reverse("postman:import", args=["metering"])
    page = client.get(url)
    assert page.status_code == 200
    assert b"Match requests against" in page.content
    # the team's spec is chosen by default, not "no spec"
    assert f'<option value="{sandbox_version.spec_id}" selected>'.encode() in page.content
    answer = client.post(url, {"file": _upload(V21), "spec": sandbox_version.spec_id})
    assert answer.status_code == 200
    html = answer.content.decode()
    assert "<strong>9</strong> matched" in html
    assert "<strong>3</strong> became free requests" in html
    assert "<strong>3</strong> skipped" in html
    assert "Skipped: it asks for an OAuth token" in html
    assert "Usage report" in html
    assert "collection-oauth-secret-Wq81zL" not in html
    collection = answer.context["summary"].collection
    assert reverse("collections:detail", args=["metering", collection.pk]) in html
    # a viewer exports it
    download = viewer.client().get(reverse("postman:export", args=["metering", collection.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/json"
    assert download["Content-Disposition"] == (
        'attachment; filename="Usage-Engine-metering.postman_collection.json"'
    )
    exported = json.loads(download.content)
    assert exported["auth"]["bearer"][0]["value"] == "{{token}}"


def test_pasted_collection_with_a_name(member, sandbox_version):
    answer = member.client().post(
        reverse("postman:import", args=["metering"]),
        {"text": fixture_text("legacy-v2.0.postman_collection.json"),
         "spec": sandbox_version.spec_id, "name": "Legacy"},
    )  # fmt: skip
    assert answer.status_code == 200
    assert answer.context["summary"].collection.name == "Legacy"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": "{"}, "The document is not valid JSON"),
        ({"text": ""}, "Choose a file or paste the document."),
        ({"text": fixture_text(ENV_FILE)}, "This is a Postman environment, not a collection"),
    ],
)
def test_bad_documents_say_why(member, sandbox_version, data, message):
    answer = member.client().post(
        reverse("postman:import", args=["metering"]), {**data, "spec": sandbox_version.spec_id}
    )
    assert answer.status_code == 200
    assert message in answer.content.decode()


def test_environment_import_offers_an_access_without_showing_the_secret(admin, environment):
    client = admin.client()
    answer = client.post(
        reverse("postman:environment", args=["metering"]),
        {"file": _upload(ENV_FILE), "environment": environment.pk},
    )
    assert answer.status_code == 200
    html = answer.content.decode()
    assert "Make an Application Access?" in html
    assert SANDBOX_CLIENT_ID[-4:] in html
    for secret in (SANDBOX_SECRET, SANDBOX_CLIENT_ID, "report-key-9Vd2Lm5Q", "env-token-Bx8Tq2"):
        assert secret not in html
    sealed = client.session[OFFER_KEY]
    assert SANDBOX_SECRET not in sealed
    made = client.post(
        reverse("postman:access_offer", args=["metering"]),
        {"name": "UE sandbox (from Postman)", "environment": environment.pk},
    )
    access = ApplicationAccess.objects.get(name="UE sandbox (from Postman)")
    assert made.status_code == 302
    assert made["Location"] == reverse("vault:access", args=["metering", access.pk])
    assert OFFER_KEY not in client.session
    page = client.get(made["Location"])
    assert SANDBOX_SECRET not in page.content.decode()
    # the offer is used up
    again = client.post(
        reverse("postman:access_offer", args=["metering"]),
        {"name": "Twice", "environment": environment.pk},
    )
    assert again.status_code == 302
    assert not ApplicationAccess.objects.filter(name="Twice").exists()


def test_environment_offer_discarded(admin, environment):
    client = admin.client()
    client.post(
        reverse("postman:environment", args=["metering"]),
        {"text": fixture_text(ENV_FILE), "environment": environment.pk},
    )
    answer = client.post(reverse("postman:access_offer", args=["metering"]), {"discard": "1"})
    assert answer.status_code == 302
    assert OFFER_KEY not in client.session
    assert not ApplicationAccess.objects.exists()


def test_a_member_is_told_to_ask_an_admin(member, environment):
    client = member.client()
    answer = client.post(
        reverse("postman:environment", args=["metering"]),
        {"text": fixture_text(ENV_FILE), "environment": environment.pk},
    )
    html = answer.content.decode()
    assert "ask one to import this file" in html
    assert OFFER_KEY not in client.session
    assert SANDBOX_SECRET not in html


def test_curl_page_makes_a_free_request(member):
    client = member.client()
    assert client.get(reverse("postman:curl", args=["metering"])).status_code == 200
    answer = client.post(
        reverse("postman:curl", args=["metering"]),
        {"text": "curl -u kim:pw https://h.example/reporting/v1/usage?from=2025-01-01"},
    )
    free = FreeRequest.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == reverse("freeform:open", args=["metering", free.pk])
    assert free.path == "/reporting/v1/usage"
    opened = client.get(answer["Location"])
    assert opened.status_code == 200
    assert "The user name and password (-u) were dropped" in opened.content.decode()
    bad = client.post(reverse("postman:curl", args=["metering"]), {"text": "curl 'x"})
    assert bad.status_code == 200
    assert "a quote is not closed" in bad.content.decode()


@pytest.mark.parametrize("name", ["postman:import", "postman:environment", "postman:curl"])
def test_viewers_cannot_import_and_outsiders_see_nothing(viewer, outsider, name):
    url = reverse(name, args=["metering"])
    assert viewer.client().get(url).status_code == 403
    assert outsider.client().get(url).status_code == 404


def test_the_summary_never_shows_a_secret_from_a_postman_url(member, sandbox_version):
    secret = "query-secret-Zr55pQ"
    collection = {
        "info": {
            "name": "Leaky",
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
        },
        "item": [
            {
                "name": "Unknown endpoint",
                "request": {
                    "method": "GET",
                    "url": f"{{{{baseUrl}}}}/nowhere/v1/things?client_secret={secret}&page=2",
                },
            }
        ],
    }
    answer = member.client().post(
        reverse("postman:import", args=["metering"]),
        {"text": json.dumps(collection), "spec": sandbox_version.spec_id},
    )
    assert answer.status_code == 200
    html = answer.content.decode()
    assert "<strong>1</strong> became free requests" in html
    assert "/nowhere/v1/things?client_secret=" in html
    assert "page=2" in html
    assert secret not in html
