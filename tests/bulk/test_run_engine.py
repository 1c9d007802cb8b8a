"""A bulk run end to end on the real queue against the real sandbox: every row sent once
through run_operation, recorded in the history as its row of the run, the chain intact,
one token for the whole run; a 429 storm slows it and loses no row; a refused token stops
it; pause, resume and cancel."""

from __future__ import annotations

import uuid

import pytest
from django_tasks_db.models import DBTaskResult

from console.bulk import services
from console.bulk.models import RowState, RunState
from console.history.chain import chain_verify
from console.history.models import CallRecord
from tests.bulk.conftest import meter_types_csv

pytestmark = pytest.mark.django_db(transaction=True)


def _run(member, sandbox_op, sandbox_access, text: str, concurrency: int = 4):
    run = services.bulk_upload(
        scope=member.scope, operation=sandbox_op("createMeterType"), text=text
    )
    return services.bulk_configure(
        scope=member.scope,
        run=run,
        access=sandbox_access,
        mapping=run.mapping,
        concurrency=concurrency,
    )


def test_the_mapping_is_guessed_from_the_column_names(member, sandbox_op, sandbox_access):
    run = _run(member, sandbox_op, sandbox_access, meter_types_csv(2))
    assert run.mapping == {
        "body:name": "name",
        "body:unit": "unit",
        "body:aggregation.type": "aggregation.type",
        "body:description": "description",
    }
    check = services.bulk_check(run)
    assert (check.valid, check.invalid) == (2, 0)
    _row, preview = check.previews[0]
    assert preview.method == "POST"
    assert preview.url.endswith("/metering/v1/meter-types")
    assert '"aggregation": {"type": "increment"}' in preview.body


def test_a_thousand_rows_are_each_sent_once_with_one_token(
    team, member, sandbox, sandbox_op, sandbox_access, work
):
    run = _run(member, sandbox_op, sandbox_access, meter_types_csv(1000))
    sandbox.reset_counters()
    services.bulk_start(scope=member.scope, run=run)
    work()
    run.refresh_from_db()
    assert run.state == RunState.FINISHED
    assert run.rows.filter(state=RowState.DONE).count() == 1000
    records = CallRecord.objects.filter(via__startswith=f"bulk run #{run.pk}, row ")
    assert records.count() == 1000
    assert {r.status for r in records} == {201}
    assert chain_verify(team).ok
    assert sandbox.token_requests == 1
    assert sandbox.api_requests == 1000
    row = run.rows.get(number=17)
    assert CallRecord.objects.get(pk=row.record_id).via == f"bulk run #{run.pk}, row 17"
    assert row.result["name"] == row.cells["name"]


def _fake_run(member, fake_op, fake_access, rows: int):
    text = "note\n" + "".join(f"row {n}\n" for n in range(1, rows + 1))
    run = services.bulk_upload(scope=member.scope, operation=fake_op, text=text)
    return services.bulk_configure(
        scope=member.scope, run=run, access=fake_access, mapping={}, concurrency=2
    )


def test_a_429_storm_slows_the_run_and_loses_no_row(member, fake_ue, fake_op, fake_access, work):
    from tests.explorer.support import Reply

    fake_ue.api_script.extend(
        [Reply(429, {"error": "too_many_requests"}, {"Retry-After": "1"})] * 6
    )
    run = _fake_run(member, fake_op, fake_access, 20)
    services.bulk_start(scope=member.scope, run=run)
    work()
    run.refresh_from_db()
    assert run.state == RunState.FINISHED
    assert run.rows.filter(state=RowState.DONE).count() == 20
    assert len(fake_ue.api_requests) == 26  # 6 refused, then each row once
    statuses = list(CallRecord.objects.values_list("status", flat=True))
    assert statuses.count(429) == 6
    assert statuses.count(200) == 20
    progress = services.bulk_progress(run)
    assert (progress.done, progress.failed, progress.left, progress.percent) == (20, 0, 0, 100)
    elapsed = (run.finished_at - run.started_at).total_seconds()
    assert elapsed >= 1  # it waited as Retry-After asked


def test_a_token_refused_even_after_a_new_one_stops_the_run(
    member, fake_ue, fake_op, fake_access, work
):
    fake_ue.reject_all = True
    run = _fake_run(member, fake_op, fake_access, 10)
    services.bulk_start(scope=member.scope, run=run)
    work()
    run.refresh_from_db()
    assert run.state == RunState.STOPPED
    assert "refused the token (401) on row 1" in run.stop_reason
    assert run.rows.filter(state=RowState.FAILED).count() <= 2  # what was in flight
    assert run.rows.filter(state=RowState.PENDING).count() >= 8  # nothing more was sent


