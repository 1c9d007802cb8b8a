"""Saved-request fixtures: the echo server with credentials, the Things API (versions 1 and
more, `tests.explorer.things`), and helpers to save a request as the pages do."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from console.saved.models import SavedRequest
from console.specs.models import Operation
from tests.explorer.echo import (  # noqa: F401 - fixtures are found by name
    echo,
    echo_access,
)
from tests.explorer.support import (  # noqa: F401 - fixtures are found by name
    member2,
)
from tests.explorer.things import things, things_op  # noqa: F401 - fixtures by name

GET_THING_VALUES = {
    "path:thingId": "thing-42",
    "query:limit": "7",
    "query:tags": "red, blue",  # one text box for several values, as a browser posts it
    "header:X-Request-Tag": "nightly",
    "header:X-Api-Key": "key-that-must-not-be-kept",
}


def save(
    client: Client, operation: Operation, name: str, values: dict[str, Any] | None = None
) -> Any:
    """Press "Save as…" on the operation page with `values`, then Save with `name`
    (no JavaScript: the name prompt is a page). Returns the second response."""
    from tests.explorer.page_form import form_fields

    new_url = reverse("saved:new", args=[operation.team.slug, operation.pk])
    prompt = client.post(new_url, values or {})
    assert prompt.status_code == 200, prompt.content[:500]
    fields = dict(form_fields(prompt.content.decode(), form_id="saved-prompt"))
    assert "state" in fields
    return client.post(new_url, {"state": fields["state"], "name": name})


def only_saved() -> SavedRequest:
    """The one saved request in the database."""
    [saved] = SavedRequest.objects.all()
    return saved
