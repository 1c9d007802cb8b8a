"""The worker's side of a bulk run, on Django's task queue (django-tasks-db's database
backend and its `db_worker` processes).

A run is driven by as many `drive_bulk_run` tasks as its concurrency; each claims one row
at a time and sends it through `run_operation`, like Send. Claiming is a conditional UPDATE
(one worker wins a row) that gives the row a lease; a worker killed while sending leaves
the row to be claimed again once the lease has run out, marked in doubt, so a row is never
skipped. Whether the first attempt had reached Usage Engine cannot be known; a create
that did answers the second with 409 Conflict, which then counts as sent (see
`_finish`). No more rows are ever `sending` at once than the run's concurrency, however
many drivers there are.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from datetime import timedelta
from typing import Any

from django.db.models import Count, F, Q, Subquery
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThan
from django.tasks import task
from django.utils import timezone

from console.bulk import plan
from console.bulk.models import BulkRow, BulkRun, RowState, RunState
from console.bulk.services import lease, run_form
from console.explorer.services import CallOutcome, run_operation
from console.explorer.statuses import retry_after_seconds
from console.teams.models import Membership
from console.teams.scoping import TeamScope

log = logging.getLogger(__name__)
IDLE_SLEEP = 0.05
RESULT_KEYS = 12  # of an answer's top-level fields kept for the result CSV


def _stop(run: BulkRun, reason: str) -> None:
    BulkRun.objects.filter(pk=run.pk, state=RunState.RUNNING).update(
        state=RunState.STOPPED, stop_reason=reason, finished_at=timezone.now()
    )


def _live(run: BulkRun, now: Any) -> Any:
    """How many of the run's rows are being sent now (leases that have not run out)."""
    return run.rows.filter(state=RowState.SENDING, lease_until__gte=now)


def _claim(run: BulkRun, worker: str) -> BulkRow | bool | None:
    """The next row for `worker` (False while the run's concurrency is taken, None when no
    row is left to send): a waiting row, or one whose sender's lease ran out.

    The UPDATE that claims it also checks, in the same statement, that fewer rows than the
    run's concurrency are being sent, so drivers beyond it (after a recovery) wait.
    """
    now = timezone.now()
    live_count = Subquery(
        _live(run, now).order_by().values("run").annotate(n=Count("pk")).values("n")[:1]
    )
    for _ in range(20):  # another driver may take the row between the read and the update
        candidate = (
            run.rows.filter(
                Q(state=RowState.PENDING) | Q(state=RowState.SENDING, lease_until__lt=now)
            )
            .order_by("number")
            .values("pk", "state", "lease_until", "number", "cells", "attempts")
            .first()
        )
        if candidate is None:
            return None
        won = (
            BulkRow.objects.filter(
                pk=candidate["pk"], state=candidate["state"], lease_until=candidate["lease_until"]
            )
            .filter(LessThan(Coalesce(live_count, 0), run.concurrency))
            .update(
                state=RowState.SENDING,
                lease_until=now + lease(),
                worker=worker,
                attempts=F("attempts") + 1,
            )
        )
        if won:
            row = BulkRow(
                pk=candidate["pk"],
                run=run,
                number=candidate["number"],
                cells=candidate["cells"],
                state=RowState.SENDING,
                attempts=candidate["attempts"] + 1,
            )
            row.in_doubt = candidate["state"] == RowState.SENDING
            return row
        if _live(run, now).count() >= run.concurrency:
            return False
    return False


def _result(outcome: CallOutcome) -> dict[str, Any]:
    record = outcome.record
    if record is None or not record.response_body or record.response_body_b64:
        return {}
    try:
        data = json.loads(record.response_body)
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    scalars = {k: v for k, v in data.items() if isinstance(v, str | int | float | bool)}
    return dict(list(scalars.items())[:RESULT_KEYS])


def _finish(run: BulkRun, row: BulkRow, outcome: CallOutcome) -> None:
    """Keep what the row's call gave; hold or stop the run where the answer says so."""
    status = outcome.status
    if status == 429:
        wait = retry_after_seconds(
            next((v for k, v in outcome.headers if k.lower() == "retry-after"), "")
        )
        hold = timezone.now() + timedelta(seconds=wait if wait is not None else 1)
        BulkRun.objects.filter(pk=run.pk).update(hold_until=hold)
        # Not sent after all: waiting again, and sent once Usage Engine takes calls again.
        BulkRow.objects.filter(pk=row.pk).update(
            state=RowState.PENDING, lease_until=None, status=429, record_id=_record(outcome)
        )
        return
    if status in (401, 403):
        _stop(
            run,
            f"Usage Engine refused the token ({status}) on row {row.number}, and a new token "
            "did not help: nothing more is sent. Check the Application Access's scopes.",
        )
    ok = status is not None and (status < 400 or (status == 409 and row.in_doubt))
    error = outcome.error or ""
    if status == 409 and row.in_doubt:
        error = (
            "409 after a resend: the first attempt, cut off by a stopped worker, had gone through."
        )
    elif not outcome.sent and outcome.field_errors:
        error = "; ".join(outcome.field_errors.values())
    elif status is not None and status >= 400:
        error = f"{status} {outcome.reason}".strip()
    BulkRow.objects.filter(pk=row.pk).update(
        state=RowState.DONE if ok else RowState.FAILED,
        status=status,
        error=error[:2000],
        result=_result(outcome),
        record_id=_record(outcome),
        lease_until=None,
        finished_at=timezone.now(),
    )


