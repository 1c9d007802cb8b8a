"""Durations written the way people write them in settings and commands: 7d, 12h, 30m, 4w.

Django-free, so that `console.settings` can read its own variables with it.
"""

from __future__ import annotations

import re
from datetime import timedelta

UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
EXAMPLES = {"s": "45s", "m": "30m", "h": "12h", "d": "7d", "w": "4w"}


def parse_duration(text: str, *, units: str = "smhdw") -> timedelta:
    """'7d', '12h', '30m', '45s' or '4w' (only the `units` allowed) as a timedelta.

    A bare number is seconds when seconds are allowed. Raises ValueError with a message
    that names the accepted forms.
    """
    match = re.fullmatch(r"(\d+)\s*([a-z]?)", text.strip().lower())
    unit = (match[2] or "s") if match else ""
    if match is None or unit not in units:
        examples = ", ".join(EXAMPLES[u] for u in units)
        raise ValueError(f"a number and one of {', '.join(units)} (e.g. {examples}), not {text!r}")
    return timedelta(**{UNITS[unit]: int(match[1])})
