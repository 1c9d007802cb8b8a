"""Use cases of bulk runs: upload a CSV, map its columns, check the rows against the spec,
start (on the task queue), pause, resume, cancel, and read the progress and the results."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from console.bulk import plan
from console.bulk.models import BulkRow, BulkRun, RowState, RunState
from console.explorer.services import (
    BodyChoice,
    OperationForm,
    needs_production_confirmation,
    operation_open,
    preview_call,
)
from console.history.export import csv_lines, safe_cell
from console.specs.models import Operation
from console.teams.models import Membership, Role
from console.teams.scoping import TeamScope
from console.variables.services import variables_for
from console.vault import services as vault
from console.vault.models import ApplicationAccess

PREVIEW_ROWS = 5


class BulkError(Exception):
    """A bulk-run step the rules refuse, with a message for the person."""


def run_form(run: BulkRun) -> OperationForm:
    """The operation's form as the run uses it (a flat JSON body in its form view)."""
    scope_team = run.operation.team
    membership = Membership(team=scope_team, user=run.created_by, role=Role.VIEWER)
    return operation_open(
        scope=TeamScope(membership), operation=run.operation, choice=BodyChoice(view="form")
    )


@transaction.atomic
def bulk_upload(*, scope: TeamScope, operation: Operation, text: str, name: str = "") -> BulkRun:
    """A draft run of `operation` from a CSV's text, its mapping guessed from the names."""
    scope.require(Role.MEMBER)
    sheet = plan.read_csv(text)
    run = BulkRun.objects.create(
        team=scope.team,
        operation=operation,
        created_by=scope.user,
        source_name=name[:200],
        columns=sheet.columns,
        total=len(sheet.rows),
        via=scope.via,
    )
    form = run_form(run)
    run.body_view = form.body_view
    run.mapping = plan.guess_mapping(plan.targets(form), sheet.columns)
    run.save(update_fields=["body_view", "mapping"])
    BulkRow.objects.bulk_create(
        [BulkRow(run=run, number=n, cells=cells) for n, cells in enumerate(sheet.rows, 1)],
        batch_size=500,
    )
    return run


@dataclass(frozen=True)
class Check:
    """The rows checked against the spec: how many match, and the first previews."""

    valid: int
    invalid: int
    previews: list[tuple[BulkRow, Any]]


def bulk_check(run: BulkRun) -> Check:
    """Check every row as Send would (nothing is sent); keep each row's problems."""
    form = run_form(run)
    found = plan.targets(form)
    rows = list(run.rows.order_by("number"))
    previews, changed = [], []
    # Cells may hold {{variables}}: checked resolved, as run_operation will send them.
    vset = None
    if run.access is not None:
        membership = Membership(team=run.operation.team, user=run.created_by, role=Role.VIEWER)
        vset = variables_for(TeamScope(membership), run.access.environment)
    for row in rows:
        values, body = plan.row_call(form, found, run.mapping, row.cells)
        preview = preview_call(form, run.access, values, body, vset=vset)
        problems = plan.problems_by_column(preview.errors, run.mapping)
        problems.update(plan.json_cell_problems(form, found, run.mapping, row.cells))
        if problems != row.problems:
            row.problems = problems
            changed.append(row)
        if len(previews) < PREVIEW_ROWS:
            previews.append((row, preview))
    BulkRow.objects.bulk_update(changed, ["problems"], batch_size=500)
    invalid = sum(1 for row in rows if row.problems)
    return Check(len(rows) - invalid, invalid, previews)


def bulk_configure(
    *,
    scope: TeamScope,
    run: BulkRun,
    access: ApplicationAccess | None,
    mapping: dict[str, str],
    concurrency: int,
) -> BulkRun:
    """Set the run's Application Access, column mapping and concurrency (a draft only)."""
    scope.require(Role.MEMBER)
    if run.state != RunState.DRAFT:
        raise BulkError("This run has started: its mapping cannot change any more.")
    keys = {t.key for t in plan.targets(run_form(run))}
    run.mapping = {k: c for k, c in mapping.items() if k in keys and c in run.columns}
    run.access = access
    run.concurrency = max(1, min(settings.CONSOLE_BULK_MAX_CONCURRENCY, concurrency))
    run.save(update_fields=["mapping", "access", "concurrency"])
    return run


def _enqueue(run: BulkRun) -> None:
    from console.bulk.tasks import drive_bulk_run  # the task module imports this one

    for slot in range(run.concurrency):
        drive_bulk_run.enqueue(run.pk, slot)


def bulk_start(
    *, scope: TeamScope, run: BulkRun, only_valid: bool = False, confirm: str = ""
) -> BulkRun:
    """Start sending: every row, or only those that match the spec (the others skipped).

    A run of a method that changes things on a production environment needs `confirm`
    naming the environment. Raises BulkError in words.
    """
    scope.require(Role.MEMBER)
    if run.state != RunState.DRAFT:
        raise BulkError("This run has started already.")
    access = run.access
    if access is None:
        raise BulkError("Choose the Application Access to send with.")
    refusal = vault.access_refusal(scope, access)
    if refusal:
        raise BulkError(refusal)
    check = bulk_check(run)
    if check.invalid and not only_valid:
        raise BulkError(
            f"{check.invalid} row(s) do not match the spec: fix them, or send only the "
            f"{check.valid} valid row(s)."
        )
    if not check.valid:
        raise BulkError("No row matches the spec: nothing to send.")
    env = access.environment
    production = needs_production_confirmation(access, run.operation.method)
    if production and confirm.strip() != env.name:
        raise BulkError(
            f"{env.name} is production: type its name to send {run.operation.label} "
            f"{check.valid} time(s)."
        )
    with transaction.atomic():
        if only_valid:
            run.rows.exclude(problems={}).update(state=RowState.SKIPPED)
        run.only_valid = only_valid
        run.confirmed_production = production
        run.state = RunState.RUNNING
        run.started_at = run.heartbeat_at = timezone.now()
        run.save(
            update_fields=[
                "only_valid", "confirmed_production", "state", "started_at", "heartbeat_at",
            ]
        )  # fmt: skip
        transaction.on_commit(lambda: _enqueue(run))
    return run


