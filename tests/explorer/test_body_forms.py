"""Request bodies as forms: a flat JSON object edited field by field, oneOf variants,
``application/x-www-form-urlencoded`` and ``multipart/form-data`` bodies, each checked
on the wire at a local echo server (exact Content-Type and encoding) and in the history.
"""

from __future__ import annotations

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from console.specs.engine.fields import fields_for_object_schema, is_flat_object
from tests.explorer.support import assert_no_leak, html, records, send

pytestmark = pytest.mark.django_db


def page_url(op, query: str = "") -> str:
    return reverse("explorer:operation", args=[op.team.slug, op.pk]) + query


def names(page: str) -> set[str]:
    """The names of the form controls on a page."""
    return set(re.findall(r'<(?:input|select|textarea)[^>]*\sname="([^"]+)"', page))


# ---------------------------------------------------------------- JSON: editor and form view


def test_json_body_defaults_to_the_prefilled_editor_with_a_form_tab(member, echo_op):
    op = echo_op("createWidget")
    page = html(member.client().get(page_url(op)))

    assert 'name="body"' in page
    assert "Sprocket" in page  # the spec's example fills the editor
    assert "body:name" not in names(page)
    assert 'href="?body_type=application%2Fjson&amp;body_view=form"' in page  # the Form tab
    assert_no_leak(page)


def test_flat_object_form_view_has_one_field_per_property(member, echo_op):
    op = echo_op("createWidget")
    page = html(member.client().get(page_url(op, "?body_view=form")))

    fields = names(page)
    assert {
        "body:name",
        "body:size",
        "body:color",
        "body:active",
        "body:price",
        "body:tags",
    } <= fields
    assert "body:id" not in fields  # readOnly: not part of a request
    assert 'name="body"' not in page  # no JSON editor in the form view
    assert '<input type="hidden" name="body_view" value="form">' in page
    assert 'value="Sprocket"' in page  # prefilled from the spec's example
    assert re.search(r'<option value="green" selected>', page)
    assert re.search(r'name="body:size"[^>]*\bmin="1"[^>]*\bmax="10"', page)


@pytest.mark.parametrize("htmx", [False, True], ids=["form-post", "htmx"])
def test_flat_object_form_is_sent_as_a_json_object(member, echo, echo_access, echo_op, htmx):
    op = echo_op("createWidget")
    response = send(
        member.client(),
        op,
        echo_access,
        {
            "body_view": "form",
            "body:name": "Gear",
            "body:size": "4",
            "body:color": "blue",
            "body:active": "true",
            "body:price": "",  # empty optional: left out
            "body:tags": "x, y",
        },
        htmx=htmx,
    )

    assert response.status_code == 200
    page = html(response)
    assert "Not sent" not in page
    (seen,) = echo.api()
    assert seen.method == "POST"
    assert seen.content_type == "application/json"
    assert seen.json() == {
        "name": "Gear",
        "size": 4,
        "color": "blue",
        "active": True,
        "tags": ["x", "y"],
    }
    (record,) = records()
    assert json.loads(record.request_body) == seen.json()
    assert ["Content-Type", "application/json"] in record.request_headers


def test_nested_object_offers_no_form_view(member, sandbox_op):
    page = html(member.client().get(page_url(sandbox_op("createMeterType"), "?body_view=form")))
    assert 'name="body"' in page  # MeterTypeInput nests objects: the editor stays
    assert "body_view=form" not in page


# ---------------------------------------------------------------- oneOf variants


def test_one_of_offers_its_variants_and_loads_an_example_of_each(member, echo_op):
    op = echo_op("createShape")
    client = member.client()

    first = html(client.get(page_url(op)))
    assert re.search(r'<option value="0" selected>Circle</option>', first)
    assert '<option value="1">Square</option>' in first
    assert 'form="variant-form"' in first  # works as a plain GET form without JavaScript
    assert "radius" in first

    second = html(client.get(page_url(op, "?variant=1")))
    assert re.search(r'<option value="1" selected>Square</option>', second)
    assert "&quot;side&quot;: 4" in second
    assert "radius" not in second.split('id="body"', 1)[1].split("</textarea>", 1)[0]
    assert '<input type="hidden" name="variant" value="1">' in second


def test_variant_change_by_htmx_gets_only_the_body_part(member, echo_op):
    op = echo_op("createShape")
    response = member.client().get(
        page_url(op, "?variant=1"), headers={"HX-Request": "true", "HX-Target": "body-input"}
    )
    part = html(response)
    assert part.lstrip().startswith('<fieldset class="fieldset body-section" id="body-input">')
    assert "<html" not in part
    assert "&quot;side&quot;: 4" in part


def test_a_flat_variant_can_be_edited_as_a_form(member, echo, echo_access, echo_op):
    op = echo_op("createShape")
    page = html(member.client().get(page_url(op, "?variant=1&body_view=form")))
    assert {"body:kind", "body:side"} <= names(page)

    send(
        member.client(),
        op,
        echo_access,
        {"variant": "1", "body_view": "form", "body:kind": "square", "body:side": "7"},
    )
    (seen,) = echo.api()
    assert seen.json() == {"kind": "square", "side": 7}


