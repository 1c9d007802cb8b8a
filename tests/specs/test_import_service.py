"""console.specs.services.spec_import: by URL (the sandbox's own document) and from bytes.

Everything or nothing: a failed import leaves no Spec, SpecVersion or Operation row,
and a failed re-import leaves the earlier versions as they were.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from console.sandbox.api import OPERATIONS
from console.sandbox.openapi import TITLE
from console.specs.models import Operation, Spec, SpecVersion
from console.specs.services import SpecImportError, spec_delete, spec_import

FIXTURES = Path(__file__).parent / "import_fixtures"


def _fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _counts() -> tuple[int, int, int]:
    return Spec.objects.count(), SpecVersion.objects.count(), Operation.objects.count()


def _closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- what gets stored


def test_import_by_url_from_the_sandbox(admin, team, sandbox):
    url = sandbox.url + "/openapi.json"
    result = spec_import(scope=admin.scope, name="Sandbox API", url=url)

    spec, version = result.spec, result.version
    assert (spec.team, spec.name, spec.source_url) == (team, "Sandbox API", url)
    assert version.number == 1
    assert version.title == TITLE
    assert version.openapi_version.startswith("3.")
    assert version.source == url
    assert version.imported_by == admin.user
    assert result.skipped == [] == version.problems
    assert version.operation_count == len(OPERATIONS)
    stored = Operation.objects.filter(version=version, team=team)
    assert {(op.method, op.operation_id) for op in stored} == {
        (op.method, op.operation_id) for op in OPERATIONS
    }
    listing = stored.get(operation_id="listMeterTypes")
    assert listing.path == "/metering/v1/meter-types"
    assert "listmetertypes" in listing.search_text
    assert listing.scopes  # the security requirement is indexed


@pytest.mark.parametrize(
    ("filename", "title", "operation_ids"),
    [
        pytest.param(
            "meters.json",
            "Meters (JSON fixture)",
            ["listMeterTypes", "createMeterType"],
            id="json",
        ),
        pytest.param(
            "meters.yaml",
            "Meters (YAML fixture)",
            ["getMeterType", "deleteMeterType", "listStreams"],
            id="yaml",
        ),
    ],
)
def test_import_from_a_file(admin, team, filename, title, operation_ids):
    result = spec_import(
        scope=admin.scope, name="Meters", data=_fixture(filename), filename=filename
    )
    assert result.spec.source_url == ""
    assert result.version.source == filename
    assert result.version.title == title
    assert result.version.operation_count == len(operation_ids)
    assert (
        list(
            Operation.objects.filter(version=result.version)
            .order_by("position")
            .values_list("operation_id", flat=True)
        )
        == operation_ids
    )


def test_a_yaml_file_without_a_yaml_name_is_read_too(admin):
    result = spec_import(scope=admin.scope, name="Meters", data=_fixture("meters.yaml"))
    assert result.version.operation_count == 3


def test_reimport_under_the_same_name_adds_version_2(admin, team, sandbox):
    first = spec_import(scope=admin.scope, name="Meters", data=_fixture("meters.json"))
    second = spec_import(scope=admin.scope, name="Meters", url=sandbox.url + "/openapi.json")

    assert second.spec.pk == first.spec.pk
    assert second.version.number == 2
    assert first.spec.latest_version() == second.version
    assert Spec.objects.count() == 1
    assert list(first.spec.versions.values_list("number", flat=True)) == [2, 1]
    # The earlier version keeps its own operations.
    assert Operation.objects.filter(version=first.version).count() == 2
    assert Operation.objects.filter(version=second.version).count() == len(OPERATIONS)


def test_the_same_name_in_another_team_is_a_separate_spec(admin, outsider):
    mine = spec_import(scope=admin.scope, name="Meters", data=_fixture("meters.json"))
    theirs = spec_import(scope=outsider.scope, name="Meters", data=_fixture("meters.json"))
    assert mine.spec.pk != theirs.spec.pk
    assert theirs.version.number == 1


def test_some_invalid_operations_import_the_valid_ones_and_report_the_rest(admin):
    result = spec_import(
        scope=admin.scope,
        name="Partly broken",
        data=_fixture("partly-broken.yaml"),
        filename="partly-broken.yaml",
    )
    assert result.version.operation_count == 2
    assert set(
        Operation.objects.filter(version=result.version).values_list("operation_id", flat=True)
    ) == {"goodOne", "goodTwo"}
    assert result.skipped == result.version.problems
    pointers = {p["pointer"] for p in result.version.problems}
    assert pointers == {
        "paths./items/{itemId}.get",
        "paths./wrong-place.get.parameters[0]",
    }
    assert all(p["message"] for p in result.version.problems)


# ---------------------------------------------------------------- what gets refused


NOT_SPECS = [
    pytest.param(
        _fixture("not-a-spec.json"),
        "not-a-spec.json",
        "This is not an OpenAPI document: it has no 'openapi' or 'swagger' field.",
        id="json-not-openapi",
    ),
    pytest.param(
        b"- just\n- a\n- list\n",
        "list.yaml",
        "The document must be a mapping (a JSON object) at the top level, but it is a list.",
        id="yaml-list",
    ),
    pytest.param(
        b"<!doctype html><html><body>Sign in</body></html>",
        "index.html",
        "The document must be a mapping (a JSON object) at the top level, but it is a string.",
        id="html-page",
    ),
    pytest.param(b"{not json", "broken.json", "The file is not valid JSON", id="broken-json"),
    pytest.param(b"", "empty.json", "The file is empty.", id="empty"),
    pytest.param(b"\xff\xfe{\x00}\x00", "utf16.json", "not UTF-8", id="utf-16"),
    pytest.param(
        json.dumps({"openapi": "2.5.0", "info": {}, "paths": {}}).encode(),
        "odd.json",
        "OpenAPI version 2.5.0 is not supported",
        id="unsupported-version",
    ),
    pytest.param(
        _fixture("all-broken.yaml"),
        "all-broken.yaml",
        "The document has no usable operations (",
        id="no-usable-operation",
    ),
]


@pytest.mark.parametrize(("data", "filename", "message"), NOT_SPECS)
def test_a_document_that_is_not_a_usable_spec_leaves_nothing_behind(admin, data, filename, message):
    with pytest.raises(SpecImportError) as caught:
        spec_import(scope=admin.scope, name="Not a spec", data=data, filename=filename)
    text = str(caught.value)
    assert message in text
    assert "\n" not in text.strip()
    assert "Traceback" not in text
    assert _counts() == (0, 0, 0)


def test_a_failed_reimport_leaves_the_earlier_version_alone(admin):
    first = spec_import(scope=admin.scope, name="Meters", data=_fixture("meters.json"))
    before = _counts()
    with pytest.raises(SpecImportError):
        spec_import(
            scope=admin.scope,
            name="Meters",
            data=_fixture("not-a-spec.json"),
            filename="not-a-spec.json",
        )
    assert _counts() == before
    assert first.spec.latest_version() == first.version


def test_a_url_that_answers_404_gives_a_clear_message(admin, sandbox):
    url = sandbox.url + "/no-such-document.json"
    with pytest.raises(SpecImportError) as caught:
        spec_import(scope=admin.scope, name="Missing", url=url)
    assert str(caught.value) == f"Fetching {url} answered 404 Not Found."
    assert _counts() == (0, 0, 0)


def test_a_url_that_refuses_the_connection_gives_a_clear_message(admin):
    url = f"http://127.0.0.1:{_closed_port()}/openapi.json"
    with pytest.raises(SpecImportError) as caught:
        spec_import(scope=admin.scope, name="Nobody home", url=url)
    text = str(caught.value)
    assert text.startswith(f"Could not fetch {url}: ")
    assert "connection refused" in text
    assert "Errno" not in text
    assert _counts() == (0, 0, 0)


def test_a_private_url_is_refused_when_private_hosts_are_not_allowed(admin, sandbox, settings):
    settings.CONSOLE_ALLOW_PRIVATE_HOSTS = False
    url = sandbox.url + "/openapi.json"
    with pytest.raises(SpecImportError) as caught:
        spec_import(scope=admin.scope, name="Sandbox", url=url)
    assert str(caught.value).startswith(f"Could not fetch {url}: ")
    assert "private or local networks are not allowed" in str(caught.value)
    assert _counts() == (0, 0, 0)


def test_a_document_over_the_size_limit_is_refused(admin, sandbox, settings):
    settings.CONSOLE_SPEC_MAX_BYTES = 1024
    with pytest.raises(SpecImportError, match="larger than"):
        spec_import(scope=admin.scope, name="Big", url=sandbox.url + "/openapi.json")
    with pytest.raises(SpecImportError, match="too big"):
        spec_import(scope=admin.scope, name="Big", data=b"{" + b" " * 2048 + b"}")
    assert _counts() == (0, 0, 0)


@pytest.mark.parametrize(
    ("name", "url", "message"),
    [
        pytest.param("  ", "https://example.com/openapi.json", "Give the spec a name.", id="name"),
        pytest.param("Meters", "", "Give a URL or a file to import.", id="source"),
    ],
)
def test_a_name_and_a_source_are_needed(admin, name, url, message):
    with pytest.raises(SpecImportError, match=message):
        spec_import(scope=admin.scope, name=name, url=url)


@pytest.mark.parametrize("role", ["viewer", "member"])
def test_only_admins_import_and_delete(request, admin, role):
    person = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        spec_import(scope=person.scope, name="Meters", data=_fixture("meters.json"))
    spec = spec_import(scope=admin.scope, name="Meters", data=_fixture("meters.json")).spec
    with pytest.raises(PermissionDenied):
        spec_delete(scope=person.scope, spec=spec)


def test_delete_removes_every_version_and_operation(admin):
    spec = spec_import(scope=admin.scope, name="Meters", data=_fixture("meters.json")).spec
    spec_import(scope=admin.scope, name="Meters", data=_fixture("meters.yaml"))
    spec_delete(scope=admin.scope, spec=spec)
    assert _counts() == (0, 0, 0)
