"""GET /healthz (200 with the database's state, 503 without a database) and security headers."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.conftest import Person

# ---------------------------------------------------------------- /healthz


def test_healthz_answers_ok_with_the_database(db):
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["vendor"] == connection.vendor
    assert "no-cache" in response["Cache-Control"]


def test_healthz_needs_no_sign_in_and_only_answers_get(db):
    assert reverse("healthz") == "/healthz"
    assert Client().post("/healthz").status_code == 405


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def _database_unreachable(tmp_path: Path) -> Iterator[None]:
    """Point this thread's default connection at a database that cannot be opened.

    The connection wrapper gets a copy of its settings (the original dict is shared
    with other threads' wrappers, so it is not touched): on SQLite a file in a folder
    that does not exist, elsewhere a local port nothing listens on. The connection is
    closed first so the next query must connect, and closed again before the real
    settings are put back.
    """
    original = connection.settings_dict
    broken: dict[str, Any] = dict(original)
    if connection.vendor == "sqlite":
        broken["NAME"] = str(tmp_path / "no-such-folder" / "console.sqlite3")
    else:
        broken["HOST"] = "127.0.0.1"
        broken["PORT"] = str(_closed_port())
        broken["OPTIONS"] = {**original.get("OPTIONS", {}), "connect_timeout": 3}
    connection.close()
    connection.settings_dict = broken
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict = original


@pytest.mark.django_db(transaction=True)  # no test transaction holding the connection open
def test_healthz_answers_503_when_the_database_is_unreachable(tmp_path):
    with _database_unreachable(tmp_path):
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}
    # It says nothing about where the database is.
    assert str(tmp_path) not in response.content.decode()
    # And recovers as soon as the database is back.
    again = Client().get("/healthz")
    assert again.status_code == 200
    assert again.json()["database"] == "ok"


# ---------------------------------------------------------------- security headers


def _directives(header: str) -> dict[str, list[str]]:
    result = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            result[words[0]] = words[1:]
    return result


def _check_headers(response: Any) -> None:
    csp = response.headers.get("Content-Security-Policy")
    assert csp, "no Content-Security-Policy header"
    directives = _directives(csp)
    assert directives["script-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in csp
    assert "'unsafe-eval'" not in csp
    assert response.headers.get("X-Frame-Options") == "DENY"
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("Referrer-Policy") == "same-origin"


def _check_page_obeys_the_csp(page: str) -> None:
    """What the CSP would block must not be on the page: inline scripts, handlers, styles."""
    for attributes, body in re.findall(r"<script\b([^>]*)>(.*?)</script>", page, re.S | re.I):
        assert "src=" in attributes, f"inline script: {body[:80]!r}"
        assert not body.strip()
    assert not re.search(r"<[a-z][^>]*\son[a-z]+\s*=", page, re.I), "inline event handler"
    assert not re.search(r"<[a-z][^>]*\sstyle\s*=", page, re.I), "inline style attribute"
    assert "<style" not in page.lower()


PAGES = [
    pytest.param(None, "login", {}, 200, id="login-anonymous"),
    pytest.param(None, "healthz", {}, 200, id="healthz"),
    pytest.param("viewer", "teams:settings", {"team_slug": "metering"}, 200, id="settings"),
    pytest.param("viewer", "explorer:index", {"team_slug": "metering"}, 200, id="explorer"),
    pytest.param("viewer", "history:list", {"team_slug": "metering"}, 200, id="history"),
    pytest.param("viewer", "specs:import", {"team_slug": "metering"}, 403, id="forbidden-403"),
    pytest.param("outsider", "teams:settings", {"team_slug": "metering"}, 404, id="not-found-404"),
    pytest.param("admin", "vault:access_new", {"team_slug": "metering"}, 200, id="form"),
]


@pytest.mark.parametrize(("who", "name", "kwargs", "status"), PAGES)
def test_security_headers_on_pages(request, team, who, name, kwargs, status):
    client = request.getfixturevalue(who).client() if who else Client()
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == status
    _check_headers(response)
    if response["Content-Type"].startswith("text/html"):
        _check_page_obeys_the_csp(response.content.decode())


def test_security_headers_on_a_redirect_and_a_post(team, owner: Person):
    _check_headers(Client().get(reverse("home")))
    response = owner.client().post(reverse("teams:rename", args=[team.slug]), {"name": "X"})
    assert response.status_code == 302
    _check_headers(response)
