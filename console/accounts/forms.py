"""Forms of a person's sign-in and account pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm


class SignInForm(AuthenticationForm):
    """Django's sign-in form; with local passwords turned off, only operators may use it."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Wrong user name or password. Both are case-sensitive.",
        "inactive": "This account is disabled. Ask an owner or admin of your team.",
        "passwords_off": (
            "Signing in with a password is turned off here: use the single sign-on button."
        ),
    }

    def confirm_login_allowed(self, user: Any) -> None:
        """Django's checks, and no password sign-in for non-operators when turned off."""
        super().confirm_login_allowed(user)
        if not settings.CONSOLE_LOCAL_PASSWORDS and not user.is_superuser:
            raise forms.ValidationError(self.error_messages["passwords_off"], code="passwords_off")


class CodeForm(forms.Form):
    """A six-digit code from the authenticator app, or a backup code."""

    code = forms.CharField(
        label="Code",
        max_length=20,
        help_text="The 6-digit code your authenticator app shows, or one of your backup codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class ConfirmPasswordForm(forms.Form):
    """Asks for the current password before a change that weakens the sign-in."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        """The user's current password, or an error."""
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your current password.")
        return password
