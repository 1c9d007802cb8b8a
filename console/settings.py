"""Settings for the console: one module, every knob an environment variable.

Each variable is listed with its default in `.env.example` and in the README's
configuration table. Demo mode (`CONSOLE_DEMO=1`, what `make run` sets) keeps
generated secrets in the untracked `.local/` folder so a fresh clone starts with
no set-up; outside demo mode, missing secrets stop the console at start with a
message that says what to set.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
LOCAL_DIR = Path(os.environ.get("CONSOLE_LOCAL_DIR", BASE_DIR / ".local"))


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean environment variable ("1", "true", "yes", "on" are true)."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    """Read an integer environment variable, with a clear error when it is not one."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {value!r}") from exc


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated environment variable into a list without blanks."""
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


def _local_secret(filename: str, make: callable) -> str:
    """Return a secret kept in `.local/`, creating it once (demo and development only)."""
    LOCAL_DIR.mkdir(parents=True, exist_ok=True)
    path = LOCAL_DIR / filename
    if not path.exists():
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DEBUG", False)
CONSOLE_DEMO = env_bool("CONSOLE_DEMO", False)
_MAY_GENERATE_SECRETS = DEBUG or CONSOLE_DEMO

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not _MAY_GENERATE_SECRETS:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it to a long random string "
            '(python -c "import secrets; print(secrets.token_urlsafe(50))"), '
            "or set CONSOLE_DEMO=1 for a local demo."
        )
    SECRET_KEY = _local_secret("secret_key", lambda: secrets.token_urlsafe(50))


def _generate_fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


CONSOLE_ENCRYPTION_KEYS = env_list("CONSOLE_ENCRYPTION_KEYS")
if not CONSOLE_ENCRYPTION_KEYS:
    if not _MAY_GENERATE_SECRETS:
        raise ImproperlyConfigured(
            "CONSOLE_ENCRYPTION_KEYS is not set. Set it to one or more comma-separated "
            "Fernet keys, newest first "
            '(python -c "from cryptography.fernet import Fernet; '
            'print(Fernet.generate_key().decode())").'
        )
    CONSOLE_ENCRYPTION_KEYS = [_local_secret("encryption_key", _generate_fernet_key)]

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "console.core",
    "console.teams",
    "console.vault",
    "console.specs",
    "console.history",
    "console.explorer",
    "console.saved",
    "console.sandbox",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "console.core.auth.AuthenticationMiddleware",
    "console.teams.middleware.TeamHintMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "console.urls"
WSGI_APPLICATION = "console.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "console.teams.context.teams",
            ],
        },
    },
]

LOCAL_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{LOCAL_DIR / 'console.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; IMMEDIATE makes write transactions
    # take the lock at BEGIN so concurrent writers queue instead of failing mid-way.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# WhiteNoise also serves from the app folders (below); it only needs this folder to exist.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the app folders so `make run` needs no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Security headers. The CSP allows nothing inline and nothing from elsewhere:
# htmx is served from our own origin and configured not to inject styles.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Django's database sessions, ModelBackend and AuthenticationMiddleware, with one read
# per request for the session and its user, SQL written once per process
# (console/core/sessions.py, console/core/auth.py; docs/benchmarks.md).
SESSION_ENGINE = "console.core.sessions"
AUTHENTICATION_BACKENDS = ["console.core.auth.ModelBackend"]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_COOKIES = env_bool("SECURE_COOKIES", False)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_FAILURE_VIEW = "console.core.views.csrf_failure"
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Outbound calls (see console/upstream). Demo mode talks to the sandbox on 127.0.0.1
# over plain HTTP; a team server refuses both unless told otherwise.
CONSOLE_ALLOW_PRIVATE_HOSTS = env_bool("CONSOLE_ALLOW_PRIVATE_HOSTS", CONSOLE_DEMO)
CONSOLE_ALLOW_HTTP = env_bool("CONSOLE_ALLOW_HTTP", CONSOLE_DEMO)
CONSOLE_CONNECT_TIMEOUT = float(os.environ.get("CONSOLE_CONNECT_TIMEOUT", "5"))
CONSOLE_READ_TIMEOUT = float(os.environ.get("CONSOLE_READ_TIMEOUT", "30"))
CONSOLE_MAX_RESPONSE_BYTES = env_int("CONSOLE_MAX_RESPONSE_BYTES", 10 * 1024 * 1024)
CONSOLE_TOKEN_REFRESH_MARGIN = env_int("CONSOLE_TOKEN_REFRESH_MARGIN", 60)
CONSOLE_HISTORY_BODY_LIMIT = env_int("CONSOLE_HISTORY_BODY_LIMIT", 256 * 1024)
# Record ids one history page reads for a URL text no index can find (see selectors).
CONSOLE_HISTORY_SCAN_WINDOW = env_int("CONSOLE_HISTORY_SCAN_WINDOW", 100_000)
CONSOLE_SPEC_MAX_BYTES = env_int("CONSOLE_SPEC_MAX_BYTES", 25 * 1024 * 1024)
CONSOLE_MAX_UPLOAD_BYTES = env_int("CONSOLE_MAX_UPLOAD_BYTES", 25 * 1024 * 1024)
# Keys whose values are redacted from stored bodies, on top of the built-in ones.
CONSOLE_REDACT_KEYS = env_list("CONSOLE_REDACT_KEYS")
CONSOLE_SANDBOX_URL = os.environ.get("CONSOLE_SANDBOX_URL", "http://127.0.0.1:8900")

LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["stderr"], "level": LOG_LEVEL},
    "loggers": {
        # urllib3 and oauthlib log request bodies at DEBUG, which would include secrets.
        "urllib3": {"level": "WARNING"},
        "oauthlib": {"level": "WARNING"},
        "requests_oauthlib": {"level": "WARNING"},
        "django.db.backends": {"level": "INFO"},
    },
}
