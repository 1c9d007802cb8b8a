""" "Copy as curl" and "Copy as Python (requests)": the token as $TOKEN / os.environ["TOKEN"],
never the real one, and every value quoted so the commands send exactly what was sent.

The snippets are really run (curl and the venv's Python) against the fake Usage Engine,
with a hostile header value and body, and what the server receives is compared.
"""

from __future__ import annotations

import html as html_lib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from console.history.snippets import snippets_for
from console.specs.services import spec_import
from tests.explorer.support import cached_tokens, html, records, send

HOSTILE_HEADER = 'it\'s "quoted" $(touch PWNED-H) `touch PWNED-B` ; echo $TOKEN \\ end'
HOSTILE_BODY = 'line 1 it\'s\n"$(touch PWNED-D)" `id` $TOKEN\\n; rm -rf / #\n\'\'\'"""\tend'


def _notes_spec() -> dict:
    """A spec for the fake server with a header parameter and a text body."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "Notes", "version": "1"},
        "paths": {
            "/v1/notes": {
                "post": {
                    "operationId": "postNote",
                    "summary": "Post a note",
                    "parameters": [
                        {"name": "X-Note", "in": "header", "schema": {"type": "string"}},
                        {"name": "tag", "in": "query", "schema": {"type": "string"}},
                    ],
                    "requestBody": {"content": {"text/plain": {"schema": {"type": "string"}}}},
                    "responses": {"200": {"description": "OK"}},
                }
            }
        },
    }


@pytest.fixture
def notes_op(admin):
    result = spec_import(
        scope=admin.scope,
        name="Notes",
        data=json.dumps(_notes_spec()).encode(),
        filename="notes.json",
    )
    return result.version.operations.get(operation_id="postNote")


def _pre(page: str, element_id: str) -> str:
    match = re.search(rf'<pre [^>]*id="{element_id}"[^>]*>(.*?)</pre>', page, re.S)
    assert match, f"no <pre id={element_id}>"
    return html_lib.unescape(match.group(1))


def _sent(member, notes_op, fake_access):
    values = {"header:X-Note": HOSTILE_HEADER, "query:tag": "a&b c", "body_type": "text/plain"}
    response = send(member.client(), notes_op, fake_access, values, body=HOSTILE_BODY, htmx=True)
    assert response.status_code == 200
    page = html(response)
    assert 'class="status status-2xx status-lg"' in page, page
    return page


def test_the_snippets_never_hold_the_token(member, notes_op, fake_access, fake_ue, team):
    page = _sent(member, notes_op, fake_access)

    (token,) = cached_tokens()
    curl, python = _pre(page, "snippet-curl"), _pre(page, "snippet-python")
    assert token not in page
    assert '-H "Authorization: Bearer $TOKEN"' in curl
    assert '"Authorization": "Bearer " + os.environ["TOKEN"]' in python
    assert 'data-copy-target="#snippet-curl"' in page
    assert 'data-copy-target="#snippet-python"' in page
    # The history page shows the same commands, still without the token.
    (record,) = records()
    detail = html(member.client().get(reverse("history:detail", args=[team.slug, record.pk])))
    assert token not in detail
    assert _pre(detail, "snippet-curl") == curl
    assert _pre(detail, "snippet-python") == python


@pytest.mark.skipif(not shutil.which("curl"), reason="curl is not installed")
def test_curl_sends_exactly_what_was_sent(member, notes_op, fake_access, fake_ue, tmp_path):
    page = _sent(member, notes_op, fake_access)
    (token,) = cached_tokens()
    original = fake_ue.api_requests[-1]

    script = tmp_path / "call.sh"
    script.write_text(_pre(page, "snippet-curl") + "\n")
    result = subprocess.run(
        ["bash", str(script)],
        cwd=tmp_path,
        env={"PATH": os.environ["PATH"], "TOKEN": token},
        capture_output=True,
        timeout=30,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    replayed = fake_ue.api_requests[-1]
    assert replayed is not original
    assert replayed.bearer == token
    assert replayed.headers["x-note"] == HOSTILE_HEADER
    assert replayed.query == {"tag": "a&b c"}
    assert replayed.body == HOSTILE_BODY.encode()
    assert replayed.headers["content-type"] == "text/plain"
    assert not list(Path(tmp_path).glob("PWNED*"))  # nothing in the values ran


def test_python_sends_exactly_what_was_sent(member, notes_op, fake_access, fake_ue, tmp_path):
    page = _sent(member, notes_op, fake_access)
    (token,) = cached_tokens()

    script = tmp_path / "call.py"
    script.write_text(_pre(page, "snippet-python") + "\n")
    result = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env={"PATH": os.environ["PATH"], "TOKEN": token},
        capture_output=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(b"200 OK")
    replayed = fake_ue.api_requests[-1]
    assert replayed.bearer == token
    assert replayed.headers["x-note"] == HOSTILE_HEADER
    assert replayed.body == HOSTILE_BODY.encode()
    assert not list(Path(tmp_path).glob("PWNED*"))


def test_credential_headers_become_variables_and_redacted_values_are_flagged():
    snippets = snippets_for(
        "POST",
        "https://api.example.com/v1/things?filter[a]=1",
        [
            ["Accept", "application/json"],
            ["Content-Type", "application/json"],
            ["Cookie", "[redacted]"],
            ["X-Api-Key", "[redacted]"],
            ["Authorization", "Bearer [redacted]"],
        ],
        '{\n  "password": "[redacted]"\n}',
    )

    assert '-H "Cookie: $COOKIE"' in snippets.curl
    assert '-H "X-Api-Key: $X_API_KEY"' in snippets.curl
    assert '"Cookie": os.environ["COOKIE"],' in snippets.python
    assert '[redacted]",' not in snippets.python.split("data=")[0]  # no header keeps one
    assert '"X-Api-Key": os.environ["X_API_KEY"],' in snippets.python
    assert "--globoff" in snippets.curl  # brackets are not curl URL ranges
    assert snippets.redacted
    assert snippets.curl.startswith("# Values shown as [redacted]")


def test_a_multipart_body_becomes_form_parts():
    kept = {
        "title": "Q3 'report'",
        "file": {"file": 'a "b".csv', "contentType": "text/csv", "size": 12},
        "meta": {"k": 1},
    }
    snippets = snippets_for(
        "POST",
        "https://api.example.com/v1/uploads",
        [["Content-Type", "multipart/form-data; boundary=xyz"], ["Authorization", "Bearer x"]],
        json.dumps(kept),
    )

    assert "boundary" not in snippets.curl
    assert "boundary" not in snippets.python
    assert "--form-string 'title=Q3 '\"'\"'report'\"'\"''" in snippets.curl
    assert '-F \'file=@"a \\"b\\".csv";type=text/csv\'' in snippets.curl
    name = '"a \\"b\\".csv"'
    assert f'("file", ({name}, open({name}, "rb"), "text/csv")),' in snippets.python
    assert '("meta", (None, "{\\"k\\":1}", "application/json")),' in snippets.python
    assert '("title", (None, "Q3 \'report\'")),' in snippets.python
    compile(snippets.python, "<snippet>", "exec")


@pytest.mark.skipif(not shutil.which("curl"), reason="curl is not installed")
def test_multipart_snippets_send_the_same_parts(member, echo, echo_access, echo_op, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    csv = b"day,calls\n2024-01-31,1204\n"
    values = {
        "body:title": 'It\'s "Q1" $(touch PWNED)',
        "body:file": SimpleUploadedFile("usage.csv", csv, content_type="text/plain"),
        "body:meta": '{"source": "test"}',
    }
    page = html(send(member.client(), echo_op("uploadFile"), echo_access, values, htmx=True))
    (sent,) = echo.api()
    (tmp_path / "usage.csv").write_bytes(csv)  # the snippets read the file by its name
    token = "echo-token-not-checked"  # the echo server takes any token

    for name, command in (
        ("curl", ["bash", "call"]),
        ("python", [sys.executable, "call"]),
    ):
        (tmp_path / "call").write_text(_pre(page, f"snippet-{name}") + "\n")
        result = subprocess.run(
            command,
            cwd=tmp_path,
            env={"PATH": os.environ["PATH"], "TOKEN": token},
            capture_output=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, (name, result.stderr)
        replayed = echo.api()[-1]
        assert replayed.headers["authorization"] == f"Bearer {token}"

        def parts(request):
            return [(p["name"], p["filename"], p["data"]) for p in request.multipart()]

        assert parts(replayed) == parts(sent), name
        file_part = next(p for p in replayed.multipart() if p["name"] == "file")
        assert file_part["content_type"] == "text/csv"
    assert not list(tmp_path.glob("PWNED*"))
