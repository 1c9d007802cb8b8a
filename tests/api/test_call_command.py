"""`manage.py call`: an operator's call from the shell, through the same path and into the
same history ("via command line")."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from console.history.models import CallRecord


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("call", *args, stdout=out)
    return out.getvalue()


def test_a_call_prints_the_answer_and_is_recorded(owner, sandbox_access, sandbox_spec):
    out = _run("--team", "metering", "--access", "Sandbox access", "listMeterTypes")
    assert out.startswith("200 GET http://127.0.0.1:")
    assert '"meterTypes"' in out
    record = CallRecord.objects.get()
    assert (record.username, record.via) == ("olivia", "command line")


def test_parameters_and_a_body(owner, member, echo, echo_access, echo_spec):
    out = _run(
        "--team", "metering", "--access", "Echo access", "--user", "mia",
        "listWidgets", "limit=3", "q=big gears",
    )  # fmt: skip
    assert out.startswith("200 GET")
    assert CallRecord.objects.get().url.endswith("/v1/widgets?limit=3&q=big%20gears")
    created = _run(
        "--team", "metering", "--access", "Echo access", "createWidget",
        "--body", '{"name": "Cog"}',
    )  # fmt: skip
    assert created.startswith("201 POST")


def test_refusals_are_said_and_exit_non_zero(owner, viewer, echo_access, echo_spec):
    with pytest.raises(CommandError, match="limit"):
        _run("--team", "metering", "--access", "Echo access", "listWidgets", "limit=x", "q=a")
    with pytest.raises(CommandError, match="needs a member, admin or owner"):
        _run("--team", "metering", "--access", "Echo access", "--user", "victor", "listWidgets")
    with pytest.raises(CommandError, match="is not name=value"):
        _run("--team", "metering", "--access", "Echo access", "listWidgets", "limit")
    with pytest.raises(CommandError, match="There is no team"):
        _run("--team", "nope", "--access", "Echo access", "listWidgets")
    assert not CallRecord.objects.exists()


def test_an_error_answer_exits_non_zero_after_printing_it(owner, echo_access, echo_spec):
    with pytest.raises(CommandError, match="Usage Engine answered 418"):
        _run("--team", "metering", "--access", "Echo access", "getTeapot")
    assert CallRecord.objects.get().status == 418