def _record(outcome: CallOutcome) -> int | None:
    return outcome.record.pk if outcome.record is not None else None


class _Driver:
    """What one driver reads once for its run: the operation's form and targets, and the
    creator's membership (read again when it may have changed: after a refusal)."""

    def __init__(self, run: BulkRun) -> None:
        self.run = run
        self.form = run_form(run)
        self.targets = plan.targets(self.form)
        self.membership = self._membership()

    def _membership(self) -> Membership | None:
        return (
            Membership.objects.filter(team_id=self.run.team_id, user_id=self.run.created_by_id)
            .select_related("team", "user")
            .first()
        )

    def send(self, row: BulkRow) -> int | None:
        """Send one row as the run's creator, through `run_operation` (recorded like a Send);
        returns the answer's status (None when nothing came back)."""
        run, membership = self.run, self.membership
        if run.access is None:
            _stop(run, "The run's Application Access was deleted: nothing more is sent.")
            BulkRow.objects.filter(pk=row.pk).update(state=RowState.PENDING, lease_until=None)
            return None
        if membership is None or not membership.can_send or not membership.user.is_active:
            _stop(run, f"{run.created_by.get_username()} can no longer send calls in this team.")
            BulkRow.objects.filter(pk=row.pk).update(state=RowState.PENDING, lease_until=None)
            return None
        via = f"bulk run #{run.pk}, row {row.number}" + (f" ({run.via})" if run.via else "")
        values, body = plan.row_call(self.form, self.targets, run.mapping, row.cells)
        outcome = run_operation(
            scope=TeamScope(membership, via=via),
            access=run.access,
            operation=run.operation,
            values=values,
            body=body,
            confirm_production=run.confirmed_production,
        )
        if outcome.error and not outcome.sent and not outcome.field_errors:
            # Refused before sending (the access disabled or restricted since): stop.
            _stop(run, outcome.error)
            BulkRow.objects.filter(pk=row.pk).update(state=RowState.PENDING, lease_until=None)
            return None
        _finish(run, row, outcome)
        return outcome.status

    def refresh_membership(self) -> None:
        """Read the creator's membership again (their role or team may have changed)."""
        self.membership = self._membership()


def _worker_name(slot: int) -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{slot}"


HEARTBEAT_SECONDS = 5.0
STATE_SECONDS = 0.25


@task(queue_name="bulk")
def drive_bulk_run(run_id: int, slot: int = 0) -> int:
    """Send the run's rows one at a time until none is left, the run is paused, cancelled or
    stopped; returns how many rows this driver sent."""
    run = (
        BulkRun.objects.select_related("operation", "access__environment", "created_by")
        .filter(pk=run_id)
        .first()
    )
    if run is None:
        return 0
    driver, worker, sent, beat, looked = _Driver(run), _worker_name(slot), 0, 0.0, 0.0
    state: dict[str, Any] | None = None
    while True:
        if state is None or time.monotonic() - looked > STATE_SECONDS:
            # Paused, cancelled, stopped, held by a 429: seen within STATE_SECONDS.
            state = BulkRun.objects.filter(pk=run_id).values("state", "hold_until").first()
            looked = time.monotonic()
        if state is None or state["state"] != RunState.RUNNING:
            return sent
        now = timezone.now()
        if time.monotonic() - beat > HEARTBEAT_SECONDS:
            BulkRun.objects.filter(pk=run_id).update(heartbeat_at=now)
            beat = time.monotonic()
            driver.refresh_membership()
        hold = state["hold_until"]
        if hold and hold > now:
            time.sleep(min(1.0, (hold - now).total_seconds()))
            state = None
            continue
        row = _claim(run, worker)
        if row is False:
            time.sleep(IDLE_SLEEP)
            continue
        if row is None:
            if not run.rows.filter(state__in=[RowState.PENDING, RowState.SENDING]).exists():
                BulkRun.objects.filter(pk=run_id, state=RunState.RUNNING).update(
                    state=RunState.FINISHED, finished_at=timezone.now()
                )
            return sent
        try:
            if driver.send(row) in (429, 401, 403, None):
                state = None  # held or stopped: read the run again before the next row
        except Exception:
            log.exception("Bulk run %s: row %s failed unexpectedly.", run_id, row.number)
            BulkRow.objects.filter(pk=row.pk).update(
                state=RowState.FAILED,
                error="The console failed on this row (see its log).",
                lease_until=None,
                finished_at=timezone.now(),
            )
        sent += 1
