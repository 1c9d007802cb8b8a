"""Comparing two recorded responses: each side as recorded, and a line diff of the bodies.

Bodies are compared as the detail page shows them: JSON pretty-printed (2 spaces, keys
in their recorded order), anything else as text. The diff is computed with difflib and
rendered by the template, which escapes every line.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from django.utils.safestring import mark_safe

from console.explorer.rendering import RenderedBody, render_body
from console.history.models import CallRecord

CONTEXT_LINES = 3
MAX_COMPARED_LINES = 20_000  # per body; more than a body kept in full ever has in practice
MAX_SHOWN_LINES = 4_000  # of the diff


@dataclass(frozen=True)
class Side:
    """One record as the compare page shows it."""

    record: CallRecord
    content_type: str
    body: RenderedBody
    text: str  # what the diff compares
    binary: bool


def _content_type(record: CallRecord) -> str:
    return next(
        (str(v) for k, v in record.response_headers if str(k).lower() == "content-type"), ""
    )


def side(record: CallRecord) -> Side:
    """`record`'s response, rendered, and its body as text for the diff."""
    content_type = _content_type(record)
    if getattr(record, "response_body_b64", ""):
        body = RenderedBody("binary", record.response_size, mark_safe(""), "")
        return Side(record, content_type, body, "", True)
    body = render_body(record.response_body.encode(), content_type)
    text = body.text if body.kind == "json" else record.response_body
    return Side(record, content_type, body, text, False)


@dataclass(frozen=True)
class DiffLine:
    """One line of the diff: ``add``, ``del``, ``same`` or ``hunk`` (a ``@@`` header)."""

    kind: str
    text: str
    old: int | None = None  # line number in the older body
    new: int | None = None  # line number in the newer body

    @property
    def sign(self) -> str:
        return {"add": "+", "del": "-", "same": " "}.get(self.kind, "")


@dataclass
class BodyDiff:
    """The line diff of two bodies."""

    lines: list[DiffLine] = field(default_factory=list)
    added: int = 0
    removed: int = 0
    identical: bool = False
    too_long: bool = False
    cut: bool = False  # more diff lines than are shown
    binary: bool = False  # a binary body: not compared line by line


def _range(start: int, end: int) -> str:
    count = end - start
    return f"{start + 1 if count else start},{count}"


def line_diff(old: str, new: str, context: int = CONTEXT_LINES) -> BodyDiff:
    """The lines removed from `old` and added in `new`, with `context` lines around each."""
    a, b = old.splitlines(), new.splitlines()
    if a == b:
        return BodyDiff(identical=True)
    if len(a) > MAX_COMPARED_LINES or len(b) > MAX_COMPARED_LINES:
        return BodyDiff(too_long=True)
    result = BodyDiff()
    matcher = difflib.SequenceMatcher(None, a, b)
    for group in matcher.get_grouped_opcodes(context):
        first, last = group[0], group[-1]
        header = f"@@ -{_range(first[1], last[2])} +{_range(first[3], last[4])} @@"
        result.lines.append(DiffLine("hunk", header))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                result.lines.extend(
                    DiffLine("same", a[i], i + 1, j1 + (i - i1) + 1) for i in range(i1, i2)
                )
                continue
            if tag in ("replace", "delete"):
                result.lines.extend(DiffLine("del", a[i], old=i + 1) for i in range(i1, i2))
                result.removed += i2 - i1
            if tag in ("replace", "insert"):
                result.lines.extend(DiffLine("add", b[j], new=j + 1) for j in range(j1, j2))
                result.added += j2 - j1
    if len(result.lines) > MAX_SHOWN_LINES:
        result.lines = result.lines[:MAX_SHOWN_LINES]
        result.cut = True
    return result


@dataclass(frozen=True)
class Comparison:
    """Two records, older first, and the diff of their response bodies."""

    old: Side
    new: Side
    diff: BodyDiff
    same_operation: bool

    @property
    def sides(self) -> tuple[Side, Side]:
        return (self.old, self.new)


def compare(first: CallRecord, second: CallRecord) -> Comparison:
    """Compare two records' responses (the older one first, whatever the order given)."""
    old, new = sorted([first, second], key=lambda r: r.pk)
    left, right = side(old), side(new)
    if left.binary or right.binary:
        same = left.binary and right.binary and old.response_body_b64 == new.response_body_b64
        diff = BodyDiff(identical=same, binary=True)
    else:
        diff = line_diff(left.text, right.text)
    same_operation = (old.operation_key, old.method) == (new.operation_key, new.method)
    return Comparison(left, right, diff, same_operation)
