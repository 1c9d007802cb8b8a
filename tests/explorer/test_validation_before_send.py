"""Values are checked against their schemas before anything is sent.

Bad values: nothing leaves the console, no history record, and the messages name their
fields (beside the fields on a full page, listed in the htmx partial) with a "Send
anyway" button. Sending anyway skips the schema checks but never the checks without
which no request can be built (JSON that does not parse, an empty path parameter).
"""

from __future__ import annotations

import html as html_lib
import json
import re

import pytest

from console.specs.engine.fields import parse_field_value
from console.specs.engine.validation import validate_value
from tests.explorer.support import assert_no_leak, html, records, send

pytestmark = pytest.mark.django_db

FORCE_BUTTON = re.compile(
    r'<button[^>]*type="submit" form="send-form" name="force" value="1"[^>]*>Send anyway</button>'
)


def messages(page: str) -> list[str]:
    """The messages of the "Not sent" alert."""
    assert "Not sent" in page
    alert = page.split("Not sent", 1)[1].split("</ul>", 1)[0]
    return [html_lib.unescape(m) for m in re.findall(r"<li>(.*?)</li>", alert)]


# ---------------------------------------------------------------- parameters


@pytest.mark.parametrize("htmx", [False, True], ids=["form-post", "htmx"])
def test_out_of_range_query_parameter_is_not_sent(member, echo, echo_access, echo_op, htmx):
    response = send(
        member.client(),
        echo_op("listWidgets"),
        echo_access,
        {"query:q": "x", "query:limit": "500", "query:since": "31/01/2024"},
        htmx=htmx,
    )

    assert response.status_code == 200
    page = html(response)
    assert messages(page) == [
        "limit must be at most 100.",
        "since must be a date such as 2024-01-31.",
    ]
    assert FORCE_BUTTON.search(page)
    assert 'id="response-title"' not in page
    assert echo.api() == []
    assert echo.token_requests == 0
    assert records() == []
    assert_no_leak(page)
    if htmx:
        assert "<html" not in page
    else:  # the full page marks the fields themselves and keeps what was typed
        assert re.search(r'<div class="field has-error">\s*<label for="f-querylimit">', page)
        assert 'aria-describedby="f-querylimit-error"' in page
        assert 'value="500"' in page
        assert 'id="send-form"' in page  # the button's form is on the page
        assert "novalidate" in page  # the browser leaves checking to the server


@pytest.mark.parametrize("htmx", [False, True], ids=["form-post", "htmx"])
def test_send_anyway_sends_the_values_as_typed(member, echo, echo_access, echo_op, htmx):
    response = send(
        member.client(),
        echo_op("listWidgets"),
        echo_access,
        {"query:q": "x", "query:limit": "500", "query:since": "31/01/2024", "force": "1"},
        htmx=htmx,
    )

    page = html(response)
    assert "Not sent" not in page
    assert "Sent anyway" in page
    (seen,) = echo.api()
    assert seen.raw_query == "limit=500&since=31%2F01%2F2024&q=x"
    (record,) = records()
    assert record.status == 200


def test_send_anyway_keeps_text_that_is_not_even_the_right_type(member, echo, echo_access, echo_op):
    client = member.client()
    op = echo_op("listWidgets")
    page = html(send(client, op, echo_access, {"query:q": "x", "query:limit": "many"}))
    assert messages(page) == ["limit must be a whole number."]
    assert FORCE_BUTTON.search(page)

    send(client, op, echo_access, {"query:q": "x", "query:limit": "many", "force": "1"})
    (seen,) = echo.api()
    assert seen.raw_query == "limit=many&q=x"


def test_send_anyway_may_leave_out_a_required_query_parameter(member, echo, echo_access, echo_op):
    client = member.client()
    op = echo_op("listWidgets")
    page = html(send(client, op, echo_access, {"query:q": ""}))
    assert messages(page) == ["q is required."]
    assert FORCE_BUTTON.search(page)

    send(client, op, echo_access, {"query:q": "", "force": "1"})
    (seen,) = echo.api()
    assert seen.raw_query == ""


@pytest.mark.parametrize("force", ["", "1"])
def test_an_empty_path_parameter_is_never_sent(member, echo, echo_access, echo_op, force):
    page = html(
        send(
            member.client(),
            echo_op("deleteWidget"),
            echo_access,
            {"path:widgetId": "", "force": force},
        )
    )
    assert messages(page) == ["widgetId is required."]
    assert not FORCE_BUTTON.search(page)
    assert echo.api() == []
    assert records() == []


def test_sandbox_uuid_path_parameter_can_be_sent_anyway(member, sandbox_access, sandbox_op):
    client = member.client()
    op = sandbox_op("getMeterType")
    page = html(send(client, op, sandbox_access, {"path:meterTypeId": "nope"}))
    (message,) = messages(page)
    assert message.startswith("meterTypeId must be a UUID")
    assert records() == []

    page = html(send(client, op, sandbox_access, {"path:meterTypeId": "nope", "force": "1"}))
    (record,) = records()
    assert record.url.endswith("/meter-types/nope")
    assert record.status == 400  # the API's own answer to the bad value


# ---------------------------------------------------------------- JSON bodies


