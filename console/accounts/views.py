"""Signing in (password, then a code for two-factor), the account page, and the admin's
actions on a member's sign-in (thin views over `services` and `two_factor`)."""

from __future__ import annotations

import time
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from console.accounts import services, two_factor
from console.accounts.forms import CodeForm, ConfirmPasswordForm, SignInForm
from console.accounts.throttle import lockout_response
from console.core import signin_method
from console.core.mail import mail_configured
from console.teams.models import Membership, Role
from console.teams.scoping import TeamScope, team_view

PENDING = "console_pending_signin"
# A message for the next sign-in page (a failed single sign-on), shown once.
SIGN_IN_ERROR = "console_sign_in_error"
PENDING_SECONDS = 300


def sign_in_context(request: HttpRequest, next_url: str = "") -> dict[str, Any]:
    """What the sign-in page shows besides its form: single sign-on, passwords, mail."""
    sso_url = ""
    if settings.CONSOLE_SSO:
        sso_url = reverse("sso:start")
        if next_url:
            from urllib.parse import urlencode

            sso_url += "?" + urlencode({"next": next_url})
    return {
        "sso_url": sso_url,
        "sso_label": settings.CONSOLE_SSO_LABEL,
        "local_passwords": settings.CONSOLE_LOCAL_PASSWORDS or not settings.CONSOLE_SSO,
        "can_mail": mail_configured(),
    }


