"""What a hostile spec's operation page shows: its warnings, and bounded parts (issue 14).

Each operation of `limits_document` is one dimension bench/hostile_specs.py found bounded
only by the 25 MB document size, at a size just past its new limit: an example too big
to copy, an object too wide for a form, an enum too wide for a select, a oneOf wider than
the picker, a prefilled body too long for the editor. The page must say what was left
out (the operation's warnings, a notice) and stay small. Sizes and counts, never times.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse

from console.explorer import services
from console.specs.engine.fields import MAX_CHOICES, MAX_FORM_FIELDS
from console.specs.engine.operation import SHOWN_WARNINGS
from console.specs.engine.refs import DATA_MAX_VALUES
from console.specs.engine.schemas import COMBINATION_LIMIT
from console.specs.services import spec_import
from tests.explorer.support import find_operation, html, records, send

pytestmark = pytest.mark.django_db(transaction=True)

EXTERNAL = SHOWN_WARNINGS + 5  # distinct warnings of the many-warnings operation
WIDE_ENUM = MAX_CHOICES * 2
LONG_TEXT = services.BODY_EXAMPLE_MAX_CHARS // 2 + 1  # two of them: over the limit


def _post(operation_id: str, schema: dict[str, Any], **media: Any) -> dict[str, Any]:
    return {
        "post": {
            "operationId": operation_id,
            "requestBody": {"content": {"application/json": {"schema": schema, **media}}},
            "responses": {"200": {"description": "ok"}},
        }
    }


def limits_document() -> dict[str, Any]:
    """An OpenAPI 3.1 document with one operation per bounded dimension."""
    flat = {f"p{i}": {"type": "string"} for i in range(MAX_FORM_FIELDS + 1)}
    shapes = [
        {"title": f"Shape {i}", "type": "object", "properties": {"kind": {"const": f"k{i}"}}}
        for i in range(COMBINATION_LIMIT + 10)
    ]
    external = [
        {"name": f"q{i}", "in": "query", "schema": {"$ref": f"other.json#/Q{i}"}}
        for i in range(EXTERNAL)
    ]
    external.append({"name": "again", "in": "query", "schema": {"$ref": "other.json#/Q0"}})
    return {
        "openapi": "3.1.0",
        "info": {"title": "Limits", "version": "1"},
        "paths": {
            "/v1/big-example": _post(
                "bigExample",
                {"type": "array", "items": {"type": "object"}},
                example=[{} for _ in range(DATA_MAX_VALUES + 1)],
            ),
            "/v1/long-example": _post(
                "longExample",
                {"type": "array", "items": {"type": "string"}},
                example=["x" * LONG_TEXT, "y" * LONG_TEXT],
            ),
            "/v1/wide-form": _post("wideForm", {"type": "object", "properties": flat}),
            "/v1/shapes": _post("shapes", {"oneOf": shapes}),
            "/v1/wide-enum": {
                "get": {
                    "operationId": "wideEnum",
                    "parameters": [
                        {
                            "name": "pick",
                            "in": "query",
                            "required": True,
                            "schema": {
                                "type": "string",
                                "enum": [f"v{i}" for i in range(WIDE_ENUM)],
                            },
                        }
                    ],
                    "responses": {"200": {"description": "ok"}},
                }
            },
            "/v1/many-warnings": {
                "get": {
                    "operationId": "manyWarnings",
                    "parameters": external,
                    "responses": {"200": {"description": "ok"}},
                }
            },
            "/v1/plain": {
                "get": {"operationId": "plain", "responses": {"200": {"description": "ok"}}}
            },
        },
    }


@pytest.fixture
def limits(admin):
    """The imported document's operations, by operationId."""
    result = spec_import(
        scope=admin.scope,
        name="Limits",
        data=json.dumps(limits_document()).encode(),
        filename="limits.json",
    )
    return lambda operation_id: find_operation(result.version, operation_id)


def page(person, op, query: str = "") -> str:
    response = person.client().get(
        reverse("explorer:operation", args=[op.team.slug, op.pk]) + query
    )
    assert response.status_code == 200
    return html(response)


def warnings_shown(text: str) -> list[str]:
    """The items of the page's operation-warnings notice."""
    start = text.index("data-operation-warnings")
    block = text[start : text.index("</div>", start)]
    return [item.split("</li>")[0] for item in block.split("<li>")[1:]]


def test_an_example_too_big_to_copy_is_left_out_and_said(member, limits):
    text = page(member, limits("bigExample"))

    assert warnings_shown(text) == [
        f"An example of more than {DATA_MAX_VALUES:,} values was left out."
    ]
    assert text.count("{}") < 10  # the editor holds the example built from the schema
    assert len(text) < 100_000


