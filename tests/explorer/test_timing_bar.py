"""The timing split's markup (`timing_html`): the bar's rects fill the width (to rounding),
the legend carries each part's figure, and the note is escaped like any text."""

from __future__ import annotations

import re

import pytest

from console.explorer.timing import TimingSplit, timing_html


def test_the_bar_and_the_legend_carry_each_part():
    page = str(timing_html(TimingSplit(token_ms=1.25, upstream_ms=50.0, console_ms=8.75)))
    rects = re.findall(r'<rect class="timing-(\w+)" x="([\d.]+)" y="0" width="([\d.]+)"', page)
    assert [name for name, _x, _w in rects] == ["token", "upstream", "console"]
    assert [float(x) for _n, x, _w in rects] == [0.0, 2.08, 85.41]
    assert sum(float(w) for _n, _x, w in rects) == pytest.approx(100, abs=0.02)
    assert "<title>Upstream: 50.0 ms</title>" in page
    assert 'aria-label="Time split: token 1 ms, upstream 50 ms, console 9 ms"' in page
    legend = re.findall(r'data-timing-part="(\w+)".*?<span class="mono">([\d.]+) ms', page)
    assert legend == [("token", "1.2"), ("upstream", "50.0"), ("console", "8.8")]
    assert 'viewBox="0 0 100 6"' in page
    assert "timing-note" not in page


def test_the_note_is_escaped():
    page = str(timing_html(TimingSplit(0, 0, 1), note='<b>"console"</b> & the rest'))
    assert (
        '<p class="timing-note">&lt;b&gt;&quot;console&quot;&lt;/b&gt; &amp; the rest</p>' in page
    )


def test_a_call_that_took_no_time_still_draws_a_bar():
    page = str(timing_html(TimingSplit(0, 0, 0)))
    assert page.count("<rect ") == 3
    assert 'width="0.00"' in page
