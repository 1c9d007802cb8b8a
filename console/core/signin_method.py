"""How a session was signed in, which a team's two-factor rule looks at on every page.

Kept in the session by `console.accounts.services.sign_in_complete` (and by two-factor
enrolment); read by `console.teams.scoping.team_view`. No imports, so both can use it.
"""

from __future__ import annotations

from typing import Any

SESSION_KEY = "console_signin_method"
PASSWORD, TWO_FACTOR, SSO = "password", "two_factor", "sso"
# Sign-ins that satisfy a team's "members must use two-factor or single sign-on".
STRONG = frozenset({TWO_FACTOR, SSO})
WORDS = {PASSWORD: "password", TWO_FACTOR: "password and code", SSO: "single sign-on"}


def is_strong(session: Any) -> bool:
    """True when the session was signed in with two-factor or single sign-on."""
    return session.get(SESSION_KEY) in STRONG


def describe(session: Any) -> str:
    """How this session signed in, in words."""
    return WORDS.get(session.get(SESSION_KEY, PASSWORD), WORDS[PASSWORD])
