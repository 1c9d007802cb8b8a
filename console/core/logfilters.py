"""A logging filter that keeps one-time link tokens out of every log line.

Invitation links (`/invite/<team>/<token>/`) and password-reset links
(`/account/reset/<uid>/<token>/`) carry their secret in the path, and the path shows up
in request lines (runserver, gunicorn's access log), in Referer fields and in Django's
"Not Found" warnings. The views swap the token for the session at once, so each token
is in at most one request line; this filter redacts it there.
"""

from __future__ import annotations

import logging
import re

_LINK_TOKEN = re.compile(
    r"(/invite/[^/\s?#\"']+/|/account/reset/[^/\s?#\"']+/)(?!set-password/)[^/\s?#\"']+"
)


def redact_link_tokens(text: str) -> str:
    """`text` with the token part of invitation and reset links replaced."""
    return _LINK_TOKEN.sub(r"\1[redacted]", text)


class RedactLinkTokens(logging.Filter):
    """Rewrites a record's message (its arguments merged in) without link tokens."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Always keep the record; only its text changes."""
        message = record.getMessage()
        if "/invite/" in message or "/account/reset/" in message:
            record.msg, record.args = redact_link_tokens(message), None
        return True
