"""The spec import page: by URL or upload, what the admin is told, and the spec page."""

from __future__ import annotations

import html
import socket
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from console.sandbox.api import OPERATIONS
from console.specs.models import Operation, Spec, SpecVersion
from console.teams.models import Team

FIXTURES = Path(__file__).parent / "import_fixtures"


def _upload(name: str, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (FIXTURES / name).read_bytes(), content_type=content_type)


def _import(client: Client, team: Team, **data: Any) -> Any:
    return client.post(reverse("specs:import", args=[team.slug]), data, follow=True)


def _text(response: Any) -> str:
    return html.unescape(response.content.decode())


def _nothing_stored() -> bool:
    return not (Spec.objects.exists() or SpecVersion.objects.exists() or Operation.objects.exists())


def _only_error(response: Any) -> str:
    """The form's one error, shown on the page, with no field errors beside it."""
    assert response.status_code == 200
    assert response.redirect_chain == []
    form = response.context["form"]
    errors = form.non_field_errors()
    assert len(errors) == 1, form.errors
    assert set(form.errors) == {"__all__"}, form.errors
    assert errors[0] in _text(response)
    return errors[0]


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- imports that work


def test_the_import_page_renders(admin, team):
    response = admin.client().get(reverse("specs:import", args=[team.slug]))
    assert response.status_code == 200
    page = _text(response)
    assert 'name="url"' in page
    assert 'type="file"' in page
    assert 'enctype="multipart/form-data"' in page


def test_import_by_url(admin, team, sandbox):
    url = sandbox.url + "/openapi.json"
    response = _import(admin.client(), team, name="Sandbox API", url=url)
    spec = Spec.objects.get(team=team)
    assert response.redirect_chain == [(reverse("specs:detail", args=[team.slug, spec.pk]), 302)]
    page = _text(response)
    assert f"Imported Sandbox API v1: {len(OPERATIONS)} operations." in page
    assert url in page  # the version's source
    assert "Problems found" not in page
    assert spec.source_url == url


@pytest.mark.parametrize(
    ("filename", "content_type", "count"),
    [
        pytest.param("meters.json", "application/json", 2, id="json"),
        pytest.param("meters.yaml", "application/yaml", 3, id="yaml"),
    ],
)
def test_import_by_upload(admin, team, filename, content_type, count):
    response = _import(admin.client(), team, name="Meters", file=_upload(filename, content_type))
    spec = Spec.objects.get(team=team, name="Meters")
    assert response.redirect_chain[-1][0] == reverse("specs:detail", args=[team.slug, spec.pk])
    assert f"Imported Meters v1: {count} operations." in _text(response)
    assert spec.latest_version().source == filename
    assert Operation.objects.filter(version__spec=spec).count() == count


def test_reimport_makes_version_2(admin, team, sandbox):
    client = admin.client()
    _import(client, team, name="Meters", file=_upload("meters.json"))
    response = _import(client, team, name="Meters", url=sandbox.url + "/openapi.json")
    page = _text(response)
    assert f"Imported Meters v2: {len(OPERATIONS)} operations." in page
    assert ">v2<" in page
    assert ">v1<" in page
    assert Spec.objects.count() == 1
    assert list(SpecVersion.objects.values_list("number", flat=True)) == [2, 1]


def test_some_invalid_operations_are_reported_on_the_spec_page(admin, viewer, team):
    response = _import(admin.client(), team, name="Partly", file=_upload("partly-broken.yaml"))
    assert "Imported Partly v1: 2 operations, 2 problems reported." in _text(response)
    spec = Spec.objects.get(name="Partly")
    # Everyone in the team sees the problems on the spec page.
    page = _text(viewer.client().get(reverse("specs:detail", args=[team.slug, spec.pk])))
    assert "Problems found in version 1" in page
    assert "Operations with errors were skipped; the rest were imported." in page
    assert "paths./items/{itemId}.get" in page
    assert "path parameter 'itemId' in the path template is not declared" in page
    assert "paths./wrong-place.get.parameters[0]" in page
    assert "'in' must be one of query, header, path, cookie" in page
    assert set(Operation.objects.values_list("operation_id", flat=True)) == {"goodOne", "goodTwo"}


def test_the_imported_spec_opens_in_the_explorer(admin, member, team):
    _import(admin.client(), team, name="Meters", file=_upload("meters.yaml"))
    response = member.client().get(reverse("explorer:index", args=[team.slug]), follow=True)
    assert response.status_code == 200
    page = _text(response)
    assert "Get a meter type" in page
    assert "List streams" in page


# ---------------------------------------------------------------- imports that fail


def test_a_non_spec_document_gives_one_message_and_stores_nothing(admin, team):
    response = _import(admin.client(), team, name="Report", file=_upload("not-a-spec.json"))
    message = _only_error(response)
    assert message == "This is not an OpenAPI document: it has no 'openapi' or 'swagger' field."
    assert _nothing_stored()


def test_a_spec_without_a_usable_operation_stores_nothing(admin, team):
    response = _import(admin.client(), team, name="Broken", file=_upload("all-broken.yaml"))
    assert _only_error(response).startswith("The document has no usable operations (")
    assert _nothing_stored()


def test_a_url_that_answers_404(admin, team, sandbox):
    url = sandbox.url + "/nothing-here.json"
    response = _import(admin.client(), team, name="Missing", url=url)
    assert _only_error(response) == f"Fetching {url} answered 404 Not Found."
    assert _nothing_stored()


def test_a_url_that_refuses_to_connect(admin, team):
    url = f"http://127.0.0.1:{_closed_port()}/openapi.json"
    response = _import(admin.client(), team, name="Nobody home", url=url)
    message = _only_error(response)
    assert message.startswith(f"Could not fetch {url}: ")
    assert "connection refused" in message
    assert _nothing_stored()


def test_a_failed_reimport_keeps_the_spec_as_it_was(admin, team):
    client = admin.client()
    _import(client, team, name="Meters", file=_upload("meters.json"))
    response = _import(client, team, name="Meters", file=_upload("not-a-spec.json"))
    _only_error(response)
    assert list(SpecVersion.objects.values_list("number", flat=True)) == [1]
    assert Operation.objects.count() == 2


def test_an_upload_over_the_size_limit_is_refused(admin, team, settings):
    settings.CONSOLE_SPEC_MAX_BYTES = 100
    response = _import(admin.client(), team, name="Meters", file=_upload("meters.json"))
    assert _only_error(response) == "The file is larger than the spec size limit."
    assert _nothing_stored()


def test_url_and_file_together_is_a_form_error(admin, team, sandbox):
    response = _import(
        admin.client(),
        team,
        name="Both",
        url=sandbox.url + "/openapi.json",
        file=_upload("meters.json"),
    )
    assert _only_error(response) == "Give either a URL or a file, not both."
    assert _nothing_stored()


def test_neither_url_nor_file_is_a_form_error(admin, team):
    response = _import(admin.client(), team, name="Neither")
    assert _only_error(response).startswith("Give a URL, a file")
    assert _nothing_stored()


def test_a_malformed_url_is_one_field_error(admin, team):
    response = _import(admin.client(), team, name="Typo", url="http://exa mple.com/x")
    form = response.context["form"]
    assert set(form.errors) == {"url"}
    assert _nothing_stored()


def test_a_name_is_required(admin, team):
    response = _import(admin.client(), team, name="", file=_upload("meters.json"))
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert _nothing_stored()