def test_a_prefilled_body_too_long_for_the_editor_is_replaced_and_said(member, limits):
    text = page(member, limits("longExample"))

    assert warnings_shown(text) == [
        f"The example of this body is longer than {services.BODY_EXAMPLE_MAX_CHARS:,} "
        "characters: the editor does not start with it."
    ]
    assert "x" * 1000 not in text
    assert len(text) < 100_000


def test_an_object_too_wide_for_a_form_is_edited_as_json(member, limits):
    text = page(member, limits("wideForm"), "?body_view=form")

    assert warnings_shown(text) == [
        f"This body has {MAX_FORM_FIELDS + 1:,} properties, more than a form shows "
        f"({MAX_FORM_FIELDS}): it is edited as JSON."
    ]
    assert 'name="body:' not in text
    assert 'name="body_view" value="json"' in text
    assert "data-json-editor" in text


def test_an_enum_too_wide_for_a_select_is_typed(member, limits):
    text = page(member, limits("wideEnum"))

    assert text.count("<option") < 10  # not one per value
    assert f'placeholder="one of {WIDE_ENUM:,} values"' in text
    assert f"One of {WIDE_ENUM:,} allowed values" in text


def test_a_value_outside_a_wide_enum_is_not_sent(member, echo, echo_access, limits):
    op = limits("wideEnum")

    refused = html(send(member.client(), op, echo_access, {"query:pick": "nope"}))
    assert "Not sent" in refused
    assert f"must be one of the {WIDE_ENUM:,} allowed values" in refused
    assert echo.api() == []

    last = f"v{WIDE_ENUM - 1}"
    assert "Not sent" not in html(send(member.client(), op, echo_access, {"query:pick": last}))
    [seen] = echo.api()
    assert seen.raw_query == f"pick={last}"
    assert len(records()) == 1


def test_the_variant_picker_says_it_lists_only_the_first_shapes(member, limits):
    text = page(member, limits("shapes"))

    picker = text[text.index('<select id="variant-select"') :]
    assert picker[: picker.index("</select>")].count("<option") == COMBINATION_LIMIT
    assert f"The first {COMBINATION_LIMIT} of {COMBINATION_LIMIT + 10} shapes are listed." in text


def test_warnings_are_shown_once_each_and_at_most_ten(member, limits):
    shown = warnings_shown(page(member, limits("manyWarnings")))

    assert shown[:SHOWN_WARNINGS] == [
        f"The external reference other.json#/Q{i} was not followed." for i in range(SHOWN_WARNINGS)
    ]
    assert shown[SHOWN_WARNINGS:] == [f"and {EXTERNAL - SHOWN_WARNINGS} more"]


def test_an_operation_without_warnings_shows_no_notice(member, limits):
    assert "data-operation-warnings" not in page(member, limits("plain"))


def test_viewers_see_the_warnings_too(viewer, limits):
    assert warnings_shown(page(viewer, limits("bigExample")))


def test_outsiders_do_not_see_the_page(outsider, limits):
    op = limits("bigExample")
    response = outsider.client().get(reverse("explorer:operation", args=[op.team.slug, op.pk]))
    assert response.status_code == 404
    assert "data-operation-warnings" not in html(response)


# --- the parsed-document cache -------------------------------------------------------------


def _import(admin, name: str, document: dict[str, Any]) -> int:
    result = spec_import(
        scope=admin.scope, name=name, data=json.dumps(document).encode(), filename="d.json"
    )
    return result.version.pk


def test_the_document_cache_is_bounded_by_weight_and_keeps_the_last(admin):
    small = limits_document()
    first, second = _import(admin, "One", small), _import(admin, "Two", small)
    cache = services._DocumentCache(max_bytes=1)  # smaller than any document

    assert cache(first)["info"]["title"] == "Limits"
    assert len(cache) == 1
    assert cache(second)["info"]["title"] == "Limits"
    assert len(cache) == 1  # the first was let go; the one just read is always kept

    roomy = services._DocumentCache(max_bytes=10 * 1024 * 1024 * 1024)
    roomy(first), roomy(second)
    assert len(roomy) == 2
    assert roomy(first) is roomy(first)  # read once, then kept


def test_a_documents_weight_counts_its_values_not_only_its_text():
    dense = json.dumps([{} for _ in range(1_000)])  # 4 KB of text, 1,001 values
    plain = json.dumps(["x" * 4_000])
    assert services._weight(dense) > 10 * services._weight(plain)
    assert services._weight(dense) >= 1_000 * services._BYTES_PER_VALUE
