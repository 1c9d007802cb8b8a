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
from datetime import timedelta
from pathlib import Path

import dj_database_url
import dj_email_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from console.core.durations import parse_duration

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


def env_duration(name: str, default: str) -> timedelta:
    """Read a duration such as 7d, 12h, 30m or 45s (a bare number is seconds)."""
    value = os.environ.get(name, "").strip() or default
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be {exc}") from exc


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
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "console.core",
    "console.teams",
    "console.vault",
    "console.specs",
    "console.history",
    "console.explorer",
    "console.saved",
    "console.accounts",
    "console.invitations",
    "console.sso",
    "console.api",
    "console.bulk",
    "console.variables",
    "console.freeform",
    "console.collections",
    "django_tasks_db",
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
    # Last, as django-axes asks: turns a refused sign-in into the lock-out page.
    "axes.middleware.AxesMiddleware",
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
                "django.template.context_processors.csp",  # {{ csp_nonce }}, read lazily
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
    # The nonce appears only on pages that use it (Django adds it when a template read it):
    # the body editor's one <style> element (CodeMirror's base styles, style-mod).
    "style-src": [CSP.SELF, CSP.NONCE],
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
# django-axes first: it refuses a locked-out user name or address before any password is
# checked. Single sign-on adds its backend below when it is configured.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "console.core.auth.ModelBackend",
]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_COOKIES = env_bool("SECURE_COOKIES", False)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
# HSTS: SecurityMiddleware sends it only on requests it sees as HTTPS, so behind a
# TLS-terminating proxy it needs SECURE_PROXY_SSL_HEADER too. A year by default once
# the console is served over TLS; 0 turns it off. includeSubDomains and preload reach
# beyond the console's own host name (all of an apex domain's hosts, browsers' built-in
# lists), so only the operator can choose them: off unless set.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if SECURE_COOKIES else 0)
if SECURE_HSTS_SECONDS < 0:
    raise ImproperlyConfigured(f"SECURE_HSTS_SECONDS must be 0 or more, got {SECURE_HSTS_SECONDS}")
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_FAILURE_VIEW = "console.core.views.csrf_failure"
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# People: invitations, password resets, sign-in throttling, two-factor (README, "Adding
# people"; docs/architecture.md).
CONSOLE_INVITE_TTL = env_duration("CONSOLE_INVITE_TTL", "7d")
PASSWORD_RESET_TIMEOUT = int(env_duration("CONSOLE_PASSWORD_RESET_TTL", "1d").total_seconds())
# Whether people may sign in with a user name and password. With single sign-on set up,
# 0 leaves only "Sign in with ..." (and superusers, an operator's way in if the provider
# is down).
CONSOLE_LOCAL_PASSWORDS = env_bool("CONSOLE_LOCAL_PASSWORDS", True)
CONSOLE_SIGNIN_FAILURE_LIMIT = env_int("CONSOLE_SIGNIN_FAILURE_LIMIT", 5)
CONSOLE_SIGNIN_ADDRESS_FAILURE_LIMIT = env_int("CONSOLE_SIGNIN_ADDRESS_FAILURE_LIMIT", 30)
CONSOLE_SIGNIN_LOCKOUT = env_duration("CONSOLE_SIGNIN_LOCKOUT", "15m")
# Proxies in front of the console that append to X-Forwarded-For (0: use the peer address).
CONSOLE_TRUSTED_PROXIES = env_int("CONSOLE_TRUSTED_PROXIES", 0)

# django-axes counts failed sign-ins per user name and per address (each its own limit:
# console.accounts.throttle) and refuses both until the lock-out has passed.
AXES_ENABLED = env_bool("CONSOLE_SIGNIN_THROTTLE", True)
AXES_HANDLER = "console.accounts.throttle.ConsoleAxesHandler"
AXES_FAILURE_LIMIT = CONSOLE_SIGNIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = CONSOLE_SIGNIN_LOCKOUT
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# Attempts refused during a lock-out neither count nor extend it, so "try again in 15
# minutes" stays true; a success does not wipe the address's count (it would let anyone
# with an account reset it between guesses).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "console.accounts.throttle.lockout_response"
AXES_DISABLE_ACCESS_LOG = True  # sign-ins are team events (history)
AXES_ENABLE_ADMIN = False
if CONSOLE_TRUSTED_PROXIES:
    AXES_IPWARE_PROXY_COUNT = CONSOLE_TRUSTED_PROXIES
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")

# Two-factor: django-otp's TOTP devices and one-time backup codes.
OTP_TOTP_ISSUER = os.environ.get("CONSOLE_TOTP_ISSUER", "Usage Engine Console")

# Mail (invitations, password resets), as Django 6.1's MAILERS: EMAIL_URL
# (smtp://user:pass@host:587/?tls=True, parsed by dj-email-url), or EMAIL_HOST and its
# companions; demo mode prints mail to the terminal. Without any, nothing is mailed and
# pages show links to copy.
_SMTP_OPTIONS = {
    "EMAIL_HOST": "host",
    "EMAIL_PORT": "port",
    "EMAIL_HOST_USER": "username",
    "EMAIL_HOST_PASSWORD": "password",
    "EMAIL_USE_TLS": "use_tls",
    "EMAIL_USE_SSL": "use_ssl",
    "EMAIL_FILE_PATH": "file_path",
}
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Usage Engine Console <console@localhost>"
)
_email_url = os.environ.get("EMAIL_URL", "").strip()
if _email_url:
    _parsed = dj_email_url.parse(_email_url)
    _backend = _parsed.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
    _options = {o: _parsed[k] for k, o in _SMTP_OPTIONS.items() if _parsed.get(k) not in (None, "")}
    if not _backend.endswith("smtp.EmailBackend"):
        _options = {k: v for k, v in _options.items() if k == "file_path"}
