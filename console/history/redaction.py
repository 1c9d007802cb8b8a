"""Redaction of secrets before anything is stored in the history.

Headers that carry credentials are replaced, JSON and form bodies have their
secret-bearing keys replaced, and any known secret value (the token used for the
call) is scrubbed from whatever text remains, wherever it appears.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.conf import settings

REDACTED = "[redacted]"

SENSITIVE_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "x-auth-token"}
)
AUTH_HEADERS = frozenset({"authorization", "proxy-authorization"})
DEFAULT_SENSITIVE_KEYS = frozenset(
    {"client_secret", "access_token", "refresh_token", "id_token", "password", "secret"}
)


def sensitive_keys() -> frozenset[str]:
    """Body keys whose values are never stored (defaults plus CONSOLE_REDACT_KEYS)."""
    extra = {key.lower() for key in getattr(settings, "CONSOLE_REDACT_KEYS", [])}
    return DEFAULT_SENSITIVE_KEYS | extra


MIN_SECRET = 8  # shorter values are not looked for: they would match ordinary text


def _longest_first(secrets: Iterable[str]) -> list[str]:
    # Longest first, so a secret that holds another is replaced whole.
    return sorted({s for s in secrets if s and len(s) >= MIN_SECRET}, key=len, reverse=True)


def scrub(text: str, secrets: Iterable[str], mark: str = REDACTED) -> str:
    """Replace every occurrence of each known secret value in `text` by `mark`."""
    for secret in _longest_first(secrets):
        text = text.replace(secret, mark)
    return text


def scrub_bytes(body: bytes, secrets: Iterable[str]) -> bytes:
    """`body` with every known secret value (as UTF-8 bytes) replaced, like `scrub`."""
    for secret in _longest_first(secrets):
        body = body.replace(secret.encode(), REDACTED.encode())
    return body


def redact_headers(
    headers: Iterable[tuple[str, str]], secrets: Iterable[str] = ()
) -> list[list[str]]:
    """Headers as stored: credential headers keep their scheme only (`Bearer [redacted]`)."""
    secrets = list(secrets)
    stored = []
    for name, value in headers:
        if name.lower() in SENSITIVE_HEADERS:
            # Keep the auth scheme ("Bearer") so a reader can tell what kind was sent.
            has_scheme = name.lower() in AUTH_HEADERS and " " in value
            scheme = value.split(" ", 1)[0] if has_scheme else ""
            value = f"{scheme} {REDACTED}".strip()
        stored.append([name, scrub(value, secrets)])
    return stored


def _redact_json(node: Any, keys: frozenset[str]) -> Any:
    if isinstance(node, dict):
        return {
            k: (REDACTED if str(k).lower() in keys else _redact_json(v, keys))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_redact_json(item, keys) for item in node]
    return node


def redact_body(text: str, content_type: str = "", secrets: Iterable[str] = ()) -> str:
    """A request or response body as stored, with secret-bearing fields replaced."""
    if not text:
        return text
    keys = sensitive_keys()
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "application/x-www-form-urlencoded":
        pairs = parse_qsl(text, keep_blank_values=True)
        text = urlencode([(k, REDACTED if k.lower() in keys else v) for k, v in pairs])
    elif media.endswith("json") or text.lstrip()[:1] in ("{", "["):
        try:
            parsed = json.loads(text)
        except ValueError:
            pass
        else:
            text = json.dumps(_redact_json(parsed, keys), ensure_ascii=False, indent=2)
    return scrub(text, secrets)


def redact_json_text(text: str, secrets: Iterable[str] = ()) -> str:
    """Text as stored, with secret-bearing keys replaced when it is JSON.

    Unlike `redact_body`, JSON with nothing to redact keeps its own formatting.
    """
    if text.lstrip()[:1] in ("{", "["):
        try:
            parsed = json.loads(text)
        except (ValueError, RecursionError):
            pass
        else:
            redacted = _redact_json(parsed, sensitive_keys())
            if redacted != parsed:
                text = json.dumps(redacted, ensure_ascii=False, indent=2)
    return scrub(text, secrets)


def _hidden(name: str) -> bool:
    """Whether a form field (``location:name``) carries a secret by its name alone."""
    location, _, field = name.partition(":")
    field = field.lower()
    return (
        location == "cookie"
        or (location == "header" and field in SENSITIVE_HEADERS)
        or field in sensitive_keys()
    )


def redact_form_values(
    values: dict[str, str | list[str]], secrets: Iterable[str] = ()
) -> dict[str, str | list[str]]:
    """An operation form's values (by field name, ``query:limit``) as stored.

    Cookies, credential headers and fields named like a secret (`sensitive_keys`) are
    replaced whole; JSON values have their secret keys replaced; known secret values
    are scrubbed from everything else. The same rules as for what was sent, so a
    record's form values never show what its headers and body hide.
    """
    secrets = list(secrets)
    stored: dict[str, str | list[str]] = {}
    for name, value in values.items():
        items = value if isinstance(value, list) else [value]
        if _hidden(name):
            kept = [REDACTED if item else item for item in items]
        else:
            kept = [redact_json_text(str(item), secrets) for item in items]
        stored[name] = kept if isinstance(value, list) else kept[0]
    return stored
