"""Where the time of one Send went: getting the token, the HTTP exchange, the console.

The split is shown in the response panel as a small bar with its figures, and sent
as a ``Server-Timing`` header on the Send view's response, so the browser's
developer tools show the same three parts:

    Server-Timing: token;dur=0.4, upstream;dur=52.1, console;dur=6.3

*token* is the time spent getting the shared token (from the cache or the token
endpoint, both attempts after a 401 included); *upstream* the HTTP exchange(s) with
the API; *console* everything else from the Send view's start: parsing, validating
and building the request, writing the history record and rendering the answer.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cached_property

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

BAR_HEIGHT = 6


@dataclass(frozen=True)
class Segment:
    """One part of the bar: its name, milliseconds, and where it sits (0-100)."""

    name: str
    label: str
    ms: float
    x: float
    width: float


@dataclass(frozen=True)
class TimingSplit:
    """Token, upstream and console milliseconds of one Send."""

    token_ms: float
    upstream_ms: float
    console_ms: float

    @classmethod
    def since(cls, started: float, token_ms: float, upstream_ms: float) -> TimingSplit:
        """The split of a Send that began at `started` (a `time.perf_counter()` reading)."""
        total = (time.perf_counter() - started) * 1000
        token_ms, upstream_ms = max(0.0, token_ms), max(0.0, upstream_ms)
        return cls(token_ms, upstream_ms, max(0.0, total - token_ms - upstream_ms))

    @property
    def total_ms(self) -> float:
        """The whole Send, as the console measured it."""
        return self.token_ms + self.upstream_ms + self.console_ms

    @cached_property
    def segments(self) -> list[Segment]:
        """The three parts with their places on a 0-100 bar (for an SVG of rects)."""
        total = self.total_ms or 1.0
        parts = [
            ("token", "Token", self.token_ms),
            ("upstream", "Upstream", self.upstream_ms),
            ("console", "Console", self.console_ms),
        ]
        out, x = [], 0.0
        for name, label, ms in parts:
            width = round(100 * ms / total, 2)
            out.append(Segment(name, label, ms, round(x, 2), width))
            x += width
        return out

    @property
    def summary(self) -> str:
        """The split in words, for screen readers and tooltips."""
        return ", ".join(f"{s.label.lower()} {s.ms:.0f} ms" for s in self.segments)

    def header(self) -> str:
        """The value of a ``Server-Timing`` header."""
        return ", ".join(f"{s.name};dur={s.ms:.1f}" for s in self.segments)

    @property
    def bar_height(self) -> int:
        """The SVG bar's height in its own units."""
        return BAR_HEIGHT


def timing_html(timing: TimingSplit, note: str = "") -> SafeString:
    """The split as the panel and the call page show it: an SVG bar and a legend.

    Built here rather than in a template: it is on every Send's answer, and as an
    `{% include %}` these dozen values took about twice as long to render (0.4 ms
    against 0.2 ms, measured in the proxy bench's Send view).
    """
    segments = timing.segments
    height = timing.bar_height
    rects = format_html_join(
        "",
        '<rect class="timing-{}" x="{}" y="0" width="{}" height="{}">'
        "<title>{}: {} ms</title></rect>",
        (
            (s.name, f"{s.x:.2f}", f"{s.width:.2f}", height, s.label, f"{s.ms:.1f}")
            for s in segments
        ),
    )
    legend = format_html_join(
        "",
        '\n    <li data-timing-part="{}"><span class="timing-key timing-{}" aria-hidden="true">'
        '</span>{} <span class="mono">{} ms</span></li>',
        ((s.name, s.name, s.label, f"{s.ms:.1f}") for s in segments),
    )
    return format_html(
        '<div class="timing" data-timing>\n'
        '  <svg class="timing-bar" viewBox="0 0 100 {}" preserveAspectRatio="none" role="img"'
        ' aria-label="Time split: {}" focusable="false">{}</svg>\n'
        '  <ul class="timing-legend" aria-label="Time split">{}\n  </ul>\n'
        "  {}\n</div>",
        height,
        timing.summary,
        rects,
        legend,
        format_html('<p class="timing-note">{}</p>', note) if note else "",
    )
