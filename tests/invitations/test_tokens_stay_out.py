"""Invitation and password-reset tokens never land in the log, the history or the
database: only the invitation's hash is stored, the token leaves the address at once,
and the one request line that carries it is redacted on its way to the log."""

from __future__ import annotations

import io
import logging

from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from console.core.logfilters import RedactLinkTokens, redact_link_tokens
from console.core.models import Session
from console.core.sessions import SessionStore
from tests.invitations.conftest import link_of, path_of, send


def _token(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[1]


def _everything_stored() -> str:
    """Every row of every table as text, sessions' encoded data decoded too."""
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    sessions = [str(SessionStore().decode(s.session_data)) for s in Session.objects.all()]
    return out.getvalue() + "\n".join(sessions)


def test_the_token_is_nowhere_after_the_whole_flow(team, admin, member, caplog):
    caplog.set_level(logging.DEBUG)
    link = path_of(link_of(send(admin.client(), team.slug, "new@example.com")))
    token = _token(link)
    client = Client()
    client.get(link)
    client.get(reverse("join:invitation"))
    # A failed sign-in on the way (django-axes keeps the request's data), then a new account.
    client.post(reverse("login"), {"username": "mia", "password": "wrong", "next": "/invite/"})
    client.post(
        reverse("join:sign_up"),
        {"username": "newbie", "password1": "Correct-Horse-42", "password2": "Correct-Horse-42"},
    )
    Client().get(link[:-5] + "xxxx/")  # a broken link: Django logs "Not Found"

    assert token not in caplog.text
    assert token not in _everything_stored()
    assert AccessAttempt.objects.exists()  # the failed sign-in was kept, without the token


def _as_the_handler_writes(logger: str, message: str, *args: object) -> str:
    """A record of `logger` as the console's handler (settings.LOGGING's "stderr") writes it."""
    handler = logging.getHandlerByName("stderr")
    assert handler in logging.getLogger("django.server").handlers  # runserver's lines too
    assert any(isinstance(f, RedactLinkTokens) for f in handler.filters)
    record = logging.getLogger(logger).makeRecord(
        logger, logging.INFO, __file__, 1, message, args, None
    )
    assert handler.filter(record)
    return handler.format(record)


def test_request_lines_with_tokens_are_redacted_by_the_consoles_handler():
    line = _as_the_handler_writes(
        "django.server", '"%s" %s %s', "GET /invite/metering/SeCrEtToKeN123/ HTTP/1.1", "302", "0"
    )
    assert "SeCrEtToKeN123" not in line
    assert "/invite/metering/[redacted]/" in line
    warning = _as_the_handler_writes(
        "django.request", "Not Found: %s", "/account/reset/MQ/cabc12-0123456789abcdef/"
    )
    assert "0123456789abcdef" not in warning
    assert "/account/reset/MQ/[redacted]/" in warning


def test_the_filter_leaves_other_lines_and_the_reset_form_alone():
    assert redact_link_tokens("GET /t/metering/history/ 200") == "GET /t/metering/history/ 200"
    assert (
        redact_link_tokens("/account/reset/MQ/set-password/") == "/account/reset/MQ/set-password/"
    )
    assert redact_link_tokens('"GET /invite/ HTTP/1.1"') == '"GET /invite/ HTTP/1.1"'
    referer = 'GET /t/x/ 200 "http://c/invite/demo/abc-DEF_1/"'
    assert redact_link_tokens(referer) == 'GET /t/x/ 200 "http://c/invite/demo/[redacted]/"'


def test_gunicorns_access_log_goes_through_the_same_filter():
    from console import gunicorn

    config = gunicorn.logconfig_dict
    assert config["filters"]["link_tokens"]["()"] == "console.core.logfilters.RedactLinkTokens"
    assert config["loggers"]["gunicorn.access"]["handlers"] == ["access"]
    assert config["handlers"]["access"]["filters"] == ["link_tokens"]
