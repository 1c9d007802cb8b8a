"""Mail the console sends (invitations, password resets), when mail is set up.

Where it is not (`CONSOLE_EMAIL` off: no EMAIL_URL, no EMAIL_HOST, not demo mode), nothing
is sent and the page shows the link to copy instead. A mail server that refuses or does
not answer is reported to the person as "not mailed", never as an error page; the log
names the failure, never the message's text (it holds a one-time link).
"""

from __future__ import annotations

import logging
import smtplib
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

log = logging.getLogger(__name__)


def mail_configured() -> bool:
    """True when the console may send mail."""
    return bool(settings.CONSOLE_EMAIL)


def send_templated(*, to: str, template: str, context: dict[str, Any]) -> bool:
    """Send `template` (its first line the subject, the rest the text) to `to`.

    Returns True when the mail server took it, False when mail is not configured or the
    server failed (logged without the message).
    """
    if not mail_configured() or not to:
        return False
    subject, _, body = render_to_string(template, context).strip().partition("\n")
    try:
        send_mail(subject.strip(), body.strip() + "\n", None, [to])
    except (smtplib.SMTPException, OSError) as exc:
        log.warning("Could not mail %s (%s): %s", template, type(exc).__name__, exc)
        return False
    return True
