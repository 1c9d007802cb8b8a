"""Answers are checked against the operation's response schema for their status.

A mismatch is a notice in the response panel ("The answer does not match the spec"),
never an error: the call went through and is in the history like any other. The
response is found as OpenAPI says: exact status, then its range (2XX), then default.
"""

from __future__ import annotations

import json
import uuid

import pytest

from console.explorer.services import run_operation
from console.specs.engine.operation import MediaType, Operation, Response
from console.specs.engine.responses import check_response, response_for_status
from tests.explorer.support import assert_no_leak, html, records, send

pytestmark = pytest.mark.django_db

MISMATCH = "The answer does not match the spec"


# ---------------------------------------------------------------- against the sandbox


@pytest.mark.parametrize("htmx", [False, True], ids=["form-post", "htmx"])
def test_sandbox_answers_match_their_spec(member, sandbox_access, sandbox_op, htmx):
    client = member.client()
    listing = html(send(client, sandbox_op("listMeterTypes"), sandbox_access, htmx=htmx))
    assert 'id="response-title"' in listing
    assert MISMATCH not in listing
    assert "describes no response" not in listing

    payload = {
        "name": f"Schema check {uuid.uuid4().hex[:8]}",
        "unit": "requests",
        "aggregation": {"type": "sum"},
    }
    created = html(
        send(client, sandbox_op("createMeterType"), sandbox_access, body=json.dumps(payload))
    )
    assert ">201<" in created
    assert MISMATCH not in created

    streams = html(send(client, sandbox_op("listStreams"), sandbox_access, {"query:pageSize": "3"}))
    assert MISMATCH not in streams


@pytest.mark.parametrize(
    ("operation_id", "values"),
    [("listMeterTypes", {}), ("listStreams", {"query:pageSize": "2"})],
)
def test_sandbox_answers_are_really_checked(
    member, sandbox_access, sandbox_op, operation_id, values
):
    outcome = run_operation(
        scope=member.scope, access=sandbox_access, operation=sandbox_op(operation_id), values=values
    )
    assert outcome.status == 200
    assert outcome.response_check is not None
    assert outcome.response_check.checked  # a schema was applied, not skipped
    assert outcome.response_check.problems == []


def test_sandbox_error_answers_match_their_spec(member, sandbox_access, sandbox_op):
    missing = str(uuid.uuid4())
    page = html(
        send(
            member.client(),
            sandbox_op("getMeterType"),
            sandbox_access,
            {"path:meterTypeId": missing},
        )
    )
    assert ">404<" in page
    assert MISMATCH not in page


# ---------------------------------------------------------------- against a server that disagrees


@pytest.mark.parametrize("htmx", [False, True], ids=["form-post", "htmx"])
def test_mismatching_answer_shows_a_notice(member, echo, echo_access, echo_op, htmx):
    response = send(member.client(), echo_op("getMismatch"), echo_access, htmx=htmx)

    page = html(response)
    assert f"{MISMATCH}:" in page
    notice = page.split(MISMATCH, 1)[1].split("</ul>", 1)[0]
    assert "<li>id: must be a string</li>" in notice
    assert "<li>the body is missing required property &#x27;count&#x27;</li>" in notice
    # a notice, not an error: the answer is shown and recorded as usual
    assert 'class="notice schema-notice"' in page
    assert "alert-error" not in page
    assert "Call failed" not in page
    assert "&quot;extra&quot;" in page  # the body is still shown
    (record,) = records()
    assert record.status == 200
    assert record.error_message == ""
    assert_no_leak(page)


def test_matching_answer_from_the_echo_server_shows_no_notice(member, echo, echo_access, echo_op):
    page = html(send(member.client(), echo_op("listWidgets"), echo_access, {"query:q": "x"}))
    assert ">200<" in page
    assert MISMATCH not in page


def test_status_the_spec_does_not_describe(member, echo, echo_access, echo_op):
    page = html(send(member.client(), echo_op("getTeapot"), echo_access))
    assert ">418<" in page
    assert "The spec describes no response with status 418." in page
    assert MISMATCH not in page


def test_answer_without_a_schema_is_not_checked(member, echo, echo_access, echo_op):
    page = html(send(member.client(), echo_op("readEither"), echo_access))
    assert ">200<" in page
    assert MISMATCH not in page
    assert "describes no response" not in page


# ---------------------------------------------------------------- which response is used


def _op(**responses: Response) -> Operation:
    return Operation(method="GET", path="/x", operation_id="x", responses=responses)


def _json(schema: dict) -> dict[str, MediaType]:
    return {"application/json": MediaType("application/json", schema=schema)}


def test_exact_status_then_range_then_default():
    exact = Response("201", content=_json({"type": "object"}))
    ranged = Response("2XX", content=_json({"type": "array"}))
    fallback = Response("default", content=_json({"type": "string"}))
    op = _op(**{"201": exact, "2XX": ranged, "default": fallback})

    assert response_for_status(op, 201) is exact
    assert response_for_status(op, 204) is ranged
    assert response_for_status(op, 404) is fallback
    assert response_for_status(_op(**{"4xx": ranged}), 404) is ranged  # case-insensitive
    assert response_for_status(_op(**{"200": exact}), 500) is None


def test_check_response_details():
    schema = {"type": "object", "required": ["n"], "properties": {"n": {"type": "integer"}}}
    op = _op(**{"200": Response("200", content=_json(schema))})

    good = check_response(op, 200, "application/json; charset=utf-8", b'{"n": 1}')
    assert good.checked
    assert not good.mismatch

    bad = check_response(op, 200, "application/json", json.dumps([1] * 3).encode())
    assert bad.mismatch
    assert bad.problems == ["the body must be an object"]

    many = check_response(
        _op(
            **{
                "200": Response(
                    "200", content=_json({"type": "array", "items": {"type": "string"}})
                )
            }
        ),
        200,
        "application/json",
        json.dumps(list(range(8))).encode(),
    )
    assert many.total == 8
    assert len(many.problems) == 5  # only the first few are shown

    # Not checked: truncated, not JSON, no body, a problem+json answer the spec lacks.
    assert not check_response(op, 200, "application/json", b'{"n": "x"}', truncated=True).checked
    assert not check_response(op, 200, "text/plain", b"hello").checked
    assert not check_response(op, 200, "application/json", b"").checked
    assert not check_response(op, 200, "application/json", b"{not json").checked
    # A +json answer is checked against the declared JSON schema.
    assert check_response(op, 200, "application/problem+json", b'{"n": "x"}').mismatch


def test_write_only_properties_are_not_required_in_an_answer():
    schema = {
        "type": "object",
        "required": ["name", "secret"],
        "properties": {"name": {"type": "string"}, "secret": {"type": "string", "writeOnly": True}},
    }
    op = _op(**{"200": Response("200", content=_json(schema))})
    assert not check_response(op, 200, "application/json", b'{"name": "a"}').mismatch