def test_pause_resume_and_cancel(member, fake_ue, fake_op, fake_access, work):
    run = _fake_run(member, fake_op, fake_access, 5)
    services.bulk_start(scope=member.scope, run=run)
    services.bulk_pause(scope=member.scope, run=run)
    work()
    assert run.rows.filter(state=RowState.PENDING).count() == 5  # paused: nothing sent
    services.bulk_resume(scope=member.scope, run=run)
    work()
    run.refresh_from_db()
    assert run.state == RunState.FINISHED
    other = _fake_run(member, fake_op, fake_access, 5)
    services.bulk_start(scope=member.scope, run=other)
    services.bulk_cancel(scope=member.scope, run=other)
    work()
    other.refresh_from_db()
    assert other.state == RunState.CANCELLED
    assert other.rows.filter(state=RowState.PENDING).count() == 5


def test_rows_that_do_not_match_the_spec_are_named_and_can_be_skipped(
    member, sandbox_op, sandbox_access, work
):
    text = (
        "name,unit,aggregation.type\n"
        f"Good {uuid.uuid4().hex[:8]},requests,increment\n"
        ",requests,increment\n"
        "Bad,requests,sum-ish\n"
    )
    run = _run(member, sandbox_op, sandbox_access, text)
    check = services.bulk_check(run)
    assert (check.valid, check.invalid) == (1, 2)
    problems = {row.number: row.problems for row in run.rows.exclude(problems={})}
    assert set(problems) == {2, 3}
    assert "name" in problems[2]
    assert "aggregation.type" in problems[3]
    with pytest.raises(services.BulkError, match="2 row\\(s\\) do not match the spec"):
        services.bulk_start(scope=member.scope, run=run)
    services.bulk_start(scope=member.scope, run=run, only_valid=True)
    work()
    states = dict(run.rows.values_list("number", "state"))
    assert states == {1: RowState.DONE, 2: RowState.SKIPPED, 3: RowState.SKIPPED}
    assert CallRecord.objects.count() == 1


def test_production_needs_the_environment_named(member, sandbox_op, sandbox_access, sandbox_env):
    sandbox_env.is_production = True
    sandbox_env.save()
    run = _run(member, sandbox_op, sandbox_access, meter_types_csv(3))
    with pytest.raises(
        services.BulkError, match="type its name to send Create a meter type 3 time"
    ):
        services.bulk_start(scope=member.scope, run=run, confirm="yes")
    services.bulk_start(scope=member.scope, run=run, confirm="Sandbox")
    run.refresh_from_db()
    assert run.state == RunState.RUNNING
    assert run.confirmed_production


def test_a_viewer_cannot_run(viewer, member, sandbox_op, sandbox_access):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.bulk_upload(
            scope=viewer.scope, operation=sandbox_op("createMeterType"), text="a\n1\n"
        )


def test_the_result_csv_has_the_input_the_outcome_and_the_answers_fields(
    member, sandbox_op, sandbox_access, work
):
    import csv
    import io

    formula = f"=cmd{uuid.uuid4().hex[:6]}()"
    text = meter_types_csv(3, prefix="Result") + f"{formula},requests,increment,x\n"
    run = _run(member, sandbox_op, sandbox_access, text)
    services.bulk_start(scope=member.scope, run=run, only_valid=True)
    work()
    rows = list(csv.DictReader(io.StringIO("".join(services.result_csv(run)))))
    assert [r["state"] for r in rows] == ["Sent"] * 4
    assert rows[0]["name"].startswith("Result ")
    assert rows[0]["status"] == "201"
    assert rows[0]["response.name"] == rows[0]["name"]
    assert rows[0]["response.id"]
    assert rows[3]["name"] == "'" + formula  # no formula reaches a spreadsheet
    assert rows[0]["record"] == str(run.rows.get(number=1).record_id)


def test_queued_drivers_are_tasks_of_the_database_backend(member, sandbox_op, sandbox_access):
    run = _run(member, sandbox_op, sandbox_access, meter_types_csv(2), concurrency=3)
    services.bulk_start(scope=member.scope, run=run)
    tasks = DBTaskResult.objects.filter(task_path="console.bulk.tasks.drive_bulk_run")
    assert tasks.count() == 3
    assert {t.queue_name for t in tasks} == {"bulk"}
