"""Importing a pasted document, and what the import says about skipped operations.

Pasted text is the third source of the import page, beside a URL and a file: exactly one
of them, the same size limit, the same one clear message for something that is not a
spec, and nothing stored when an import fails, even half-way through storing it.
"""

from __future__ import annotations

import html
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection
from django.urls import reverse

from console.specs.models import Operation, Spec, SpecVersion
from console.specs.services import SpecImportError, spec_import


def _document(*paths: str, broken: tuple[str, ...] = ()) -> dict[str, Any]:
    """A small OpenAPI 3.0 document: one GET per path, and one unusable GET per `broken`
    path (a parameter 'in: body', which OpenAPI 3 does not have)."""
    doc: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {"title": "Pasted API", "version": "7"},
        "paths": {},
    }
    for path in paths:
        doc["paths"][path] = {
            "get": {
                "operationId": "get" + path.strip("/").title().replace("/", ""),
                "responses": {"200": {"description": "ok"}},
            }
        }
    for path in broken:
        doc["paths"][path] = {
            "get": {
                "parameters": [{"name": "x", "in": "body", "schema": {"type": "string"}}],
                "responses": {"200": {"description": "ok"}},
            }
        }
    return doc


YAML_DOCUMENT = """\
# Pasted from an editor, comment first.
openapi: 3.1.0
info:
  title: Meters (YAML)
  version: "2"
paths:
  /meters:
    get:
      operationId: listMeters
      summary: List meters
      responses:
        '200':
          description: ok
  /meters/{id}:
    get:
      operationId: getMeter
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        '200': {description: ok}
"""


def _post(client: Any, team: Any, **data: Any) -> Any:
    return client.post(reverse("specs:import", args=[team.slug]), data, follow=True)


def _page(response: Any) -> str:
    return html.unescape(response.content.decode())


def _form_error(response: Any) -> str:
    assert response.status_code == 200
    assert response.redirect_chain == []
    errors = response.context["form"].non_field_errors()
    assert len(errors) == 1, response.context["form"].errors
    assert errors[0] in _page(response)
    return errors[0]


def _nothing_stored() -> bool:
    return not (Spec.objects.exists() or SpecVersion.objects.exists() or Operation.objects.exists())


# ---------------------------------------------------------------- pasting works


def test_the_import_page_offers_a_paste_box_with_its_limit(admin, team):
    page = _page(admin.client().get(reverse("specs:import", args=[team.slug])))
    assert '<textarea name="paste"' in page
    assert "Or paste the document" in page
    assert "JSON or YAML text, up to 2.5 MB; use a URL or a file for larger documents." in page


def test_pasted_json_is_imported(admin, team):
    text = json.dumps(_document("/meters", "/streams"), indent=2)
    response = _post(admin.client(), team, name="Pasted", paste=text)
    assert response.redirect_chain  # to the spec page
    assert "Imported Pasted v1: 2 operations." in _page(response)
    version = SpecVersion.objects.get()
    assert (version.title, version.api_version, version.source) == (
        "Pasted API",
        "7",
        "pasted text",
    )
    assert list(Operation.objects.values_list("path", flat=True)) == ["/meters", "/streams"]


def test_pasted_yaml_is_imported_with_its_indentation_kept(admin, team):
    # Leading blank lines and a trailing newline are what a paste often brings along.
    response = _post(admin.client(), team, name="Meters", paste="\n\n" + YAML_DOCUMENT + "\n")
    assert "Imported Meters v1: 2 operations." in _page(response)
    assert set(Operation.objects.values_list("operation_id", flat=True)) == {
        "listMeters",
        "getMeter",
    }


def test_pasting_again_under_the_same_name_adds_a_version(admin, team):
    client = admin.client()
    _post(client, team, name="Pasted", paste=json.dumps(_document("/a")))
    response = _post(client, team, name="Pasted", paste=json.dumps(_document("/a", "/b")))
    assert "Imported Pasted v2: 2 operations." in _page(response)
    assert list(SpecVersion.objects.values_list("number", flat=True)) == [2, 1]


# ---------------------------------------------------------------- exactly one source