@pytest.mark.parametrize("htmx", [False, True], ids=["form-post", "htmx"])
def test_json_body_that_breaks_its_schema_is_not_sent(member, echo, echo_access, echo_op, htmx):
    body = json.dumps({"name": "", "size": 50, "color": "purple", "tags": "a"})
    response = send(member.client(), echo_op("createWidget"), echo_access, body=body, htmx=htmx)

    page = html(response)
    assert messages(page) == [
        "Request body field name must be at least 1 character long.",
        "Request body field size must be at most 10.",
        "Request body field color must be one of: red, green, blue.",
        "Request body field tags must be a list.",
    ]
    assert FORCE_BUTTON.search(page)
    assert echo.api() == []
    assert records() == []
    if not htmx:  # beside the editor, and the typed text is kept
        assert 'id="body-error"' in page
        assert html_lib.escape(body) in page


def test_json_body_missing_a_required_property(member, echo, echo_access, echo_op):
    page = html(send(member.client(), echo_op("createWidget"), echo_access, body='{"size": 2}'))
    assert messages(page) == ["Request body field name is required."]


def test_json_body_sent_anyway_goes_out_exactly_as_typed(member, echo, echo_access, echo_op):
    body = '{"name": "", "size": 50}'
    page = html(
        send(member.client(), echo_op("createWidget"), echo_access, {"force": "1"}, body=body)
    )
    assert "Not sent" not in page
    (seen,) = echo.api()
    assert seen.body == body.encode()
    assert len(records()) == 1


def test_read_only_properties_are_not_required_in_a_request(member, echo, echo_access, echo_op):
    # Widget marks "id" readOnly; a schema that required it would still not ask for it.
    send(member.client(), echo_op("createWidget"), echo_access, body='{"name": "ok"}')
    assert len(echo.api()) == 1


@pytest.mark.parametrize("force", ["", "1"])
def test_json_that_does_not_parse_is_never_sent(member, echo, echo_access, echo_op, force):
    page = html(
        send(
            member.client(),
            echo_op("createWidget"),
            echo_access,
            {"force": force},
            body='{"name": ',
        )
    )
    (message,) = messages(page)
    assert message.startswith("The request body is not valid JSON")
    assert not FORCE_BUTTON.search(page)
    assert echo.api() == []
    assert records() == []


def test_required_body_left_empty(member, echo, echo_access, echo_op):
    client = member.client()
    page = html(send(client, echo_op("createWidget"), echo_access, body="  "))
    assert messages(page) == ["The request body is required."]
    assert FORCE_BUTTON.search(page)

    send(client, echo_op("createWidget"), echo_access, {"force": "1"}, body="")
    (seen,) = echo.api()
    assert seen.body == b""
    assert "content-type" not in seen.headers


def test_form_view_errors_show_beside_the_body_fields(member, echo, echo_access, echo_op):
    page = html(
        send(
            member.client(),
            echo_op("createWidget"),
            echo_access,
            {"body_view": "form", "body:name": "", "body:size": "11"},
        )
    )
    assert messages(page) == [
        "Request body field name is required.",
        "Request body field size must be at most 10.",
    ]
    assert re.search(r'<div class="field has-error">\s*<label for="f-bodyname">', page)
    assert re.search(r'<div class="field has-error">\s*<label for="f-bodysize">', page)
    assert 'value="11"' in page  # kept
    assert echo.api() == []


def test_sandbox_create_with_a_bad_aggregation(member, sandbox_access, sandbox_op, sandbox):
    sandbox.reset_counters()
    body = json.dumps({"name": "x", "unit": "requests", "aggregation": {"type": "average"}})
    page = html(send(member.client(), sandbox_op("createMeterType"), sandbox_access, body=body))
    (message,) = messages(page)
    assert message.startswith("Request body field aggregation.type must be one of: ")
    assert "increment" in message
    assert sandbox.api_requests == 0
    assert records() == []


# ---------------------------------------------------------------- the engine's part


def _field(location: str, schema: dict, required: bool = False):
    from console.specs.engine.fields import field_for_parameter
    from console.specs.engine.operation import Parameter

    return field_for_parameter(Parameter("x", location, required=required, schema=schema))


def test_parse_without_checks_keeps_what_was_typed():
    limited = _field("query", {"type": "integer", "maximum": 5})
    assert parse_field_value(limited, "9") == (None, "must be at most 5")
    assert parse_field_value(limited, "9", check=False) == (9, None)
    assert parse_field_value(limited, "nine", check=False) == ("nine", None)

    choice = _field("query", {"type": "string", "enum": ["a", "b"]})
    assert parse_field_value(choice, "c", check=False) == ("c", None)

    listed = _field("query", {"type": "array", "items": {"type": "integer"}})
    assert parse_field_value(listed, "1, two", check=False) == ([1, "two"], None)

    required = _field("query", {"type": "string"}, required=True)
    assert parse_field_value(required, "") == (None, "is required")
    assert parse_field_value(required, "", check=False) == (None, None)

    path = _field("path", {"type": "string"}, required=True)
    assert parse_field_value(path, "", check=False) == (None, "is required")

    as_json = _field("query", {"type": "object"})
    assert parse_field_value(as_json, "{nope", check=False)[1].startswith("is not valid JSON: ")


def test_read_only_and_write_only_in_required():
    schema = {
        "type": "object",
        "required": ["id", "password"],
        "properties": {
            "id": {"type": "string", "readOnly": True},
            "password": {"type": "string", "writeOnly": True},
        },
    }
    assert validate_value(schema, {}) == [
        "missing required property 'id'",
        "missing required property 'password'",
    ]
    assert validate_value(schema, {}, direction="request") == [
        "missing required property 'password'"
    ]
    assert validate_value(schema, {}, direction="response") == ["missing required property 'id'"]
