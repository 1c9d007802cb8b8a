"""Settings for the test suite: the real settings module with test-only values filled in.

DATABASE_URL is left as given, so CI runs the same suite against PostgreSQL.
"""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
# A fixed key for tests only; it protects nothing real.
os.environ.setdefault("CONSOLE_ENCRYPTION_KEYS", "yLv7uQsvO6zLuDJzureP7mM6IWIU7I06FJpMnSawiyA=")
# Tests talk to servers they start on 127.0.0.1 over plain HTTP.
os.environ.setdefault("CONSOLE_ALLOW_PRIVATE_HOSTS", "1")
os.environ.setdefault("CONSOLE_ALLOW_HTTP", "1")
os.environ.setdefault("CONSOLE_LOCAL_DIR", tempfile.mkdtemp(prefix="console-tests-"))

from console.settings import *  # noqa: F403
from console.settings import DATABASES, LOCAL_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A real file, so tests can check what lands on disk (secrets must not).
    DATABASES["default"]["TEST"] = {"NAME": str(LOCAL_DIR / "test.sqlite3")}
