"""Two-factor sign-in with time-based codes (TOTP) and one-time backup codes, on django-otp.

django-otp keeps the devices, checks codes (a window of one step either side, each code
once, growing delays after wrong ones) and makes backup codes. This module is the
console's use of it: one authenticator app per person, ten backup codes, and a QR code
drawn on the server (segno, SVG) so no script or outside service sees the secret.
"""

from __future__ import annotations

from base64 import b32encode
from typing import Any

import segno
from django.db import transaction
from django.utils.safestring import SafeString, mark_safe
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

APP_DEVICE = "Authenticator app"
BACKUP_DEVICE = "Backup codes"
BACKUP_CODES = 10


class TwoFactorError(Exception):
    """A two-factor step that cannot go on, with a message for the person."""


def app_device(user: Any, *, confirmed: bool | None = True) -> TOTPDevice | None:
    """The user's authenticator app (the confirmed one by default), or None."""
    devices = TOTPDevice.objects.filter(user=user)
    if confirmed is not None:
        devices = devices.filter(confirmed=confirmed)
    return devices.order_by("-id").first()


def has_two_factor(user: Any) -> bool:
    """True when the user signs in with a code as well as a password."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def enrolment_device(user: Any) -> TOTPDevice:
    """The unconfirmed device an enrolment shows (made once, so a reload keeps its QR code)."""
    device = app_device(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE, confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The device's secret as an app wants it typed: base32 in groups of four."""
    text = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_svg(device: TOTPDevice) -> SafeString:
    """The otpauth:// address as an inline SVG QR code (markup only: no script, no style)."""
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=4, dark="#111", light="#fff", title="QR code for your authenticator app"
    )
    return mark_safe(svg)  # noqa: S308 - segno's own markup, the address is its data


def _clean(code: str) -> str:
    return "".join(code.split()).replace("-", "")


def _new_backup_codes(user: Any) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(user=user, name=BACKUP_DEVICE)
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


@transaction.atomic
def confirm_enrolment(user: Any, code: str) -> list[str]:
    """Turn two-factor on with the first code from the app; returns new backup codes.

    Raises TwoFactorError when there is no enrolment under way or the code is wrong.
    """
    device = app_device(user, confirmed=False)
    if device is None:
        raise TwoFactorError("Start again: the set-up was cancelled or already finished.")
    if not device.verify_token(_clean(code)):
        raise TwoFactorError(
            "That code is not the one your app shows now. Check the app's clock, or type "
            "the newest code."
        )
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return _new_backup_codes(user)


def verify(user: Any, code: str) -> str | None:
    """Check a sign-in code: "app" or "backup" for the device that took it, None if wrong.

    A backup code works once. Raises TwoFactorError while django-otp holds the app back
    after wrong codes (it doubles the wait after each).
    """
    code = _clean(code)
    app = app_device(user)
    if app is not None and code.isdigit() and len(code) == app.digits:
        allowed, info = app.verify_is_allowed()
        if not allowed:
            wait = (info or {}).get("locked_until")
            raise TwoFactorError(
                "Too many wrong codes: wait a little and try again"
                + (f" (after {wait:%H:%M:%S} UTC)." if wait else ".")
            )
        return "app" if app.verify_token(code) else None
    backup = StaticDevice.objects.filter(user=user, name=BACKUP_DEVICE).first()
    if backup is not None and backup.verify_token(code.lower()):
        return "backup"
    return None


def backup_codes_left(user: Any) -> int:
    """How many unused backup codes the user has."""
    return StaticToken.objects.filter(device__user=user, device__name=BACKUP_DEVICE).count()


@transaction.atomic
def regenerate_backup_codes(user: Any) -> list[str]:
    """New backup codes for a user with two-factor on (the old ones stop working)."""
    if not has_two_factor(user):
        raise TwoFactorError("Turn on two-factor first.")
    return _new_backup_codes(user)


@transaction.atomic
def remove(user: Any) -> bool:
    """Turn two-factor off: forget the app and the backup codes. True if it was on."""
    had = has_two_factor(user)
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    return had
