"""Catastrophic patterns from a spec: RE2 (what the console runs) against Python's re.

    .venv/bin/python bench/patterns.py [--samples 7]

Prints a table, asserts nothing. For ``^(a+)+$`` (text: n times "a", then "!") and
``(x+x+)+y`` (text: n times "x"), the median time of

* ``patterns.matches`` (RE2) on 10,000 characters, and of `validate_value` on a body whose
  one property has that pattern and that value, as a Send checks it;
* Python's ``re.search`` on growing n, in a child process stopped after 5 s: the time
  doubles with each character (the reason the console never uses it on spec patterns).
"""

from __future__ import annotations

import argparse
import multiprocessing
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common import table  # noqa: E402 - bench/ is on sys.path as a script

from console.specs.engine import patterns  # noqa: E402
from console.specs.engine.validation import validate_value  # noqa: E402

CASES = (("^(a+)+$", "a", "!"), ("(x+x+)+y", "x", ""))
LONG = 10_000
RE_LENGTHS = (16, 20, 22, 24, 26, 28)
RE_GIVE_UP = 5.0


def median_ms(call, samples: int) -> float:
    """Median milliseconds of `samples` calls."""
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _search(pattern: str, text: str) -> None:
    re.search(pattern, text)


def re_ms(pattern: str, text: str) -> str:
    """Python's re on `text`, in a child process given RE_GIVE_UP seconds."""
    child = multiprocessing.Process(target=_search, args=(pattern, text))
    started = time.perf_counter()
    child.start()
    child.join(RE_GIVE_UP)
    elapsed = (time.perf_counter() - started) * 1000
    if child.is_alive():
        child.terminate()
        child.join()
        return f"> {RE_GIVE_UP:.0f} s (stopped)"
    return f"{elapsed:,.1f} ms (process start included)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=7)
    args = parser.parse_args()
    rows = []
    for pattern, char, tail in CASES:
        text = char * LONG + tail
        schema = {"type": "object", "properties": {"v": {"type": "string", "pattern": pattern}}}
        re2_ms = median_ms(lambda p=pattern, t=text: patterns.matches(p, t), args.samples)
        body_ms = median_ms(
            lambda s=schema, t=text: validate_value(s, {"v": t}, direction="request"),
            args.samples,
        )
        messages = validate_value(schema, {"v": text}, direction="request")
        rows.append(
            [f"`{pattern}`", f"{LONG:,}", f"{re2_ms:.3f}", f"{body_ms:.3f}", "; ".join(messages)]
        )
    print(
        table(
            ["pattern", "characters", "RE2 match ms", "validate_value ms", "message"],
            rows,
        )
    )
    print()
    rows = []
    for pattern, char, tail in CASES:
        for n in RE_LENGTHS:
            rows.append([f"`{pattern}`", str(n), re_ms(pattern, char * n + tail)])
    print(table(["pattern", "characters", "Python re"], rows))


if __name__ == "__main__":
    main()
