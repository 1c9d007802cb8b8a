"""A bulk CSV's JSON in a cell: an array or object body field's cell that does not parse,
and a whole-body column, are the row's problems in the console's one wording."""

from __future__ import annotations

import csv
import io
import json

import pytest

from console.bulk import services as bulk
from console.bulk.models import BulkRow
from console.specs.models import Operation
from console.specs.services import spec_import

pytestmark = pytest.mark.django_db

# A nested body (so a run fills it from JSON, not as a flat form) with an array leaf.
DOCUMENT = {
    "openapi": "3.0.3",
    "info": {"title": "Labels", "version": "1"},
    "paths": {
        "/things": {
            "post": {
                "operationId": "createThing",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["name"],
                                "properties": {
                                    "name": {"type": "string"},
                                    "meta": {
                                        "type": "object",
                                        "properties": {
                                            "labels": {"type": "array", "items": {"type": "string"}}
                                        },
                                    },
                                },
                            }
                        }
                    },
                },
                "responses": {"201": {"description": "Created."}},
            }
        }
    },
}


@pytest.fixture
def create_thing(admin) -> Operation:
    version = spec_import(scope=admin.scope, name="Labels", data=json.dumps(DOCUMENT).encode())
    return version.version.operations.get(operation_id="createThing")


def _csv(header: list[str], *rows: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _problems(member, op, text: str) -> list[dict[str, str]]:
    run = bulk.bulk_upload(scope=member.scope, operation=op, text=text)
    bulk.bulk_check(run)
    return [row.problems for row in BulkRow.objects.filter(run=run).order_by("number")]


def test_an_array_cell_that_is_not_json(member, create_thing):
    text = _csv(
        ["name", "labels"], ["Cog", '["red", "blue"]'], ["Gear", '["red", '], ["Nut", "a, b"]
    )
    good, bad, listed = _problems(member, create_thing, text)
    assert good == {}
    assert bad == {"labels": "Column labels is not valid JSON: Expecting value (line 1, column 8)."}
    assert listed == {}  # a comma-separated list is no JSON and needs not be


def test_a_whole_body_column_that_is_not_json(member, create_thing):
    (problems,) = _problems(member, create_thing, _csv(["body"], ['{"name": ']))
    assert problems == {
        "body": "The request body is not valid JSON: Expecting value (line 1, column 10)."
    }