def sign_in_page(request: HttpRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    """The sign-in page with a message on it (a lock-out, a failed single sign-on)."""
    next_url = request.POST.get("next") or request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = ""
    context = {"form": SignInForm(request), "next": next_url, "page_error": error}
    context.update(sign_in_context(request, next_url))
    return render(request, "registration/login.html", context, status=status)


class SignInView(auth_views.LoginView):
    """Django's LoginView; a user with two-factor goes on to the code step first."""

    form_class = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        """Django's context, with single sign-on and the password options."""
        context = super().get_context_data(**kwargs)
        context.update(sign_in_context(self.request, context.get("next", "")))
        context["page_error"] = self.request.session.pop(SIGN_IN_ERROR, "")
        return context

    def form_valid(self, form: SignInForm) -> HttpResponse:
        """Sign in, or hold the sign-in until the code is given."""
        user, next_url = form.get_user(), self.get_success_url()
        if two_factor.has_two_factor(user):
            self.request.session[PENDING] = {
                "user": user.pk,
                "at": time.time(),
                "next": next_url,
            }
            return redirect("account:sign_in_code")
        services.sign_in_complete(request=self.request, user=user, method="password")
        return HttpResponseRedirect(next_url)


def _pending_user(request: HttpRequest) -> Any:
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    return get_user_model().objects.filter(pk=pending.get("user"), is_active=True).first()


@never_cache
def sign_in_code(request: HttpRequest) -> HttpResponse:
    """The second step of a two-factor sign-in: the code from the app (or a backup code)."""
    user = _pending_user(request)
    if user is None:
        request.session.pop(PENDING, None)
        messages.info(request, "Sign in again: the code step waits five minutes at most.")
        return redirect("login")
    credentials = {"username": user.get_username()}
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not AxesProxyHandler.is_allowed(request, credentials):
            return lockout_response(request, None, credentials)
        try:
            device = two_factor.verify(user, form.cleaned_data["code"])
        except two_factor.TwoFactorError as exc:
            form.add_error("code", str(exc))
        else:
            if device is not None:
                next_url = request.session.pop(PENDING)["next"]
                services.sign_in_complete(request=request, user=user, method="two_factor")
                if device == "backup":
                    left = two_factor.backup_codes_left(user)
                    messages.warning(request, f"You used a backup code: {left} left.")
                return HttpResponseRedirect(next_url)
            # Counted by django-axes like a wrong password, and recorded as a team event.
            request.console_failure_reason = "wrong two-factor code"
            user_login_failed.send(__name__, credentials=credentials, request=request)
            if getattr(request, "axes_locked_out", False):
                return lockout_response(request, None, credentials)
            form.add_error("code", "That code is not right. Type the newest code from your app.")
    return render(request, "registration/code.html", {"form": form, "pending_user": user})


# ---------------------------------------------------------------- the account page


@login_required
def account(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own page: teams, password, two-factor, sessions."""
    user = request.user
    context = {
        "memberships": Membership.objects.filter(user=user).select_related("team"),
        "two_factor_on": two_factor.has_two_factor(user),
        "backup_left": two_factor.backup_codes_left(user),
        "sessions": services.active_sessions(user).count(),
        "signin_method": signin_method.describe(request.session),
        "passwords": settings.CONSOLE_LOCAL_PASSWORDS,
        "identities": list(user.sso_identities.all()) if hasattr(user, "sso_identities") else [],
        "off_form": ConfirmPasswordForm(user),
    }
    return render(request, "accounts/account.html", context)


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    """Change (or, for an account made by single sign-on, set) the password."""
    if not settings.CONSOLE_LOCAL_PASSWORDS:
        messages.error(request, "Passwords are turned off here: you sign in with single sign-on.")
        return redirect("account:home")
    form_class = PasswordChangeForm if request.user.has_usable_password() else SetPasswordForm
    form = form_class(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)  # this session stays; the others end
        services.password_changed(request=request, user=user, how="changed")
        messages.success(request, "Password changed. Your other sessions were signed out.")
        return redirect("account:home")
    return render(request, "accounts/password_change.html", {"form": form})


@never_cache
@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Turn on two-factor: scan the QR code, type the first code, keep the backup codes."""
    user = request.user
    if two_factor.has_two_factor(user):
        return redirect("account:home")
    device = two_factor.enrolment_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.confirm_enrolment(user, form.cleaned_data["code"])
        except two_factor.TwoFactorError as exc:
            form.add_error("code", str(exc))
        else:
            services.two_factor_enrolled(request=request, user=user)
            return render(request, "accounts/backup_codes.html", {"codes": codes, "new": True})
    context = {
        "form": form,
        "qr": two_factor.qr_svg(device),
        "secret": two_factor.secret_text(device),
    }
    return render(request, "accounts/two_factor_setup.html", context)


@never_cache
@require_POST
@login_required
def backup_codes(request: HttpRequest) -> HttpResponse:
    """New backup codes (the old ones stop working), shown once."""
    try:
        codes = two_factor.regenerate_backup_codes(request.user)
    except two_factor.TwoFactorError as exc:
        messages.error(request, str(exc))
        return redirect("account:home")
    return render(request, "accounts/backup_codes.html", {"codes": codes, "new": False})


@require_POST
@login_required
def two_factor_off(request: HttpRequest) -> HttpResponse:
    """Turn two-factor off, after the current password."""
    form = ConfirmPasswordForm(request.user, request.POST)
    if not form.is_valid():
        messages.error(request, "Two-factor is still on: that is not your current password.")
    elif services.two_factor_turn_off(request=request, user=request.user):
        messages.success(request, "Two-factor is off. Signing in needs only your password.")
    return redirect("account:home")


@require_POST
@login_required
def sessions_end(request: HttpRequest) -> HttpResponse:
    """Sign out everywhere else."""
    ended = services.sessions_end_others(request=request)
    messages.success(
        request,
        f"Signed out of {ended} other session{'s' if ended != 1 else ''}."
        if ended
        else "There were no other sessions.",
    )
    return redirect("account:home")


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's reset link page: the link's token goes into the session at once (a clean
    address), the new password is checked by the validators, the link then dies."""

    template_name = "accounts/reset_confirm.html"
    success_url = reverse_lazy("login")

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        """Set the password, record it, and send the person to sign in."""
        response = super().form_valid(form)
        services.password_changed(request=self.request, user=form.user, how="reset with a link")
        messages.success(self.request, "Your new password is set: sign in with it.")
        return response


class ForgotView(auth_views.PasswordResetView):
    """ "Forgot your password?": mails a reset link to the address of the account, when
    mail is set up (the page says the same whether or not the address is known)."""

    template_name = "accounts/forgot.html"
    email_template_name = "accounts/mail/forgot.txt"
    subject_template_name = "accounts/mail/forgot_subject.txt"
    success_url = reverse_lazy("account:forgot_sent")

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Only where passwords are in use and mail can be sent."""
        if not (mail_configured() and settings.CONSOLE_LOCAL_PASSWORDS):
            messages.info(request, "Ask an owner or admin of your team for a reset link.")
            return redirect("login")
        return super().dispatch(request, *args, **kwargs)


def forgot_sent(request: HttpRequest) -> HttpResponse:
    """After "Forgot your password?": what to expect."""
    return render(request, "accounts/forgot_sent.html")


# ---------------------------------------------------------------- a member's sign-in


def _back(scope: TeamScope) -> HttpResponse:
    return redirect(reverse("teams:settings", args=[scope.team.slug]) + "#members")


@require_POST
@team_view(Role.ADMIN)
def member_unlock(request: HttpRequest, scope: TeamScope, membership_id: int) -> HttpResponse:
    """Lift a member's sign-in lock-out."""
    try:
        target = services.member_unlock(scope=scope, membership_id=membership_id, request=request)
    except services.PeopleRuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{target.user.get_username()} can sign in again.")
    return _back(scope)


@never_cache
@require_POST
@team_view(Role.ADMIN)
def member_reset_link(request: HttpRequest, scope: TeamScope, membership_id: int) -> HttpResponse:
    """Issue a password-reset link for a member: shown here once, mailed if mail is set up."""
    try:
        link = services.member_reset_link(scope=scope, membership_id=membership_id, request=request)
    except services.PeopleRuleError as exc:
        messages.error(request, str(exc))
        return _back(scope)
    return render(request, "accounts/reset_link.html", {"link": link})


@require_POST
@team_view(Role.ADMIN)
def member_two_factor_reset(
    request: HttpRequest, scope: TeamScope, membership_id: int
) -> HttpResponse:
    """Turn a member's two-factor off (they lost their phone)."""
    try:
        target = services.member_two_factor_reset(
            scope=scope, membership_id=membership_id, request=request
        )
    except services.PeopleRuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"Two-factor of {target.user.get_username()} is reset: they sign in with their "
            "password and can set it up again.",
        )
    return _back(scope)
