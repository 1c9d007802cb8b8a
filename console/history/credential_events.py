"""Credential events read back: each event's stored detail as words for a person."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from console.history.models import AuditAction, AuditEvent


def _when(value: Any) -> str:
    """An ISO time as "2026-12-03 14:05 UTC"; anything else as it is."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    zone = moment.strftime(" %Z") if moment.tzinfo else ""
    return moment.strftime("%Y-%m-%d %H:%M") + zone


def _ms(detail: dict[str, Any]) -> str:
    return f"took {detail['ms']} ms" if "ms" in detail else ""


def _failure(detail: dict[str, Any]) -> str:
    """Why a token request or test failed, as the token endpoint or the console said."""
    status = detail.get("status")
    reason = str(detail.get("reason") or "no reason given")
    return f"HTTP {status}: {reason}" if status else reason


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _sentence(parts: list[str]) -> str:
    text = "; ".join(p for p in parts if p)
    return text[:1].upper() + text[1:]


def describe_detail(event: AuditEvent) -> str:
    """The detail of a credential event in words, e.g. "Restricted to admins and owners".

    Stored details are plain facts (booleans, numbers, field names); a page shows them as
    a person would say them, never as ``restricted: False``. Keys no sentence knows are
    shown last as "key: value", so nothing recorded is hidden.
    """
    d: dict[str, Any] = dict(event.detail or {})
    a = AuditAction
    parts: list[str] = []
    known: set[str] = set()
    if event.action == a.CREATED and "restricted" in d:
        known.add("restricted")
        parts.append(
            "restricted to admins and owners" if d["restricted"] else "usable by every member"
        )
    if event.action == a.CHANGED and "fields" in d:
        known.add("fields")
        fields = [str(f) for f in d["fields"] or []]
        if fields:
            parts.append("changed " + ", ".join(fields))
    if event.action == a.TOKEN_FETCHED:
        known.update({"expires", "ms", "retried"})
        if d.get("retried"):
            parts.append("fetched again after the API refused the cached token")
        if "expires" in d:
            parts.append(f"valid until {_when(d['expires'])}")
        parts.append(_ms(d))
    if event.action == a.TESTED:
        known.update({"reused", "ms"})
        if "reused" in d:
            parts.append("reused the cached token" if d["reused"] else "fetched a new token")
        parts.append(_ms(d))
    if event.action in (a.TOKEN_FAILED, a.TEST_FAILED):
        known.update({"reason", "status", "kind", "ms"})
        parts.append(_failure(d))
        parts.append(_ms(d))
    parts.extend(
        f"{key.replace('_', ' ')}: {_value(v)}" for key, v in d.items() if key not in known
    )
    return _sentence(parts)
