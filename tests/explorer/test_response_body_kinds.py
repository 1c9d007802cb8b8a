"""The body by content type: JSON as a foldable tree, text as text, HTML as escaped source,
binary offered as a download of what the history kept (team-scoped, an attachment)."""

from __future__ import annotations

import base64
import json
import os

from django.urls import reverse

from console.explorer.rendering import FOLD_LINES, is_binary, render_body
from console.history.chain import chain_append, chain_verify
from console.history.models import CallRecord
from tests.explorer.support import Reply, assert_no_leak, html, records, send

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
    b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _download_url(record: CallRecord) -> str:
    return reverse("history:response_body", args=[record.team.slug, record.pk])


# ---------------------------------------------------------------- JSON


def test_json_is_a_foldable_tree(member, fake_access, fake_op, fake_ue):
    fake_ue.api_script.append(
        Reply(200, {"items": [{"name": "a <b>", "n": 1, "ok": True, "x": None}], "total": 1.5})
    )

    page = html(send(member.client(), fake_op, fake_access, htmx=True))

    assert_no_leak(page)
    assert '<div class="highlight json-tree"' in page
    # Each object and array folds; all of a small body starts unfolded.
    assert page.count('<details class="jt" open>') == 3
    assert '<summary class="jt-line"><span class="p">{</span>' in page
    assert '<span class="nt">&quot;items&quot;</span>' in page
    assert '<span class="s2">&quot;a &lt;b&gt;&quot;</span>' in page
    assert '<span class="mi">1</span>' in page
    assert '<span class="kc">true</span>' in page
    assert '<span class="kc">null</span>' in page
    assert '<span class="mf">1.5</span>' in page
    assert "… 1 item" in page  # what a folded array says it holds
    assert "<b>" not in page.split('id="response-body"')[1].split("</section>")[0]


def test_a_large_json_body_starts_with_its_first_levels_unfolded(
    member, fake_access, fake_op, fake_ue
):
    rows = [{"id": i, "tags": ["x", "y"]} for i in range(FOLD_LINES)]
    fake_ue.api_script.append(Reply(200, {"rows": rows}))

    page = html(send(member.client(), fake_op, fake_access, htmx=True))

    assert page.count('<details class="jt" open>') == 2  # the body and "rows"
    assert page.count('<details class="jt">') == 2 * FOLD_LINES  # each row and its tags
    assert "… 2 keys" in page


def test_json_folding_needs_no_script_and_no_style_attribute():
    body = render_body(json.dumps({"a": [1, {"b": "c"}]}).encode(), "application/json")

    assert body.kind == "json"
    assert body.foldable
    assert "<script" not in body.html
    assert "style=" not in body.html
    assert body.text == json.dumps({"a": [1, {"b": "c"}]}, indent=2)


def test_json_nested_too_deep_for_a_tree_is_still_shown():
    deep = "[" * 5000 + "]" * 5000
    body = render_body(deep.encode(), "application/json")

    assert body.kind in ("json", "text")
    assert body.html


# ---------------------------------------------------------------- text and HTML


def test_text_is_shown_as_escaped_text(member, fake_access, fake_op, fake_ue):
    fake_ue.api_script.append(Reply(200, "line one\nwith <tags> & ampersands"))

    page = html(send(member.client(), fake_op, fake_access, htmx=True))

    assert "line one" in page
    assert "with &lt;tags&gt; &amp; ampersands" in page
    assert "<tags>" not in page
    assert "json-tree" not in page


def test_html_is_shown_as_escaped_source_never_rendered(member, fake_access, fake_op, fake_ue):
    fake_ue.api_script.append(
        Reply(
            200,
            b"<html><body><h1 onclick='x()'>Hi</h1><script>alert(1)</script></body></html>",
            {"Content-Type": "text/html; charset=utf-8"},
        )
    )

    page = html(send(member.client(), fake_op, fake_access, htmx=True))

    panel = page.split('id="response-body"')[1].split("</section>")[0]
    assert "<script>" not in panel
    assert "<h1" not in panel
    assert "<html>" not in panel
    assert "&lt;" in panel
    assert "script" in panel
    assert "alert" in panel
    assert "Download" not in panel


# ---------------------------------------------------------------- binary


