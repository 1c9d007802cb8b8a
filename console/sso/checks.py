"""Configuration checks of single sign-on, run by `manage.py check` and at start."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

from console.sso.roles import parse_team_roles


@checks.register(checks.Tags.security)
def sso_settings(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """OIDC settings that cannot work, named before anyone tries to sign in."""
    problems: list[checks.CheckMessage] = []
    try:
        parse_team_roles(settings.CONSOLE_SSO_TEAM_ROLES)
    except ValueError as exc:
        problems.append(checks.Error(f"OIDC_TEAM_ROLES: {exc}.", id="console.sso.E001"))
    half = bool(settings.OIDC_DISCOVERY_URL) != bool(settings.OIDC_RP_CLIENT_ID)
    if half:
        problems.append(
            checks.Error(
                "Single sign-on needs both OIDC_ISSUER (or OIDC_DISCOVERY_URL) and "
                "OIDC_CLIENT_ID; only one is set.",
                id="console.sso.E002",
            )
        )
    if settings.CONSOLE_SSO and not settings.OIDC_RP_CLIENT_SECRET:
        problems.append(
            checks.Error("Single sign-on needs OIDC_CLIENT_SECRET.", id="console.sso.E003")
        )
    if not settings.CONSOLE_LOCAL_PASSWORDS and not settings.CONSOLE_SSO:
        problems.append(
            checks.Warning(
                "CONSOLE_LOCAL_PASSWORDS=0 without single sign-on: only superusers can sign in.",
                id="console.sso.W001",
            )
        )
    return problems