@pytest.mark.parametrize(
    ("sources", "message"),
    [
        (("url", "paste"), "Give either a URL or pasted text, not both."),
        (("file", "paste"), "Give either a file or pasted text, not both."),
        (("url", "file", "paste"), "Give only one of a URL, a file or pasted text."),
        ((), "Give a URL, a file or pasted text to import."),
    ],
)
def test_exactly_one_source(admin, team, sources, message):
    text = json.dumps(_document("/a"))
    data: dict[str, Any] = {"name": "Two sources"}
    if "url" in sources:
        data["url"] = "https://specs.example.com/openapi.json"
    if "file" in sources:
        data["file"] = SimpleUploadedFile("openapi.json", text.encode())
    if "paste" in sources:
        data["paste"] = text
    assert _form_error(_post(admin.client(), team, **data)) == message
    assert _nothing_stored()


def test_blank_pasted_text_counts_as_nothing(admin, team):
    response = _post(admin.client(), team, name="Blank", paste="   \n\t\n")
    assert _form_error(response) == "Give a URL, a file or pasted text to import."


def test_pasted_text_over_the_size_limit_is_refused(admin, team, settings):
    settings.CONSOLE_SPEC_MAX_BYTES = 100
    text = json.dumps(_document("/meters", "/streams"))
    assert len(text) > 100
    response = _post(admin.client(), team, name="Too big", paste=text)
    assert _form_error(response) == "The pasted text is larger than the spec size limit."
    assert _nothing_stored()


def test_the_size_limit_counts_bytes_not_characters(admin, team, settings):
    text = json.dumps(_document("/a") | {"x-note": "€" * 60}, ensure_ascii=False)
    settings.CONSOLE_SPEC_MAX_BYTES = len(text) + 10  # enough characters, too few bytes
    response = _post(admin.client(), team, name="Euro", paste=text)
    assert _form_error(response) == "The pasted text is larger than the spec size limit."


def test_viewers_and_members_cannot_import(member, viewer, team):
    for person in (member, viewer):
        response = person.client().post(
            reverse("specs:import", args=[team.slug]),
            {"name": "Nope", "paste": json.dumps(_document("/a"))},
        )
        assert response.status_code == 403
    assert _nothing_stored()


def test_an_outsider_gets_404(outsider, team):
    response = outsider.client().post(
        reverse("specs:import", args=[team.slug]),
        {"name": "Nope", "paste": json.dumps(_document("/a"))},
    )
    assert response.status_code == 404
    assert _nothing_stored()


# ---------------------------------------------------------------- not a spec: one message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "<!doctype html><html><body>Sign in</body></html>",
            "The document must be a mapping (a JSON object) at the top level, but it is a string.",
        ),
        (
            '{"name": "Quarterly report", "rows": []}',
            "This is not an OpenAPI document: it has no 'openapi' or 'swagger' field.",
        ),
        ("[1, 2, 3]", "The document must be a mapping (a JSON object) at the top level"),
        ('{"openapi": "3.0.3", "paths": {', "The document is not valid JSON: "),
        ("openapi: 3.0.3\npaths: [unclosed\n", "The document is not valid YAML: "),
        (
            json.dumps({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}}),
            "The document has no usable operations.",
        ),
    ],
)
def test_pasted_text_that_is_not_a_spec_gets_one_message_and_stores_nothing(
    admin, team, text, message
):
    error = _form_error(_post(admin.client(), team, name="Not a spec", paste=text))
    assert error.startswith(message)
    assert "\n" not in error
    assert "file" not in error  # pasted text is no file
    assert _nothing_stored()


def test_a_failed_paste_keeps_the_earlier_version(admin, team):
    client = admin.client()
    _post(client, team, name="Pasted", paste=json.dumps(_document("/a")))
    _form_error(_post(client, team, name="Pasted", paste="just some words"))
    assert list(SpecVersion.objects.values_list("number", flat=True)) == [1]
    assert Operation.objects.count() == 1


# ---------------------------------------------------------------- what the summary says


def test_the_summary_names_the_skipped_operations_with_where_and_why(admin, team):
    doc = _document("/good", broken=("/b1", "/b2", "/b3", "/b4", "/b5"))
    response = _post(admin.client(), team, name="Partly", paste=json.dumps(doc))
    page = _page(response)
    reason = "'in' must be one of query, header, path, cookie"
    assert (
        "Imported Partly v1: 1 operations, 5 problems reported. Skipped 5 operations: "
        f"GET /b1 (paths./b1.get.parameters[0]: {reason}); "
        f"GET /b2 (paths./b2.get.parameters[0]: {reason}); "
        f"GET /b3 (paths./b3.get.parameters[0]: {reason}); and 2 more."
    ) in page
    # All of them are on the spec page the import leads to.
    assert "paths./b5.get.parameters[0]" in page
    version = SpecVersion.objects.get()
    assert {p["severity"] for p in version.problems} == {"error"}


