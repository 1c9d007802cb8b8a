"""A spec's patterns cannot hold a worker: they run on RE2 (issue 14).

A document with the catastrophic patterns ``^(a+)+$`` and ``(x+x+)+y`` is imported and a
10,000-character value is sent. On Python's backtracking ``re`` either would take longer
than the age of the universe; on RE2 the answer comes at once. The test does not time it
(bench/hostile_specs.py prints the figure): it only gives the request a generous deadline
in a thread, so a regression fails the test instead of hanging the suite. A pattern RE2
cannot run (look-around) is named on import and on the operation page, and not checked.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from console.specs.services import spec_import
from tests.explorer.support import assert_no_leak, find_operation, html, records, send

pytestmark = pytest.mark.django_db(transaction=True)

DEADLINE = 60  # seconds: only a hang guard, never a performance figure
LONG = 10_000


def hostile_document() -> dict[str, Any]:
    """An OpenAPI 3.1 document whose patterns are catastrophic for a backtracking engine."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "Hostile", "version": "1"},
        "paths": {
            "/v1/hostile": {
                "post": {
                    "operationId": "hostile",
                    "parameters": [
                        {
                            "name": "code",
                            "in": "query",
                            "schema": {"type": "string", "pattern": "^(a+)+$"},
                        }
                    ],
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "word": {"type": "string", "pattern": "(x+x+)+y"},
                                        "handle": {
                                            "type": "string",
                                            "pattern": "^(?!admin).+$",
                                        },
                                    },
                                }
                            }
                        }
                    },
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
    }


@pytest.fixture
def hostile_op(admin):
    result = spec_import(
        scope=admin.scope,
        name="Hostile",
        data=json.dumps(hostile_document()).encode(),
        filename="hostile.json",
    )
    return result, find_operation(result.version, "hostile")


def _within_deadline(call):
    """Run `call` in a thread; fail (not hang) when it has not returned by DEADLINE."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except BaseException as exc:  # handed to the test thread below
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(DEADLINE)
    assert not thread.is_alive(), f"no answer within {DEADLINE} s: a pattern ran away"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def test_long_values_against_catastrophic_patterns_get_an_answer(
    member, echo, echo_access, hostile_op
):
    _, op = hostile_op
    body = json.dumps({"word": "x" * LONG, "handle": "someone"})

    response = _within_deadline(
        lambda: send(member.client(), op, echo_access, {"query:code": "a" * LONG + "!"}, body=body)
    )

    page = html(response)
    assert response.status_code == 200
    assert "Not sent" in page
    assert "code must match the pattern ^(a+)+$." in page
    assert "Request body field word must match the pattern (x+x+)+y." in page
    assert echo.api() == []
    assert records() == []
    assert_no_leak(page)


def test_matching_long_values_are_sent(member, echo, echo_access, hostile_op):
    _, op = hostile_op
    body = json.dumps({"word": "x" * LONG + "y", "handle": "admin"})  # look-around unchecked

    response = _within_deadline(
        lambda: send(member.client(), op, echo_access, {"query:code": "a" * LONG}, body=body)
    )

    assert response.status_code == 200
    assert "Not sent" not in html(response)
    [seen] = echo.api()
    assert seen.path == "/v1/hostile"
    assert json.loads(seen.body)["handle"] == "admin"
    assert len(records()) == 1


def test_a_pattern_re2_cannot_run_is_named_on_import_and_on_the_page(member, hostile_op):
    result, op = hostile_op
    warnings = [p for p in result.version.problems if p["severity"] == "warning"]
    assert warnings == [
        {
            "pointer": "paths./v1/hostile.post.requestBody.content.application/json.schema"
            ".properties.handle.pattern",
            "message": "The pattern ^(?!admin).+$ uses look-around, which RE2 does not "
            "support; values are not checked against it.",
            "severity": "warning",
        }
    ]

    page = html(member.client().get(reverse("explorer:operation", args=[op.team.slug, op.pk])))

    assert "data-pattern-notices" in page
    assert "The pattern ^(?!admin).+$ uses look-around, which RE2 does not support" in page
    # The catastrophic shape never reaches the browser's backtracking engine either.
    assert 'pattern="^(a+)+$"' not in page


def test_outsiders_do_not_see_the_operation_page(outsider, hostile_op):
    _, op = hostile_op
    response = outsider.client().get(reverse("explorer:operation", args=[op.team.slug, op.pk]))
    assert response.status_code == 404
    assert "(?!admin)" not in response.content.decode()


def test_viewers_see_the_notice_too(viewer, hostile_op):
    _, op = hostile_op
    page = html(viewer.client().get(reverse("explorer:operation", args=[op.team.slug, op.pk])))
    assert "data-pattern-notices" in page


def test_anonymous_visitors_are_sent_to_sign_in(hostile_op):
    _, op = hostile_op
    response = Client().get(reverse("explorer:operation", args=[op.team.slug, op.pk]))
    assert response.status_code == 302
