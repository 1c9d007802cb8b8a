"""The Server-Timing split of a Send: token, upstream, console, in the panel, the header and
the history record, measured against a local server with known delays."""

from __future__ import annotations

import re

from console.history.chain import chain_verify
from tests.explorer.support import Reply, html, records, send

SPLIT = re.compile(r"^token;dur=([\d.]+), upstream;dur=([\d.]+), console;dur=([\d.]+)$")


def _split(response) -> tuple[float, float, float]:
    match = SPLIT.match(response["Server-Timing"])
    assert match, response["Server-Timing"]
    token, upstream, console = (float(g) for g in match.groups())
    return token, upstream, console


def test_a_slow_upstream_shows_in_the_upstream_part(member, fake_access, fake_op, fake_ue, team):
    fake_ue.api_script.append(Reply(200, {"ok": True}, delay=0.25))

    response = send(member.client(), fake_op, fake_access, htmx=True)

    assert response.status_code == 200
    token, upstream, console = _split(response)
    assert upstream >= 250
    assert token < 250
    assert console < 250
    page = html(response)
    for part in ("token", "upstream", "console"):
        assert f'data-timing-part="{part}"' in page
    assert 'class="timing-bar"' in page
    assert "<rect" in page
    (record,) = records()
    assert record.upstream_ms >= 250
    assert record.token_ms < 250
    assert record.duration_ms >= record.token_ms + record.upstream_ms
    assert record.console_ms is not None
    assert record.console_ms >= 0
    assert chain_verify(team).ok


def test_a_slow_token_endpoint_shows_in_the_token_part_then_the_cache_is_quick(
    member, fake_access, fake_op, fake_ue
):
    fake_ue.token_script.append(
        Reply(
            200,
            {"access_token": "slow-token-0001-abcdef", "token_type": "Bearer", "expires_in": 3600},
            delay=0.3,
        )
    )
    fake_ue.issued.append("slow-token-0001-abcdef")
    client = member.client()

    first = send(client, fake_op, fake_access, htmx=True)
    second = send(client, fake_op, fake_access, htmx=True)

    token, upstream, _ = _split(first)
    assert token >= 300
    assert upstream < 300
    assert _split(second)[0] < 100  # the shared token, from the cache
    fetched, cached = records()
    assert fetched.token_source == "fetched"
    assert fetched.token_ms >= 300
    assert cached.token_source == "cached"
    assert cached.token_ms < 100


def test_both_attempts_count_after_a_401(member, fake_access, fake_op, fake_ue):
    fake_ue.api_script.extend(
        [Reply(401, {"error": "expired"}, delay=0.15), Reply(200, {"ok": True}, delay=0.15)]
    )

    response = send(member.client(), fake_op, fake_access, htmx=True)

    assert "renewed after a 401" in html(response)
    assert _split(response)[1] >= 300
    assert records()[0].upstream_ms >= 300


def test_the_full_page_answer_carries_the_header_too(member, fake_access, fake_op):
    response = send(member.client(), fake_op, fake_access)

    assert response.status_code == 200
    _split(response)
    assert 'data-timing-part="console"' in html(response)


def test_an_answer_that_sent_nothing_is_all_console(member, fake_op, fake_ue):
    response = send(member.client(), fake_op, None, htmx=True)

    token, upstream, _ = _split(response)
    assert token == 0
    assert upstream == 0
    assert fake_ue.api_requests == []


def test_a_timed_out_call_still_splits_and_records(settings, member, fake_access, fake_op, fake_ue):
    settings.CONSOLE_READ_TIMEOUT = 0.3
    fake_ue.api_script.append(Reply(200, {"slow": True}, delay=1.5))

    response = send(member.client(), fake_op, fake_access, htmx=True)

    assert "Timed out" in html(response)
    _, upstream, _ = _split(response)
    assert upstream >= 300
    (record,) = records()
    assert record.error_kind == "timeout"
    assert record.upstream_ms >= 300
