"""Single sign-on's two steps: send the person to the provider, take them back.

mozilla-django-oidc's views with the console's endpoints (from discovery) and with
every way the flow can fail shown on the sign-in page in words: the provider down, a
consent denied, an answer that does not belong to this browser's sign-in (state) or
does not verify (nonce, signature), and the console's own refusals (backend.py).
"""

from __future__ import annotations

import logging
from typing import Any

import jwt
import requests
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.views.generic import View
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from console.accounts.services import sign_in_complete
from console.accounts.views import SIGN_IN_ERROR
from console.sso.discovery import SsoUnavailable, provider_metadata

log = logging.getLogger(__name__)


def _label() -> str:
    return settings.CONSOLE_SSO_LABEL


def _back_to_sign_in(request: HttpRequest, message: str) -> HttpResponse:
    """The sign-in page, with `message` on it: a redirect, so that the address bar holds
    no code and a reload does not replay the provider's answer."""
    request.session[SIGN_IN_ERROR] = message
    return redirect("login")


def _unavailable(request: HttpRequest) -> HttpResponse:
    other = " or sign in with your password" if settings.CONSOLE_LOCAL_PASSWORDS else ""
    return _back_to_sign_in(
        request,
        f"Single sign-on is not available right now: {_label()} does not answer. "
        f"Try again in a few minutes{other}.",
    )


class SsoStartView(OIDCAuthenticationRequestView):
    """ "Sign in with …": a redirect to the provider with state, nonce and PKCE."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        View.__init__(self, *args, **kwargs)  # the endpoints come from discovery, per request
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID

    def get(self, request: HttpRequest) -> HttpResponse:
        """Redirect to the provider's authorization endpoint, if it answers."""
        if not settings.CONSOLE_SSO:
            raise Http404("Single sign-on is not set up.")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider_metadata().authorization_endpoint
        except SsoUnavailable as exc:
            log.warning("Single sign-on unavailable: %s", exc)
            return _unavailable(request)
        return super().get(request)


class SsoCallbackView(OIDCAuthenticationCallbackView):
    """The provider sends the person back here with a code (or an error)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        """Check the answer, exchange the code, sign in; any failure in words."""
        if not settings.CONSOLE_SSO:
            raise Http404("Single sign-on is not set up.")
        self.failure_message = ""
        if request.GET.get("error"):
            self.failure_message = self._provider_error(request)
        elif "code" in request.GET and "state" in request.GET and not self._state_known(request):
            self.failure_message = (
                "This sign-in answer does not belong to a sign-in started in this browser "
                "(it may have taken too long, or come from another tab). Please try again."
            )
            return self.login_failure()
        try:
            return super().get(request)
        except SsoUnavailable:
            return _unavailable(request)
        except requests.RequestException as exc:
            log.warning("Single sign-on: the provider failed (%s).", type(exc).__name__)
            self.failure_message = (
                f"{_label()} did not complete the sign-in (it did not answer or refused the "
                "console). Please try again."
            )
        except (SuspiciousOperation, jwt.InvalidTokenError) as exc:
            log.warning("Single sign-on: an answer that does not verify (%s).", exc)
            self.failure_message = (
                f"The answer from {_label()} could not be verified, so you are not signed in. "
                "Please try again; if it keeps happening, tell your console's administrator."
            )
        return self.login_failure()

    @staticmethod
    def _state_known(request: HttpRequest) -> bool:
        return request.GET.get("state") in (request.session.get("oidc_states") or {})

    @staticmethod
    def _provider_error(request: HttpRequest) -> str:
        if request.GET.get("error") == "access_denied":
            return (
                f"You did not allow the console to use your {_label()} account, so you are "
                "not signed in."
            )
        detail = request.GET.get("error_description") or request.GET.get("error")
        return f"{_label()} refused the sign-in: {detail[:200]}"

    def login_failure(self) -> HttpResponse:
        """The sign-in page with what went wrong."""
        message = (
            self.failure_message
            or getattr(self.request, "console_sso_failure", "")
            or f"Signing in with {_label()} did not work. Please try again."
        )
        return _back_to_sign_in(self.request, message)

    def login_success(self) -> HttpResponse:
        """Sign in through the console's backend, remembering it was single sign-on."""
        sign_in_complete(request=self.request, user=self.user, method="sso")
        return HttpResponseRedirect(self.success_url)
