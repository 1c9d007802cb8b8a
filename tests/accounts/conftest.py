"""Helpers of the sign-in tests: codes from an authenticator app, computed as it would."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


def app_code(user: object, *, ahead: int = 0) -> str:
    """The code the user's authenticator app shows (`ahead` time steps later: each code is
    accepted once, and the window allows one step either side)."""
    device = TOTPDevice.objects.filter(user=user).order_by("-id").first()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, drift=ahead):06d}"


def enrol(client: Client, user: object) -> list[str]:
    """Turn two-factor on through the account pages; returns the backup codes shown."""
    assert client.get(reverse("account:two_factor_setup")).status_code == 200
    response = client.post(reverse("account:two_factor_setup"), {"code": app_code(user)})
    assert response.status_code == 200, response.content[:300]
    page = response.content.decode()
    assert "Two-factor is on" in page
    block = page.split("data-backup-codes>")[1].split("</pre>")[0]
    return block.split()