def test_one_skipped_operation_is_named_in_the_singular(admin):
    result = spec_import(
        scope=admin.scope,
        name="One bad",
        data=json.dumps(_document("/good", broken=("/bad",))).encode(),
        source="pasted text",
    )
    assert result.summary() == (
        "Imported One bad v1: 1 operations, 1 problems reported. Skipped 1 operation: "
        "GET /bad (paths./bad.get.parameters[0]: "
        "'in' must be one of query, header, path, cookie)."
    )


def test_an_operation_skipped_for_its_path_level_parameters_gives_that_reason(admin):
    doc = _document("/good")
    doc["paths"]["/items"] = {
        "parameters": [{"name": "q", "in": "nowhere", "schema": {"type": "string"}}],
        "get": {"responses": {"200": {"description": "ok"}}},
        "post": {"responses": {"200": {"description": "ok"}}},
    }
    result = spec_import(scope=admin.scope, name="Paths", data=json.dumps(doc).encode())
    assert [str(op) for op in result.skipped_operations] == [
        "GET /items (paths./items.parameters[0]: 'in' must be one of query, header, path, cookie)",
        "POST /items (paths./items.parameters[0]: 'in' must be one of query, header, path, cookie)",
    ]


def test_warnings_alone_skip_nothing(admin, team):
    doc = _document("/good")
    doc["paths"]["/good"]["get"]["parameters"] = [{"name": "q", "in": "query"}]  # no schema
    response = _post(admin.client(), team, name="Warned", paste=json.dumps(doc))
    page = _page(response)
    assert "Imported Warned v1: 1 operations, 1 problems reported." in page
    assert "Skipped" not in page
    assert SpecVersion.objects.get().problems == [
        {
            "pointer": "paths./good.get.parameters[0]",
            "message": "parameter 'q' has neither 'schema' nor 'content'",
            "severity": "warning",
        }
    ]


# ---------------------------------------------------------------- nothing half-imported


@pytest.fixture
def refuse_boom_operations(db):
    """A real database trigger that fails the insert of any operation on path /boom, so
    an import fails half-way through storing its operations."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION refuse_boom() RETURNS trigger AS $$ BEGIN "
                "IF NEW.path = '/boom' THEN RAISE EXCEPTION 'refused by the test'; END IF; "
                "RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER refuse_boom BEFORE INSERT ON specs_operation "
                "FOR EACH ROW EXECUTE FUNCTION refuse_boom()"
            )
        elif connection.vendor == "sqlite":
            cursor.execute(
                "CREATE TRIGGER refuse_boom BEFORE INSERT ON specs_operation "
                "WHEN NEW.path = '/boom' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
            )
        else:
            pytest.skip(f"no trigger written for {connection.vendor}")
    # The test's transaction is rolled back afterwards, and the trigger with it.


def test_a_failure_while_storing_operations_leaves_nothing_behind(admin, refuse_boom_operations):
    # Many operations before the failing one, so the insert fails part-way through.
    paths = [f"/p{i}" for i in range(700)] + ["/boom"]
    with pytest.raises((SpecImportError, DatabaseError)):
        spec_import(
            scope=admin.scope,
            name="Half",
            data=json.dumps(_document(*paths)).encode(),
            source="pasted text",
        )
    assert _nothing_stored()


def test_a_failure_while_storing_a_new_version_keeps_the_earlier_one(admin, refuse_boom_operations):
    first = spec_import(scope=admin.scope, name="Half", data=json.dumps(_document("/a")).encode())
    with pytest.raises((SpecImportError, DatabaseError)):
        spec_import(
            scope=admin.scope, name="Half", data=json.dumps(_document("/a", "/boom")).encode()
        )
    assert list(SpecVersion.objects.values_list("pk", flat=True)) == [first.version.pk]
    assert list(Operation.objects.values_list("path", flat=True)) == ["/a"]