# ---------------------------------------------------------------- application/x-www-form-urlencoded


def test_urlencoded_body_renders_as_a_form(member, echo_op):
    page = html(member.client().get(page_url(echo_op("submitForm"))))
    assert {"body:name", "body:count", "body:choice", "body:flags"} <= names(page)
    assert 'name="body"' not in page
    assert "enctype=" not in page  # an ordinary form post is enough


@pytest.mark.parametrize("htmx", [False, True], ids=["form-post", "htmx"])
def test_urlencoded_body_on_the_wire(member, echo, echo_access, echo_op, htmx):
    response = send(
        member.client(),
        echo_op("submitForm"),
        echo_access,
        {
            "body:name": "Ada & Grace = 100%",
            "body:count": "3",
            "body:choice": "c&d",
            "body:flags": "one, two",
        },
        htmx=htmx,
    )

    assert "Not sent" not in html(response)
    (seen,) = echo.api()
    assert seen.content_type == "application/x-www-form-urlencoded"
    assert seen.body == (b"name=Ada+%26+Grace+%3D+100%25&count=3&choice=c%26d&flags=one&flags=two")
    assert seen.form_pairs() == [
        ("name", "Ada & Grace = 100%"),
        ("count", "3"),
        ("choice", "c&d"),
        ("flags", "one"),
        ("flags", "two"),
    ]
    (record,) = records()
    assert record.request_body == seen.body.decode()
    assert ["Content-Type", "application/x-www-form-urlencoded"] in record.request_headers


def test_urlencoded_field_errors_stop_the_call(member, echo, echo_access, echo_op):
    response = send(
        member.client(), echo_op("submitForm"), echo_access, {"body:name": "", "body:count": "50"}
    )
    page = html(response)
    assert "Request body field name is required." in page
    assert "Request body field count must be at most 10." in page
    assert page.count("has-error") >= 2  # beside the two fields
    assert echo.api() == []
    assert records() == []


# ---------------------------------------------------------------- multipart/form-data


def test_multipart_body_renders_as_a_multipart_form_with_file_inputs(member, echo_op):
    page = html(member.client().get(page_url(echo_op("uploadFile"))))
    assert 'enctype="multipart/form-data"' in page
    assert 'hx-encoding="multipart/form-data"' in page
    assert re.search(r'<input id="f-bodyfile" name="body:file" type="file" required', page)
    assert re.search(r'name="body:attachments" type="file"[^>]*\bmultiple', page)
    assert re.search(r'<textarea id="f-bodymeta" name="body:meta"', page)  # an object: JSON
    assert re.search(r'<input id="f-bodytitle" name="body:title"[^>]*type="text"', page)


@pytest.mark.parametrize("htmx", [False, True], ids=["form-post", "htmx"])
def test_multipart_body_on_the_wire_and_in_the_history(member, echo, echo_access, echo_op, htmx):
    csv = b"day,calls\n2024-01-31,1204\n"
    response = send(
        member.client(),
        echo_op("uploadFile"),
        echo_access,
        {
            "body:title": "Usage for January",
            "body:file": SimpleUploadedFile("usage.csv", csv, content_type="text/plain"),
            "body:attachments": [
                SimpleUploadedFile("a.bin", b"\x00\x01\x02", content_type="application/x-a"),
                SimpleUploadedFile("b.txt", "hé".encode(), content_type="text/plain"),
            ],
            "body:meta": '{"source": "test"}',
            "body:password": "hunter2-not-kept",
        },
        htmx=htmx,
    )

    assert "Not sent" not in html(response)
    (seen,) = echo.api()
    assert re.fullmatch(r"multipart/form-data; boundary=[0-9a-f]{32}", seen.content_type)
    parts = seen.multipart()
    assert [(p["name"], p["filename"]) for p in parts] == [
        ("title", None),
        ("file", "usage.csv"),
        ("attachments", "a.bin"),
        ("attachments", "b.txt"),
        ("meta", None),
        ("password", None),
    ]
    by_name = {p["filename"] or p["name"]: p for p in parts}
    assert by_name["title"]["data"] == b"Usage for January"
    assert by_name["usage.csv"]["data"] == csv
    assert by_name["usage.csv"]["content_type"] == "text/csv"  # the spec's encoding wins
    assert by_name["a.bin"]["data"] == b"\x00\x01\x02"
    assert by_name["a.bin"]["content_type"] == "application/x-a"
    assert by_name["b.txt"]["data"] == "hé".encode()
    assert by_name["meta"]["content_type"] == "application/json"
    assert json.loads(by_name["meta"]["data"]) == {"source": "test"}

    (record,) = records()
    assert ["Content-Type", seen.content_type] in record.request_headers
    kept = json.loads(record.request_body)
    assert kept["title"] == "Usage for January"
    assert kept["file"] == {"file": "usage.csv", "contentType": "text/csv", "size": len(csv)}
    assert [a["file"] for a in kept["attachments"]] == ["a.bin", "b.txt"]
    assert kept["meta"] == {"source": "test"}
    assert kept["password"] == "[redacted]"  # secret-looking fields are redacted as usual
    assert "1204" not in record.request_body  # file content is never kept
    assert "hunter2" not in record.request_body


