"""The TLS settings `console/settings.py` computes from a given environment.

Settings are read once per process, so they are computed in a fresh interpreter with the
environment set, as a server would start, and handed back to the test as JSON for
`override_settings`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TLS_VARIABLES = (
    "SECURE_COOKIES",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
)
NAMES = (
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
)
_PROGRAM = f"""
import json
import console.settings as s
names = {NAMES!r}
print(json.dumps({{n: getattr(s, n) for n in names if hasattr(s, n)}}))
"""


def computed(**env: str) -> subprocess.CompletedProcess[str]:
    """Import console.settings in a new interpreter with only `env` among the TLS
    variables (the test process's others, such as SECRET_KEY, are inherited)."""
    environ = {k: v for k, v in os.environ.items() if k not in TLS_VARIABLES}
    environ.pop("DJANGO_SETTINGS_MODULE", None)
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-c", _PROGRAM],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def tls_settings(**env: str) -> dict[str, Any]:
    """The TLS settings as a server started with `env` would have them, ready for
    `override_settings` (a setting the module leaves unset is set to Django's default)."""
    done = computed(**env)
    assert done.returncode == 0, done.stderr
    values: dict[str, Any] = json.loads(done.stdout)
    proxy = values.get("SECURE_PROXY_SSL_HEADER")
    values["SECURE_PROXY_SSL_HEADER"] = tuple(proxy) if proxy else None
    return values
