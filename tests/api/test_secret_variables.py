"""A secret variable that one call stored upstream never comes back in the clear from a
later call through the API that names no variable (review finding 1): not in the /call
answer, the pass-through's answer, nor their history records."""

from __future__ import annotations

import pytest
from django.urls import reverse

from console.history.models import CallRecord
from tests.variables.test_secret_stored_upstream import (  # noqa: F401 - the fixture
    SECRET,
    _record_text,
    stored,
)

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("stored", "sandbox_spec")
def test_the_api_call_answer_holds_no_stored_secret(member, api_as):
    response = api_as(member).post(
        reverse("api:call", args=["metering", "listMeterTypes"]), {"access": "Sandbox access"}
    )
    assert response.status_code == 200
    assert SECRET not in response.content.decode()
    assert "[redacted]" in response.content.decode()
    assert SECRET not in _record_text(CallRecord.objects.get(pk=response.json()["record_id"]))


@pytest.mark.usefixtures("stored")
def test_the_pass_through_answer_holds_no_stored_secret(member, api_as):
    response = api_as(member).request(
        "GET", "/proxy/t/metering/Sandbox%20access/metering/v1/meter-types"
    )
    assert response.status_code == 200
    assert SECRET not in response.content.decode()
    assert "[redacted]" in response.content.decode()
    record = CallRecord.objects.get(pk=int(response["X-Console-Record"]))
    assert SECRET not in _record_text(record)