def test_binary_is_offered_as_a_download_of_its_exact_bytes(
    member, viewer, fake_access, fake_op, fake_ue, team
):
    fake_ue.api_script.append(Reply(200, PNG, {"Content-Type": "image/png"}))

    page = html(send(member.client(), fake_op, fake_access, htmx=True))

    (record,) = records()
    url = _download_url(record)
    assert f'href="{url}"' in page
    assert "of binary content" in page
    assert "image/png" in page
    for person in (member, viewer):  # whoever may read the history may download
        response = person.client().get(url)
        assert response.status_code == 200
        assert response.content == PNG
        assert response["Content-Type"] == "image/png"
        assert response["Content-Disposition"] == (
            f'attachment; filename="call-{record.pk}-response.png"'
        )
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]
    assert base64.b64decode(record.response_body_b64) == PNG
    assert record.response_body == f"[{len(PNG)} bytes of binary content]"
    assert chain_verify(team).ok
    detail = html(member.client().get(reverse("history:detail", args=[team.slug, record.pk])))
    assert f'href="{url}"' in detail


def test_the_download_is_not_for_outsiders(member, outsider, fake_access, fake_op, fake_ue):
    fake_ue.api_script.append(Reply(200, PNG, {"Content-Type": "image/png"}))
    send(member.client(), fake_op, fake_access, htmx=True)
    (record,) = records()

    assert outsider.client().get(_download_url(record)).status_code == 404
    other_teams_url = reverse("history:response_body", args=["billing", record.pk])
    assert outsider.client().get(other_teams_url).status_code == 404


def test_bytes_that_are_not_utf8_are_binary_whatever_the_type_says(
    member, fake_access, fake_op, fake_ue
):
    blob = bytes(range(128, 256)) * 4  # no NUL byte, not UTF-8
    fake_ue.api_script.append(Reply(200, blob, {"Content-Type": "application/octet-stream"}))

    page = html(send(member.client(), fake_op, fake_access, htmx=True))

    (record,) = records()
    assert "of binary content" in page
    response = member.client().get(_download_url(record))
    assert response.content == blob
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].endswith('.bin"')


def test_a_large_binary_keeps_the_history_limit_and_says_so(
    settings, member, fake_access, fake_op, fake_ue
):
    settings.CONSOLE_HISTORY_BODY_LIMIT = 1024
    blob = b"\x00" + os.urandom(4000)
    fake_ue.api_script.append(Reply(200, blob, {"Content-Type": "application/pdf"}))

    page = html(send(member.client(), fake_op, fake_access, htmx=True))

    (record,) = records()
    assert record.response_size == len(blob)
    assert record.response_truncated
    assert "the download holds that part" in page
    response = member.client().get(_download_url(record))
    assert response.content == blob[:1024]
    assert response["Content-Type"] == "application/pdf"


def test_a_text_body_downloads_as_utf8_text(member, fake_access, fake_op, fake_ue):
    fake_ue.api_script.append(Reply(200, {"name": "Zoë"}))
    send(member.client(), fake_op, fake_access, htmx=True)
    (record,) = records()

    response = member.client().get(_download_url(record))

    assert response.status_code == 200
    assert json.loads(response.content) == {"name": "Zoë"}
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")


def test_nothing_to_download_is_a_404(member, team):
    # A record from before binary bodies were kept, and one without any body.
    legacy = chain_append(
        CallRecord(
            team=team,
            username="mia",
            method="GET",
            url="https://api.example.com/file",
            status=200,
            response_headers=[["Content-Type", "image/png"]],
            response_body="[70 bytes of binary content not stored]",
            response_size=70,
            duration_ms=5.0,  # floats, as the console writes them (0 would hash as 0.0 later)
            token_ms=1.0,
        )
    )
    empty = chain_append(
        CallRecord(
            team=team,
            username="mia",
            method="GET",
            url="https://x/",
            status=204,
            duration_ms=5.0,
            token_ms=1.0,
        )
    )

    for record in (legacy, empty):
        assert member.client().get(_download_url(record)).status_code == 404
    report = chain_verify(team)
    assert report.ok, report.problem


def test_binary_sniffing():
    assert is_binary(PNG, "image/png")
    assert is_binary(b"%PDF-1.7 plain looking", "application/pdf")
    assert is_binary(b"abc\x00def", "text/plain")  # a NUL byte always means bytes
    assert not is_binary(b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml")
    assert not is_binary("Zoë".encode(), "")
    assert is_binary(b"\xff\xfe\xfa", "")
    # A multi-byte character cut at the 1 KB mark is still text.
    assert not is_binary(("a" * 1023 + "ë" * 10).encode(), "")