elif os.environ.get("EMAIL_HOST", "").strip():
    _backend = "django.core.mail.backends.smtp.EmailBackend"
    _options = {
        "host": os.environ["EMAIL_HOST"].strip(),
        "port": env_int("EMAIL_PORT", 25),
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
        "use_ssl": env_bool("EMAIL_USE_SSL", False),
    }
elif CONSOLE_DEMO:
    _backend, _options = "django.core.mail.backends.console.EmailBackend", {}
else:
    _backend, _options = "", {}
CONSOLE_EMAIL = bool(_backend)
if _backend.endswith("smtp.EmailBackend"):
    _options["timeout"] = env_int("EMAIL_TIMEOUT", 10)
MAILERS = {
    "default": {
        # Nothing is sent when mail is not set up (console.core.mail checks first).
        "BACKEND": _backend or "django.core.mail.backends.dummy.EmailBackend",
        "OPTIONS": _options,
    }
}
if not CONSOLE_EMAIL:
    # "a development-only backend" is right: no mail is the choice that was made.
    SILENCED_SYSTEM_CHECKS = ["mail.E001"]
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background work: Django's tasks framework on django-tasks-db's database backend; its
# workers are `python manage.py bulk_worker` processes (make run starts some; compose runs
# them as a service of their own).
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "bulk"],
    }
}
# Bulk runs (console.bulk): the most rows of one CSV, the largest CSV, the highest
# concurrency a run may ask for, and how long a worker holds a row it is sending before
# another worker may take it over (a worker that died).
CONSOLE_BULK_MAX_ROWS = env_int("CONSOLE_BULK_MAX_ROWS", 10_000)
CONSOLE_BULK_MAX_BYTES = env_int("CONSOLE_BULK_MAX_BYTES", 5 * 1024 * 1024)
CONSOLE_BULK_MAX_CONCURRENCY = env_int("CONSOLE_BULK_MAX_CONCURRENCY", 16)
CONSOLE_BULK_LEASE = env_duration("CONSOLE_BULK_LEASE", "2m")

# The console's API for scripts (console.api): calls per minute per API token.
CONSOLE_API_RATE_PER_MINUTE = env_int("CONSOLE_API_RATE_PER_MINUTE", 120)

# Single sign-on with OpenID Connect (console.sso, mozilla-django-oidc): on when an
# issuer (or a discovery URL) and a client are set. See the README's "Single sign-on".
OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "").strip().rstrip("/")
OIDC_DISCOVERY_URL = os.environ.get("OIDC_DISCOVERY_URL", "").strip() or (
    f"{OIDC_ISSUER}/.well-known/openid-configuration" if OIDC_ISSUER else ""
)
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "").strip()
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "").strip()
CONSOLE_SSO = bool(OIDC_DISCOVERY_URL and OIDC_RP_CLIENT_ID)
CONSOLE_SSO_LABEL = os.environ.get("OIDC_LABEL", "").strip() or "single sign-on"
CONSOLE_SSO_ALLOWED_DOMAINS = [
    d.lower().lstrip("@") for d in env_list("OIDC_ALLOWED_EMAIL_DOMAINS")
]
# Some providers (Microsoft Entra ID) send no email_verified claim; set this only for one
# whose email addresses are its own (a company directory), never a public one.
CONSOLE_SSO_TRUST_EMAIL = env_bool("OIDC_TRUST_EMAIL", False)
CONSOLE_SSO_GROUPS_CLAIM = os.environ.get("OIDC_GROUPS_CLAIM", "groups").strip()
CONSOLE_SSO_TEAM_ROLES = os.environ.get("OIDC_TEAM_ROLES", "").strip()
OIDC_RP_SCOPES = os.environ.get("OIDC_SCOPES", "openid email profile").strip()
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_SIGN_ALGO", "RS256").strip()
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10)
OIDC_CREATE_USER = True
OIDC_AUTHENTICATION_CALLBACK_URL = "sso:callback"
if CONSOLE_SSO:
    AUTHENTICATION_BACKENDS.append("console.sso.backend.OidcBackend")

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
# A collection run happens in the web request: no further step starts after this long.
CONSOLE_COLLECTION_RUN_SECONDS = env_int("CONSOLE_COLLECTION_RUN_SECONDS", 120)
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
    # Invitation and password-reset links carry one-time tokens in their paths; the
    # request lines and "Not Found" warnings that name them are redacted on the way out.
    "filters": {"link_tokens": {"()": "console.core.logfilters.RedactLinkTokens"}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["link_tokens"],
        },
    },
    "root": {"handlers": ["stderr"], "level": LOG_LEVEL},
    "loggers": {
        # urllib3 and oauthlib log request bodies at DEBUG, which would include secrets.
        "urllib3": {"level": "WARNING"},
        "oauthlib": {"level": "WARNING"},
        "requests_oauthlib": {"level": "WARNING"},
        "django.db.backends": {"level": "INFO"},
        # django-axes logs every failure at WARNING with the user name masked: INFO is
        # its chatter about each request it looks at.
        "axes": {"level": "WARNING"},
        # runserver's request lines, through the filtering handler instead of Django's own.
        "django.server": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
    },
}