def test_multipart_without_the_required_file_is_not_sent(member, echo, echo_access, echo_op):
    response = send(member.client(), echo_op("uploadFile"), echo_access, {"body:title": "x"})
    page = html(response)
    assert "Request body field file is required (choose a file)." in page
    assert echo.api() == []
    assert records() == []


def test_multipart_optional_fields_left_empty_are_left_out(member, echo, echo_access, echo_op):
    send(
        member.client(),
        echo_op("uploadFile"),
        echo_access,
        {"body:title": "only", "body:file": SimpleUploadedFile("f.csv", b"1")},
    )
    (seen,) = echo.api()
    assert [p["name"] for p in seen.multipart()] == ["title", "file"]


# ---------------------------------------------------------------- the engine's part


def test_which_objects_are_flat():
    scalar = {"type": "string"}
    assert is_flat_object({"type": "object", "properties": {"a": scalar, "b": {"enum": [1, 2]}}})
    assert is_flat_object(
        {"allOf": [{"properties": {"a": scalar}}, {"properties": {"n": {"type": "integer"}}}]}
    )
    assert is_flat_object({"properties": {"tags": {"type": "array", "items": scalar}}})
    assert is_flat_object(  # nullable scalars (3.0 and 3.1) are scalars
        {
            "properties": {
                "a": {"type": "string", "nullable": True},
                "b": {"type": ["null", "integer"]},
            }
        }
    )
    assert not is_flat_object({"type": "object", "properties": {"o": {"type": "object"}}})
    assert not is_flat_object({"properties": {"l": {"type": "array", "items": {"type": "object"}}}})
    assert not is_flat_object({"properties": {"f": {"type": "string", "format": "binary"}}})
    assert not is_flat_object({"properties": {"x": {}}})  # anything at all: not a form field
    assert not is_flat_object({"type": "object"})  # nothing to make fields of
    assert not is_flat_object({"oneOf": [{"properties": {"a": scalar}}]})
    assert not is_flat_object({"type": "array", "items": scalar})
    # readOnly properties are not part of a request, so they do not count
    assert is_flat_object(
        {"properties": {"id": {"type": "object", "readOnly": True}, "name": scalar}}
    )


def test_fields_for_an_object_schema():
    schema = {
        "type": "object",
        "required": ["name", "file"],
        "properties": {
            "id": {"type": "string", "readOnly": True},
            "name": {"type": "string", "maxLength": 5, "description": "**Short** name"},
            "on": {"type": "boolean", "default": True},
            "file": {"type": "string", "format": "binary"},
            "more": {"type": "array", "items": {"type": "string", "contentMediaType": "image/png"}},
        },
    }
    fields = fields_for_object_schema(schema, example={"name": "abc"}, files=True)
    by_name = {f.name: f for f in fields}
    assert list(by_name) == ["name", "on", "file", "more"]
    assert by_name["name"].html_name == "body:name"
    assert by_name["name"].required
    assert by_name["name"].initial == "abc"
    assert by_name["name"].attrs["maxlength"] == "5"
    assert "<strong>Short</strong>" in by_name["name"].description_html
    assert by_name["on"].widget == "boolean select"
    assert by_name["on"].initial == "true"
    assert (by_name["file"].widget, by_name["file"].multiple) == ("file", False)
    assert by_name["file"].attrs == {"type": "file", "required": True}
    assert (by_name["more"].widget, by_name["more"].multiple) == ("file", True)
    assert by_name["more"].attrs["multiple"] is True

    # Without files (an urlencoded form), binary properties are text.
    plain = {f.name: f for f in fields_for_object_schema(schema)}
    assert plain["file"].widget == "text"


# ---------------------------------------------------------------- several content types


def test_a_body_in_several_content_types(member, echo, echo_access, echo_op):
    op = echo_op("createNote")
    client = member.client()

    first = html(client.get(page_url(op)))
    assert 'aria-label="Content type"' in first
    assert re.search(
        r'<a class="tab mono" href="\?body_type=application%2Fjson" aria-current', first
    )
    assert 'name="body"' in first  # JSON first: the editor

    form = html(client.get(page_url(op, "?body_type=application/x-www-form-urlencoded")))
    assert {"body:text", "body:pinned"} <= names(form)
    send(
        client,
        op,
        echo_access,
        {
            "body_type": "application/x-www-form-urlencoded",
            "body:text": "hi there",
            "body:pinned": "true",
        },
    )
    assert echo.api()[-1].content_type == "application/x-www-form-urlencoded"
    assert echo.api()[-1].body == b"text=hi+there&pinned=true"

    text = html(client.get(page_url(op, "?body_type=text/plain")))
    assert ">Dear API,</textarea>" in text  # the spec's example, as typed text
    send(client, op, echo_access, {"body_type": "text/plain"}, body="Dear API, hello.")
    assert echo.api()[-1].content_type == "text/plain"
    assert echo.api()[-1].body == b"Dear API, hello."
