"""`manage.py import_spec`: the import service from the command line.

It imports as a member of the team (`--user`, default the team's first owner), prints
how many operations were imported and what was skipped or noted, and exits non-zero
with one clear message when nothing could be imported.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError
from django.db import connections

from console.sandbox.api import OPERATIONS
from console.specs.models import Operation, Spec, SpecVersion
from console.teams.models import Membership, Role, Team


def _document(*paths: str, broken: tuple[str, ...] = ()) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {"title": "Command API", "version": "3"},
        "paths": {},
    }
    for path in paths:
        doc["paths"][path] = {"get": {"responses": {"200": {"description": "ok"}}}}
    for path in broken:
        doc["paths"][path] = {
            "get": {
                "parameters": [{"name": "x", "in": "body"}],
                "responses": {"200": {"description": "ok"}},
            }
        }
    return doc


def _file(tmp_path: Path, doc: Any, name: str = "openapi.json") -> str:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return str(path)


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("import_spec", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _nothing_stored() -> bool:
    return not (Spec.objects.exists() or SpecVersion.objects.exists() or Operation.objects.exists())


# ---------------------------------------------------------------- imports that work


def test_a_file_is_imported_as_the_first_owner(owner, admin, team, tmp_path):
    path = _file(tmp_path, _document("/meters", "/streams"))
    output = _run("--team", "metering", "--name", "Usage", "--file", path)
    assert "Imported Usage v1 into Metering as olivia: 2 operations in " in output
    assert "Document: Command API 3 (OpenAPI 3.0.3)." in output
    assert "No problems found." in output
    version = SpecVersion.objects.get()
    assert (version.spec.team, version.imported_by, version.source) == (
        team,
        owner.user,
        "openapi.json",
    )
    assert Operation.objects.filter(version=version).count() == 2


def test_the_first_owner_is_the_one_who_joined_first(owner, team, tmp_path):
    from django.contrib.auth import get_user_model

    later = get_user_model().objects.create_user("zoe")
    Membership.objects.create(team=team, user=later, role=Role.OWNER)
    output = _run(
        "--team", "metering", "--name", "Usage", "--file", _file(tmp_path, _document("/a"))
    )
    assert " as olivia: " in output


def test_another_admin_can_be_named(owner, admin, tmp_path):
    output = _run(
        "--team", "metering", "--name", "Usage", "--user", "adam",
        "--file", _file(tmp_path, _document("/a")),
    )  # fmt: skip
    assert " as adam: 1 operations" in output
    assert SpecVersion.objects.get().imported_by == admin.user


def test_a_url_is_fetched_through_the_outbound_client(owner, sandbox):
    url = sandbox.url + "/openapi.json"
    output = _run("--team", "metering", "--name", "Sandbox", "--url", url)
    assert f"as olivia: {len(OPERATIONS)} operations" in output
    spec = Spec.objects.get()
    assert spec.source_url == url


def test_a_yaml_file_and_a_second_version(owner, tmp_path):
    yaml_text = "openapi: 3.1.0\ninfo: {title: Y, version: '1'}\npaths:\n  /y:\n    get:\n" + (
        "      responses: {'200': {description: ok}}\n"
    )
    _run("--team", "metering", "--name", "Y", "--file", _file(tmp_path, yaml_text, "y.yaml"))
    output = _run("--team", "metering", "--name", "Y", "--file", _file(tmp_path, _document("/y")))
    assert "Imported Y v2 into Metering" in output
    assert list(SpecVersion.objects.values_list("number", flat=True)) == [2, 1]


def test_standard_input(owner, monkeypatch):
    data = json.dumps(_document("/from-stdin")).encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    output = _run("--team", "metering", "--name", "Piped", "--file", "-")
    assert "Imported Piped v1 into Metering as olivia: 1 operations" in output


def test_skipped_operations_and_warnings_are_printed_with_their_pointers(owner, tmp_path):
    doc = _document("/good", broken=tuple(f"/bad{i}" for i in range(12)))
    doc["paths"]["/good"]["get"]["parameters"] = [{"name": "q", "in": "query"}]
    output = _run("--team", "metering", "--name", "Partly", "--file", _file(tmp_path, doc))
    reason = "'in' must be one of query, header, path, cookie"
    assert "Imported Partly v1 into Metering as olivia: 1 operations" in output
    assert "Skipped 12 operation(s):" in output
    assert f"  GET /bad0: paths./bad0.get.parameters[0]: {reason}" in output
    assert "GET /bad9:" in output
    assert "GET /bad10:" not in output
    assert "  … and 2 more (--verbosity 2 lists them all)." in output
    assert "1 warning(s) (the operations were imported):" in output
    assert "  paths./good.get.parameters[0]: parameter 'q' has neither 'schema' nor 'content'" in (
        output
    )
    Spec.objects.all().delete()
    verbose = _run(
        "--team", "metering", "--name", "Partly", "--file", _file(tmp_path, doc),
        "--verbosity", "2",
    )  # fmt: skip
    assert "GET /bad11:" in verbose
    assert "more (--verbosity 2" not in verbose


# ---------------------------------------------------------------- failures


def test_a_document_that_is_not_a_spec_fails_and_stores_nothing(owner, tmp_path):
    path = _file(tmp_path, {"name": "Quarterly report", "rows": []}, "report.json")
    with pytest.raises(CommandError) as caught:
        _run("--team", "metering", "--name", "Report", "--file", path)
    assert str(caught.value) == (
        "Nothing was imported: This is not an OpenAPI document: "
        "it has no 'openapi' or 'swagger' field."
    )
    assert _nothing_stored()


@pytest.fixture
def keep_connection(monkeypatch):
    """`manage.py` closes every database connection when a command ends, which would end
    the test's own transaction; keep it open so the test can look at the database after."""
    monkeypatch.setattr(connections, "close_all", lambda: None)


