"""How drivers share a run's rows: one row to one driver, no more rows being sent than
the run's concurrency, and a row whose sender's lease ran out taken over, in doubt."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from console.bulk import services
from console.bulk.models import BulkRow, RowState
from console.bulk.tasks import _claim


def _run(member, sandbox_op, sandbox_access, concurrency: int):
    run = services.bulk_upload(
        scope=member.scope, operation=sandbox_op("listMeterTypes"), text="n\n1\n2\n3\n"
    )
    return services.bulk_configure(
        scope=member.scope, run=run, access=sandbox_access, mapping={}, concurrency=concurrency
    )


def test_rows_go_in_order_and_never_beyond_the_concurrency(member, sandbox_op, sandbox_access):
    run = _run(member, sandbox_op, sandbox_access, concurrency=2)
    first, second = _claim(run, "a"), _claim(run, "b")
    assert (first.number, second.number) == (1, 2)
    assert _claim(run, "c") is False  # two are being sent: the third driver waits
    BulkRow.objects.filter(pk=first.pk).update(state=RowState.DONE, lease_until=None)
    third = _claim(run, "c")
    assert third.number == 3
    assert not third.in_doubt
    BulkRow.objects.filter(pk__in=[second.pk, third.pk]).update(state=RowState.DONE)
    assert _claim(run, "a") is None  # nothing left


def test_a_row_whose_lease_ran_out_is_taken_over_in_doubt(member, sandbox_op, sandbox_access):
    run = _run(member, sandbox_op, sandbox_access, concurrency=1)
    row = _claim(run, "dead worker")
    assert _claim(run, "other") is False
    BulkRow.objects.filter(pk=row.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    again = _claim(run, "other")
    assert (again.number, again.in_doubt, again.attempts) == (1, True, 2)
    assert BulkRow.objects.get(pk=row.pk).worker == "other"