def bulk_pause(*, scope: TeamScope, run: BulkRun) -> BulkRun:
    """Stop taking new rows (those being sent finish); resume picks up where it stopped."""
    scope.require(Role.MEMBER)
    if BulkRun.objects.filter(pk=run.pk, state=RunState.RUNNING).update(state=RunState.PAUSED):
        run.state = RunState.PAUSED
    return run


def bulk_resume(*, scope: TeamScope, run: BulkRun) -> BulkRun:
    """Go on with a paused run."""
    scope.require(Role.MEMBER)
    now = timezone.now()
    if BulkRun.objects.filter(pk=run.pk, state=RunState.PAUSED).update(
        state=RunState.RUNNING, heartbeat_at=now
    ):
        run.state = RunState.RUNNING
        transaction.on_commit(lambda: _enqueue(run))
    return run


def bulk_cancel(*, scope: TeamScope, run: BulkRun) -> BulkRun:
    """End the run: rows not sent yet stay unsent."""
    scope.require(Role.MEMBER)
    BulkRun.objects.filter(pk=run.pk, state__in=[RunState.RUNNING, RunState.PAUSED]).update(
        state=RunState.CANCELLED, finished_at=timezone.now()
    )
    run.refresh_from_db()
    return run


def bulk_recover(run: BulkRun | None = None) -> int:
    """Give running runs whose workers went quiet (a worker killed, a machine restarted)
    new drivers; returns how many runs. Rows a dead worker was sending are claimed again
    once their lease has run out (see `tasks`)."""
    stale = timezone.now() - settings.CONSOLE_BULK_LEASE
    runs = BulkRun.objects.filter(state=RunState.RUNNING, heartbeat_at__lt=stale)
    if run is not None:
        runs = runs.filter(pk=run.pk)
    recovered = 0
    for each in runs:
        # Claimed by one caller only: the heartbeat moves on before the drivers are queued.
        if BulkRun.objects.filter(pk=each.pk, heartbeat_at=each.heartbeat_at).update(
            heartbeat_at=timezone.now()
        ):
            _enqueue(each)
            recovered += 1
    return recovered


@dataclass(frozen=True)
class Progress:
    """How far a run got."""

    total: int
    done: int
    failed: int
    skipped: int
    sending: int
    left: int
    rate: float  # rows a second since the start
    eta_seconds: float | None

    @property
    def percent(self) -> int:
        """Rows finished (sent, failed or skipped), in percent."""
        finished = self.done + self.failed + self.skipped
        return round(100 * finished / self.total) if self.total else 100


def bulk_progress(run: BulkRun) -> Progress:
    """The run's counts, its rate and the time it still needs."""
    counts = run.rows.aggregate(
        done=Count("id", filter=Q(state=RowState.DONE)),
        failed=Count("id", filter=Q(state=RowState.FAILED)),
        skipped=Count("id", filter=Q(state=RowState.SKIPPED)),
        sending=Count("id", filter=Q(state=RowState.SENDING)),
        pending=Count("id", filter=Q(state=RowState.PENDING)),
    )
    end: datetime = run.finished_at or timezone.now()
    elapsed = (end - run.started_at).total_seconds() if run.started_at else 0.0
    sent = counts["done"] + counts["failed"]
    rate = sent / elapsed if elapsed > 0 else 0.0
    left = counts["pending"] + counts["sending"]
    eta = left / rate if rate > 0 and run.state == RunState.RUNNING else None
    return Progress(
        run.total, counts["done"], counts["failed"], counts["skipped"], counts["sending"],
        left, rate, eta,
    )  # fmt: skip


def result_csv(run: BulkRun) -> Iterator[str]:
    """The run's results: the input's columns, then row, state, status, the answer's key
    fields, error and history record, one line a row."""
    keys: list[str] = []
    for result in run.rows.exclude(result={}).values_list("result", flat=True)[:200]:
        keys += [k for k in result if k not in keys]
    header = [*run.columns, "row", "state", "status", *[f"response.{k}" for k in keys],
              "error", "record"]  # fmt: skip
    line = csv_lines()
    yield line(header)
    for row in run.rows.order_by("number").iterator(chunk_size=1000):
        error = row.error or "; ".join(f"{k}: {v}" for k, v in row.problems.items())
        yield line(
            [
                *[safe_cell(row.cells.get(c, "")) for c in run.columns],
                row.number,
                row.get_state_display(),
                row.status or "",
                *[safe_cell(_cell(row.result.get(k, ""))) for k in keys],
                safe_cell(error),
                row.record_id or "",
            ]
        )


def _cell(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def lease() -> timedelta:
    """How long a worker holds a row it is sending before another may take it over."""
    return settings.CONSOLE_BULK_LEASE