def test_failure_exits_non_zero_with_the_message_on_stderr(
    owner, tmp_path, capsys, keep_connection
):
    path = _file(tmp_path, "{not json", "broken.json")
    argv = ["manage.py", "import_spec", "--team", "metering", "--name", "B", "--file", path]
    with pytest.raises(SystemExit) as caught:
        execute_from_command_line(argv)
    assert caught.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("CommandError: Nothing was imported: The file is not valid JSON: ")
    assert "Traceback" not in err
    assert _nothing_stored()


def test_success_exits_zero(owner, tmp_path, capsys, keep_connection):
    path = _file(tmp_path, _document("/a"))
    argv = ["manage.py", "import_spec", "--team", "metering", "--name", "A", "--file", path]
    execute_from_command_line(argv)  # returns: no SystemExit
    assert "1 operations" in capsys.readouterr().out
    assert SpecVersion.objects.count() == 1


def test_a_url_that_answers_404(owner, sandbox):
    url = sandbox.url + "/nothing-here.json"
    with pytest.raises(CommandError, match=r"^Nothing was imported: Fetching .* answered 404"):
        _run("--team", "metering", "--name", "Missing", "--url", url)
    assert _nothing_stored()


def test_a_file_over_the_size_limit_is_not_read(owner, tmp_path, settings):
    settings.CONSOLE_SPEC_MAX_BYTES = 1024 * 1024
    path = tmp_path / "big.json"
    path.write_bytes(b" " * (1024 * 1024 + 1))
    with pytest.raises(CommandError, match=r"larger than the spec size limit \(1 MB"):
        _run("--team", "metering", "--name", "Big", "--file", str(path))
    assert _nothing_stored()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--team", "nope"), "There is no team with the slug 'nope'."),
        (("--team", "metering", "--user", "nobody"), "'nobody' is not a member of Metering."),
        (("--team", "metering", "--user", "oscar"), "'oscar' is not a member of Metering."),
        (
            ("--team", "metering", "--user", "mia"),
            "mia is a member of Metering; importing a spec needs an admin or owner.",
        ),
        (
            ("--team", "metering", "--user", "victor"),
            "victor is a viewer of Metering; importing a spec needs an admin or owner.",
        ),
    ],
)
def test_who_may_import(owner, member, viewer, outsider, tmp_path, args, message):
    path = _file(tmp_path, _document("/a"))
    with pytest.raises(CommandError) as caught:
        _run(*args, "--name", "X", "--file", path)
    assert str(caught.value) == message
    assert _nothing_stored()


def test_a_team_without_an_owner_needs_a_user(admin, team, tmp_path):
    Membership.objects.filter(team=team, role=Role.OWNER).delete()
    with pytest.raises(CommandError, match=r"^Metering has no owner; name a member with --user\."):
        _run("--team", "metering", "--name", "X", "--file", _file(tmp_path, _document("/a")))
    assert "as adam" in _run(
        "--team", "metering", "--name", "X", "--user", "adam",
        "--file", _file(tmp_path, _document("/a")),
    )  # fmt: skip


def test_a_missing_file(owner, tmp_path):
    with pytest.raises(CommandError, match=r"^There is no file .*nothing\.json\.$"):
        _run("--team", "metering", "--name", "X", "--file", str(tmp_path / "nothing.json"))


@pytest.mark.parametrize(
    "args",
    [
        ("--team", "metering", "--name", "X"),
        ("--team", "metering", "--name", "X", "--url", "https://a.example", "--file", "x"),
        ("--name", "X", "--file", "x"),
    ],
)
def test_the_arguments_are_checked(owner, args):
    with pytest.raises(CommandError):
        _run(*args)


def test_the_import_is_the_same_as_the_pages(owner, team, tmp_path):
    """Same service: the spec is visible to the team like one imported on the page."""
    _run("--team", "metering", "--name", "Usage", "--file", _file(tmp_path, _document("/a")))
    assert Spec.objects.for_team(team).get().name == "Usage"
    assert not Spec.objects.for_team(Team.objects.create(name="Other", slug="other")).exists()
