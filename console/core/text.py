"""Text typed by people, checked once for what the database cannot hold.

PostgreSQL refuses a NUL character in text, and no database stores a lone surrogate
(``\\ud800`` from a JSON import, say) as UTF-8: both would fail at the insert as a 500.
The services that keep names, rows and bodies refuse them here with a message instead.
"""

from __future__ import annotations

import re

MAX_NAME = 200
# NUL, and UTF-16 surrogates that are not part of a pair (a str cannot hold a pair).
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")


def unstorable(text: str) -> bool:
    """Whether `text` holds a NUL character or a lone surrogate."""
    return bool(_UNSTORABLE.search(text))


def clean_text(text: object, what: str, error: type[Exception]) -> str:
    """`text` as a str; raises `error` naming `what` when it cannot be stored."""
    text = str(text if text is not None else "")
    if unstorable(text):
        raise error(
            f"{what[:1].upper()}{what[1:]} holds a character that cannot be kept "
            "(a NUL or an unpaired surrogate): remove it and try again."
        )
    return text


def clean_name(name: object, what: str, error: type[Exception], max_length: int = MAX_NAME) -> str:
    """A name as stored: one line, trimmed; raises `error` when empty, too long or
    holding a character that cannot be stored."""
    name = " ".join(clean_text(name, f"the {what}'s name", error).split())
    if not name:
        raise error(f"Give the {what} a name.")
    if len(name) > max_length:
        raise error(f"Names have at most {max_length} characters.")
    return name
