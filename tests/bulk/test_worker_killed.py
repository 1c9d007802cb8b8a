"""A worker process SIGKILLed in the middle of a 300-row run: a new worker takes the run
over (the row the dead one was sending, once its lease has run out) and every row is
created exactly once, as the sandbox counts its creations."""

from __future__ import annotations

import signal
import threading
import time

import pytest

from console.bulk import services
from console.bulk.models import RowState, RunState
from tests.bulk.conftest import meter_types_csv, start_worker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
LEASE_SECONDS = 2  # the workers started here run with CONSOLE_BULK_LEASE=2s


def _wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def creations(sandbox):
    """How many times the sandbox created each meter type name (thread-safe counter)."""
    store = sandbox.app.store
    create = store.create_meter_type
    counted: dict[str, int] = {}
    lock = threading.Lock()

    def counting(data):
        created = create(data)
        with lock:
            counted[data["name"]] = counted.get(data["name"], 0) + 1
        return created

    store.create_meter_type = counting
    yield counted
    del store.create_meter_type


def test_a_killed_worker_neither_skips_nor_repeats_a_row(
    member, sandbox_op, sandbox_access, creations
):
    text = meter_types_csv(300)
    run = services.bulk_upload(
        scope=member.scope, operation=sandbox_op("createMeterType"), text=text
    )
    services.bulk_configure(
        scope=member.scope, run=run, access=sandbox_access, mapping=run.mapping, concurrency=2
    )
    services.bulk_start(scope=member.scope, run=run)
    first = start_worker()
    try:
        _wait_for(lambda: run.rows.filter(state=RowState.DONE).count() >= 100, 120, "100 rows")
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    done_at_kill = run.rows.filter(state=RowState.DONE).count()
    assert done_at_kill < 300, "the run finished before the kill: nothing was tested"

    time.sleep(LEASE_SECONDS + 0.5)  # the dead worker's leases run out
    second = start_worker("--batch")
    _, errors = second.communicate(timeout=300)
    assert second.returncode == 0, errors.decode()[-3000:]

    run.refresh_from_db()
    assert run.state == RunState.FINISHED, run.stop_reason
    assert run.rows.filter(state=RowState.DONE).count() == 300
    names = [row.cells["name"] for row in run.rows.all()]
    assert sorted(creations) == sorted(names)  # every row created...
    assert set(creations.values()) == {1}  # ...exactly once
