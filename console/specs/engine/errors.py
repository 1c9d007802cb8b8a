"""Errors and problem reports shared by the OpenAPI engine."""

from __future__ import annotations

from dataclasses import dataclass, field


class SpecError(Exception):
    """A document (or a part of it) cannot be used; `message` is one sentence for a person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class RequestBuildError(Exception):
    """A request cannot be built from the values given; `fields` names the culprits.

    Each entry of `fields` is a ``(location, name)`` pair such as ``("path", "id")``;
    the request body is ``("body", "")``.
    """

    def __init__(
        self, message: str, fields: list[tuple[str, str]] | None = None, *, refused: bool = False
    ) -> None:
        super().__init__(message)
        self.message = message
        self.fields: list[tuple[str, str]] = list(fields or [])
        # True when the value is refused for safety (e.g. a line break in a header),
        # not merely missing or malformed: such an attempt belongs in the history.
        self.refused = refused

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Problem:
    """Something wrong in a document, located by a readable pointer.

    `pointer` reads like ``paths./meters.get.parameters[2]``; `severity` is ``"error"``
    (the operation it belongs to was skipped) or ``"warning"`` (it was kept); `operation`
    is ``("GET", "/meters")`` when the problem belongs to one operation.
    """

    pointer: str
    message: str
    severity: str = "error"
    operation: tuple[str, str] | None = field(default=None, compare=False)

    def __str__(self) -> str:
        return f"{self.pointer}: {self.message}"


def readable_pointer(*parts: str | int) -> str:
    """Join location parts as ``paths./meters.get.parameters[2]`` (ints become ``[n]``)."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif out:
            out += "." + part
        else:
            out = part
    return out
