"""Real public specs import with the operation count an independent count gives, and
every one of their operations opens as a form."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.urls import reverse

from console.specs.models import Operation
from console.specs.services import spec_import

SPECS = Path(__file__).parent / "public_specs"
METHODS = {"get", "put", "post", "delete", "patch", "options", "head", "trace"}


def independent_count(document: dict) -> int:
    """Operations counted straight from the JSON, without the console's engine."""
    return sum(1 for item in document["paths"].values() for key in item if key.lower() in METHODS)


@pytest.mark.parametrize("name", sorted(p.name for p in SPECS.glob("*.json")))
def test_imports_and_every_form_opens(name, admin, team):
    data = (SPECS / name).read_bytes()
    result = spec_import(scope=admin.scope, name=name, data=data, filename=name)
    assert result.version.operation_count == independent_count(json.loads(data))
    client = admin.client()
    for op in Operation.objects.filter(version=result.version):
        page = client.get(reverse("explorer:operation", args=[team.slug, op.pk]))
        assert page.status_code == 200, (op.method, op.path)
        assert op.path.split("{")[0] in page.content.decode()
