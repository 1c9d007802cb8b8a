"""A bulk run's check resolves {{variables}} in its cells, as its Send will."""

from __future__ import annotations

import pytest

from console.bulk import services
from console.variables.services import variable_set

pytestmark = pytest.mark.django_db


def test_cells_with_variables_are_checked_resolved(admin, member, sandbox_op, sandbox_access):
    variable_set(scope=member.scope, name="unit", value="requests")
    variable_set(scope=admin.scope, name="label", value="Secret-Label-99", secret=True)
    text = "name,unit,aggregation.type\n{{label}},{{unit}},increment\nplain,{{nope}},increment\n"
    run = services.bulk_upload(
        scope=member.scope, operation=sandbox_op("createMeterType"), text=text
    )
    run = services.bulk_configure(
        scope=member.scope, run=run, access=sandbox_access, mapping=run.mapping, concurrency=1
    )
    check = services.bulk_check(run)
    assert (check.valid, check.invalid) == (1, 1)
    (_first, preview), (second, _) = check.previews
    assert '"unit": "requests"' in preview.body
    assert '"name": "[secret]"' in preview.body
    assert "No variable named {{nope}} in Sandbox." in str(second.problems)
