"""The sandbox's body and query checks: `jsonschema` against the document's own schemas,
its errors translated to the sandbox's messages (console/sandbox/validation.py)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import requests

from console.sandbox import openapi, validation
from console.sandbox.validation import (
    ValidationError,
    validate_meter_input,
    validate_meter_type_input,
    validate_run_input,
    validate_stream_query,
)

TIMEOUT = 10
SCHEDULE = {"minute": "0", "hour": "0", "day": "L", "month": "*", "weekday": "*"}
MINIMAL = {"name": "Minimal", "unit": "events", "aggregation": {"type": "sum"}}


def fields_of(check, body) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        check(body)
    return caught.value.fields


def meter_type_fields(**changes) -> dict[str, str]:
    return fields_of(validate_meter_type_input, {**MINIMAL, **changes})


# -- one message per translated keyword ------------------------------------------------------


def test_type_gives_the_expected_type_in_words():
    assert meter_type_fields(description=7, category=[]) == {
        "description": "Must be a string.",
        "category": "Must be a string.",
    }
    assert fields_of(validate_meter_input, {"name": "m", "value": "lots"}) == {
        "value": "Must be a number."
    }
    assert fields_of(validate_run_input, {"parameters": [1]}) == {
        "parameters": "Must be an object."
    }


def test_type_keeps_the_field_specific_wording():
    assert meter_type_fields(
        name=5,
        aggregation="sum",
        resetSchedule="monthly",
        timezone=1,
        activeFrom=20250101,
        activeTo=True,
    ) == {
        "name": "Must be a non-empty string.",
        "aggregation": 'Must be an object such as {"type": "increment"}.',
        "resetSchedule": "Must be an object with minute, hour, day, month and weekday.",
        "timezone": "Must be an IANA time zone name such as Etc/UTC or Europe/Stockholm.",
        "activeFrom": "Must be an ISO 8601 date-time string.",
        "activeTo": "Must be an ISO 8601 date-time string.",
    }
    assert meter_type_fields(resetSchedule={**SCHEDULE, "hour": 0}) == {
        "resetSchedule.hour": 'Must be a cron-style value such as "0", "*" or "L".'
    }


def test_a_body_that_is_not_an_object():
    for check in (validate_meter_type_input, validate_meter_input, validate_run_input):
        with pytest.raises(ValidationError) as caught:
            check(["not", "an", "object"])
        assert caught.value.fields == {"body": "Must be a JSON object."}
        assert caught.value.message == "The request body must be a JSON object."


def test_required_is_keyed_by_the_missing_field_even_when_nested():
    assert fields_of(validate_meter_type_input, {}) == {
        "name": "This field is required.",
        "unit": "This field is required.",
        "aggregation": "This field is required.",
    }
    assert meter_type_fields(aggregation={}, resetSchedule={"minute": "0"}) == {
        "aggregation.type": "This field is required.",
        "resetSchedule.hour": "This field is required.",
        "resetSchedule.day": "This field is required.",
        "resetSchedule.month": "This field is required.",
        "resetSchedule.weekday": "This field is required.",
    }


def test_null_in_a_required_field_reads_as_missing():
    assert meter_type_fields(
        name=None, unit=None, aggregation=None, resetSchedule={**SCHEDULE, "day": None}
    ) == {
        "name": "This field is required.",
        "unit": "This field is required.",
        "aggregation": "This field is required.",
        "resetSchedule.day": "This field is required.",
    }


def test_additional_properties_name_each_unknown_field():
    assert meter_type_fields(colour="blue", size=3) == {
        "colour": "Unknown field.",
        "size": "Unknown field.",
    }
    assert meter_type_fields(
        aggregation={"type": "sum", "window": "1h"}, resetSchedule={**SCHEDULE, "second": "0"}
    ) == {"aggregation.window": "Unknown field.", "resetSchedule.second": "Unknown field."}
    assert fields_of(validate_meter_input, {"name": "m", "extra": 1}) == {"extra": "Unknown field."}
    assert fields_of(validate_run_input, {"params": {}}) == {"params": "Unknown field."}


def test_enum_lists_the_choices_whatever_the_wrong_value():
    expected = {"aggregation.type": "Must be one of: increment, max, last, sum."}
    assert meter_type_fields(aggregation={"type": "average"}) == expected
    assert meter_type_fields(aggregation={"type": 5}) == expected


def test_min_length():
    assert meter_type_fields(unit="") == {"unit": "Must not be empty."}
    assert meter_type_fields(name="") == {"name": "Must be a non-empty string."}


def test_max_length():
    too_long_name = "n" * (openapi.NAME_MAX + 1)
    too_long_text = "x" * (openapi.TEXT_MAX + 1)

    assert meter_type_fields(name=too_long_name, description=too_long_text) == {
        "name": "Must be at most 128 characters.",
        "description": "Must be at most 1000 characters.",
    }
    assert fields_of(validate_meter_input, {"name": "m", "externalRef": too_long_text}) == {
        "externalRef": "Must be at most 1000 characters."
    }


def test_a_name_s_length_is_counted_after_trimming():
    longest = "n" * openapi.NAME_MAX
    assert validate_meter_type_input({**MINIMAL, "name": f"  {longest}  "})["name"] == longest
    cleaned = validation.validate_meter_input({"name": f" {longest} "})
    assert cleaned["name"] == longest
    assert meter_type_fields(name="   ") == {"name": "Must be a non-empty string."}


def test_pattern():
    assert meter_type_fields(resetSchedule={**SCHEDULE, "minute": "every 5!"}) == {
        "resetSchedule.minute": 'Must be a cron-style value such as "0", "*" or "L".'
    }


def test_minimum_and_maximum():
    assert fields_of(validate_meter_input, {"name": "m", "value": -1}) == {
        "value": "Must not be negative."
    }
    with pytest.raises(ValidationError) as caught:
        validate_stream_query({"page": ["0"], "pageSize": ["101"]})
    assert caught.value.fields == {
        "page": "Must be between 1 and 100000.",
        "pageSize": "Must be between 1 and 100.",
    }
    assert caught.value.message == "The query parameters are not valid."


def test_query_text_that_is_not_a_whole_number_and_a_long_name():
    with pytest.raises(ValidationError) as caught:
        validate_stream_query({"pageSize": ["1.5"], "name": ["n" * 129]})

    assert caught.value.fields == {
        "pageSize": "Must be a whole number.",
        "name": "Must be at most 128 characters.",
    }
    assert validate_stream_query({"page": ["2"], "name": ["  eu  "]}) == (2, 20, "eu")
    assert validate_stream_query({}) == (1, 20, None)


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity"])
def test_numbers_json_does_not_have_are_not_numbers(number):
    body = json.loads(f'{{"name": "m", "value": {number}}}')  # Python's json reads them

    assert fields_of(validate_meter_input, body) == {"value": "Must be a number."}


def test_a_huge_integer_is_a_number_not_a_crash():
    assert validate_meter_input({"name": "m", "value": 10**400})["value"] == 10**400
    assert fields_of(validate_meter_input, {"name": "m", "value": True}) == {
        "value": "Must be a number."
    }


# -- the rules after the schema ----------------------------------------------------------------


def test_business_rules_after_the_schema():
    assert meter_type_fields(name="   ", unit="  ") == {
        "name": "Must be a non-empty string.",
        "unit": "Must not be empty.",
    }
    assert meter_type_fields(timezone="Mars/Olympus", activeFrom="yesterday") == {
        "timezone": "Must be an IANA time zone name such as Etc/UTC or Europe/Stockholm.",
        "activeFrom": "Must be an ISO 8601 date-time, e.g. 2025-01-01T00:00:00Z.",
    }
    assert meter_type_fields(activeFrom="2025-01-01T00:00:00") == {
        "activeFrom": "Must include a time zone offset or Z."
    }
    assert meter_type_fields(
        activeFrom="2026-01-01T00:00:00Z", activeTo="2026-01-01T01:00:00+01:00"
    ) == {"activeTo": "Must be later than activeFrom."}


def test_defaults_nulls_trimming_and_read_only_fields_echoed_back():
    cleaned = validate_meter_type_input(
        {
            **MINIMAL,
            "name": "  Padded  ",
            "description": None,
            "resetSchedule": None,
            "timezone": None,
            "activeTo": "2026-06-01T00:00:00+02:00",
            "id": "anything",
            "accountId": 7,
            "numberOfMeters": [],
            "createdAt": None,
            "updatedAt": "2025-01-01T00:00:00Z",
        }
    )

    assert cleaned == {
        "name": "Padded",
        "description": "",
        "category": "",
        "unit": "events",
        "externalRef": None,
        "aggregation": {"type": "sum"},
        "resetSchedule": validation.DEFAULT_RESET_SCHEDULE,
        "timezone": "Etc/UTC",
        "activeFrom": None,
        "activeTo": "2026-05-31T22:00:00.000Z",
    }
    assert validate_meter_input({"name": "m", "value": None, "meterTypeId": "x"}) == {
        "name": "m",
        "description": "",
        "externalRef": None,
        "value": 0,
    }
    assert validate_run_input(None) == {}
    assert validate_run_input({"parameters": None}) == {}


# -- the schemas are the document's ------------------------------------------------------------


def test_the_validators_use_the_documents_schemas():
    assert validation._METER_TYPE_INPUT.schema == openapi.json_schema("MeterTypeInput")
    assert validation._METER_INPUT.schema == openapi.json_schema("MeterInput")
    assert validation._STREAM_RUN_INPUT.schema == openapi.json_schema("StreamRunInput")


def test_the_served_document_states_what_is_enforced(sandbox):
    document = requests.get(f"{sandbox.url}/openapi.json", timeout=TIMEOUT).json()
    schemas = document["components"]["schemas"]

    for name in ("MeterTypeInput", "MeterInput", "StreamRunInput", "Aggregation"):
        assert schemas[name]["additionalProperties"] is False, name
    meter_type = schemas["MeterTypeInput"]["properties"]
    assert meter_type["description"]["maxLength"] == openapi.TEXT_MAX
    assert meter_type["resetSchedule"]["nullable"] is True
    assert meter_type["id"]["readOnly"] is True
    assert schemas["MeterInput"]["properties"]["value"]["minimum"] == 0


@pytest.mark.parametrize("first", ["validation", "openapi", "api", "app"])
def test_the_modules_import_in_any_order(first):
    result = subprocess.run(
        [sys.executable, "-c", f"import console.sandbox.{first}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr


# -- over HTTP: the old messages ---------------------------------------------------------------


def test_an_unknown_field_and_a_wrong_type_give_the_old_messages(sandbox, admin_auth):
    response = requests.post(
        f"{sandbox.url}/metering/v1/meter-types",
        json={**MINIMAL, "unit": 42, "colour": "blue"},
        headers=admin_auth,
        timeout=TIMEOUT,
    )

    assert response.status_code == 400
    assert response.json() == {
        "error": "bad_request",
        "message": "The request is not valid.",
        "fields": {"unit": "Must be a string.", "colour": "Unknown field."},
    }
