"""Settings for Renda, read from environment variables (documented in README.md).

With nothing set, Renda runs in development mode on SQLite under ``var/``.
``RENDA_ENV=production`` switches on every production safeguard and refuses to start
without a real SECRET_KEY.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("RENDA_VAR_DIR", PROJECT_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


# Three modes (RENDA_ENV), documented in README.md:
# - "development" (the default; `make dev` and the tests): DEBUG on, fixed development keys;
# - "server" (`make run`, one machine): DEBUG off, plain HTTP on HOST/PORT for a LAN or a
#   proxy in front, keys generated once per installation and kept in the data directory;
# - "production" (several machines): DEBUG off, HTTPS, every key from the environment.
# RENDA_HTTPS says whether browsers reach the site over HTTPS (on in production; turn it on
# in server mode behind a TLS proxy): HTTPS redirects, Secure cookies and HSTS follow it.
RENDA_ENV = env("RENDA_ENV", "development")
_MODES = ("development", "server", "production")
if RENDA_ENV not in _MODES:
    raise ImproperlyConfigured(f"RENDA_ENV must be one of {', '.join(_MODES)}")
PRODUCTION = RENDA_ENV == "production"
DEPLOYED = RENDA_ENV != "development"
TESTING = env_bool("RENDA_TESTING")
DEBUG = env_bool("RENDA_DEBUG", default=not DEPLOYED)
HTTPS = env_bool("RENDA_HTTPS", default=PRODUCTION)

_DEV_SECRET = "renda-development-secret-key-not-for-production-use-0123456789"  # noqa: S105
_KEY_NAMES = ("SECRET_KEY", "FIELD_ENCRYPTION_KEY", "BLIND_INDEX_KEY")
KEYS_FILE = VAR_DIR / "secret-keys.json"


def installation_keys(path: Path) -> dict[str, str]:
    """The keys of this installation, generated on first use and kept in ``path`` (mode
    0600). Every process of the installation (web, worker, scheduler, commands) reads the
    same file; the first to start writes it whole under a temporary name and links it into
    place, so a process starting at the same moment never reads half a file."""
    if not path.exists():
        keys = {name: secrets.token_urlsafe(64) for name in _KEY_NAMES}
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                json.dump(keys, handle)
                handle.flush()
                os.fsync(handle.fileno())
            # If another process was first, its keys are the installation's.
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
        finally:
            temporary.unlink()
    loaded: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    if sorted(loaded) != sorted(_KEY_NAMES) or not all(loaded.values()):
        raise ImproperlyConfigured(f"{path} is not a key file written by Renda")
    return loaded


if PRODUCTION:
    # Several machines serve one installation: the keys come from the environment.
    _keys = {name: env(name) for name in _KEY_NAMES}
elif DEPLOYED:
    # Environment variables win; what they leave out is this installation's own key.
    _given = {name: env(name) for name in _KEY_NAMES}
    _stored = installation_keys(KEYS_FILE) if not all(_given.values()) else {}
    _keys = {name: _given[name] or _stored[name] for name in _KEY_NAMES}
else:
    _secret = env("SECRET_KEY", _DEV_SECRET)
    _keys = {
        "SECRET_KEY": _secret,
        # Keys for personal data at rest. Separate from SECRET_KEY so rotating sessions never
        # makes stored phone and ID numbers unreadable; in development they are derived.
        "FIELD_ENCRYPTION_KEY": env("FIELD_ENCRYPTION_KEY", "dev-" + _secret),
        "BLIND_INDEX_KEY": env("BLIND_INDEX_KEY", "dev-bidx-" + _secret),
    }
SECRET_KEY = _keys["SECRET_KEY"]
FIELD_ENCRYPTION_KEY = _keys["FIELD_ENCRYPTION_KEY"]
BLIND_INDEX_KEY = _keys["BLIND_INDEX_KEY"]
if PRODUCTION and (not SECRET_KEY or SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("RENDA_ENV=production requires SECRET_KEY of 50+ characters")
if PRODUCTION and (not FIELD_ENCRYPTION_KEY or not BLIND_INDEX_KEY):
    raise ImproperlyConfigured(
        "RENDA_ENV=production requires FIELD_ENCRYPTION_KEY and BLIND_INDEX_KEY"
    )

# HOST and PORT are where `make run` listens (renda/gunicorn_conf.py); links in
# notifications and the start banner use them unless SITE_URL says otherwise.
LISTEN_HOST = env("HOST", "127.0.0.1")
LISTEN_PORT = int(env("PORT", "8000"))
_ALL_INTERFACES = {"0.0.0.0", "::", "[::]"}  # noqa: S104
_LOCAL_HOSTS = "127.0.0.1,localhost,[::1]"
if PRODUCTION:
    _default_hosts = ""
elif not DEPLOYED:
    _default_hosts = _LOCAL_HOSTS + ",testserver"
elif LISTEN_HOST in _ALL_INTERFACES:
    # Server mode on every interface of a LAN machine: whatever address the office's
    # computers use. Set ALLOWED_HOSTS to the machine's name or address to narrow it.
    _default_hosts = "*"
else:
    _default_hosts = f"{_LOCAL_HOSTS},{LISTEN_HOST}"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", _default_hosts)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
_site_host = "127.0.0.1" if LISTEN_HOST in _ALL_INTERFACES else LISTEN_HOST
SITE_URL = env("SITE_URL", f"http://{_site_host}:{LISTEN_PORT}")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "health_check",
    # Serves the API docs page's Swagger UI from our own static files (no CDN).
    "ninja",
    "renda.core",
    "renda.notifications",
    "renda.accounts",
    "renda.web",
    "renda.seed",
    "renda.api",
    "renda.bench",
    "renda.console",
    "renda.deputies",
    "renda.duties",
    "renda.points",
    "renda.ledgers",
    "renda.learning",
    "renda.portal",
    "renda.cases",
    "renda.suggestions",
]

MIDDLEWARE = [
    "renda.core.middleware.PermissionsPolicyMiddleware",
    # High up, so that every answer carries the policy (the 400/413 pages below too).
    "csp.middleware.CSPMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "renda.core.logging.RequestContextMiddleware",
    # Bodies read once here: 413 when too large, 400 when malformed (never a 500 later).
    "renda.api.middleware.RequestBodyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Chinese unless the user picked English with the language switch (not Accept-Language).
    "renda.web.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "renda.accounts.middleware.AccountSecurityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "renda.core.middleware.DomainErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Axes last, as its documentation asks, so it sees the final response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "renda.urls"
WSGI_APPLICATION = "renda.wsgi.application"
AUTH_USER_MODEL = "core.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "renda.web.context_processors.frame",
                "renda.notifications.context_processors.unread",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'renda.sqlite3'}"),
        conn_max_age=int(env("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# PostgreSQL without JIT compilation: the dashboards' aggregates over a city's cases cost
# just over its jit_above_cost, and compiling them took 20 ms of a 60 ms query (EXPLAIN
# ANALYZE: "JIT: Functions: 23 ... Total 21.7 ms"), every time. The pages' queries are
# short; JIT pays off only for long analytical ones. DB_OPTIONS="" keeps the server's.
DB_OPTIONS = env("DB_OPTIONS", "-c jit=off")
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and DB_OPTIONS:
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = DB_OPTIONS
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the task worker use the file at the same time. Each
    # request opens a fresh connection with a cold page cache; memory-mapping the file lets
    # it read through the operating system's cache instead.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA mmap_size=268435456;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "renda",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "renda_cache",
        }
    }

# Background tasks: the database backend and its worker by default, RQ on Redis when scaled
# out, "immediate" only for tests that want tasks to run inline.
TASK_BACKEND = env("TASK_BACKEND", "rq" if REDIS_URL and PRODUCTION else "database")
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "dummy": "django_tasks.backends.dummy.DummyBackend",
}
if TASK_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(f"TASK_BACKEND must be one of {sorted(_TASK_BACKENDS)}")
TASKS = {
    "default": {
        "BACKEND": _TASK_BACKENDS[TASK_BACKEND],
        "QUEUES": ["default"],
    }
}
RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 600}}
# Task guarantees (renda.core.tasks): a worker's heartbeat is the lease of its tasks; failed
# tasks run again after a back-off until they have had TASK_MAX_ATTEMPTS attempts; /healthz
# is degraded when the oldest queued task waits longer than TASK_QUEUE_MAX_AGE_SECONDS.
TASK_HEARTBEAT_SECONDS = float(env("TASK_HEARTBEAT_SECONDS", "10"))
TASK_LEASE_SECONDS = float(env("TASK_LEASE_SECONDS", "60"))
TASK_RECOVER_SECONDS = float(env("TASK_RECOVER_SECONDS", "15"))
TASK_MAX_ATTEMPTS = int(env("TASK_MAX_ATTEMPTS", "3"))
TASK_RETRY_BASE_SECONDS = float(env("TASK_RETRY_BASE_SECONDS", "30"))
TASK_QUEUE_MAX_AGE_SECONDS = int(env("TASK_QUEUE_MAX_AGE_SECONDS", "600"))
# /healthz gives its details to signed-in administrators and to a monitor sending this token
# (header "Authorization: Bearer <token>"); everyone else gets only the status.
HEALTH_TOKEN = env("HEALTH_TOKEN")

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        # Django's own message for this one is untranslated in zh-hans (see the module).
        "NAME": "renda.accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "renda.core.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:workbench"
LOGOUT_REDIRECT_URL = "web:home"
CSRF_FAILURE_VIEW = "renda.accounts.views.csrf_failure"

# Lockout (renda/core/lockout.py): five failures for one username from one address within
# fifteen minutes lock that username from that address for fifteen minutes; the office still
# signs in from its own address. LOGIN_ADDRESS_FAILURE_LIMIT failures from one address over any
# usernames (password spraying) refuse every sign-in from it for the same window. Refused
# attempts while locked are not counted, so a lock lifts fifteen minutes after it began.
AXES_HANDLER = "renda.core.lockout.LockoutHandler"
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
LOGIN_ADDRESS_FAILURE_LIMIT = int(env("LOGIN_ADDRESS_FAILURE_LIMIT", "20"))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "renda.accounts.views.lockout"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Behind PROXY_COUNT reverse proxies the client address is read from X-Forwarded-For, counting
# from the right (what the client writes on the left is not trusted): see client_ip.
PROXY_COUNT = int(env("PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "renda.core.logging.client_ip"

# Staff sessions end after 30 idle minutes (enforced per role by AccountSecurityMiddleware);
# others keep a two-week session.
STAFF_IDLE_TIMEOUT = int(env("STAFF_IDLE_TIMEOUT", "1800"))
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

OTP_TOTP_ISSUER = "智慧人大 Renda"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns on every start when it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed names that whitenoise serves as immutable once DEBUG is off; production
        # also pre-compresses them (a minute of brotli at deploy time, too slow for each
        # `make run`, which collects into the data directory on every start).
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
            if DEPLOYED
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not DEPLOYED

# Content-Security-Policy: everything from our own origin, no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# E-mail: console in development, SMTP in production (EMAIL_HOST and friends).
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "renda@localhost")

# SMS gateway: "console" logs, "file" appends JSON lines to SMS_FILE_PATH, "http" posts to
# an operator's gateway (SMS_GATEWAY_URL, SMS_SIGN_NAME, SMS_TEMPLATE_IDS as JSON).
SMS_BACKEND = env("SMS_BACKEND", "console")
SMS_FILE_PATH = env("SMS_FILE_PATH", str(VAR_DIR / "sms.jsonl"))
SMS_GATEWAY_URL = env("SMS_GATEWAY_URL")
SMS_GATEWAY_KEY = env("SMS_GATEWAY_KEY")
SMS_SIGN_NAME = env("SMS_SIGN_NAME", "智慧人大")
SMS_TEMPLATE_IDS: dict[str, str] = json.loads(env("SMS_TEMPLATE_IDS", "{}"))
SMS_TIMEOUT = float(env("SMS_TIMEOUT", "10"))
NOTIFICATION_MAX_ATTEMPTS = int(env("NOTIFICATION_MAX_ATTEMPTS", "5"))
NOTIFICATION_RETRY_BASE_SECONDS = float(env("NOTIFICATION_RETRY_BASE_SECONDS", "30"))
API_TOKEN_LIFETIME_DAYS = int(env("API_TOKEN_LIFETIME_DAYS", "30"))

# Duty activities: how early the venue's QR code signs deputies in, and how long before the
# start invitees are reminded.
DUTY_CHECKIN_EARLY_MINUTES = int(env("DUTY_CHECKIN_EARLY_MINUTES", "60"))
DUTY_REMINDER_HOURS = int(env("DUTY_REMINDER_HOURS", "24"))

LOG_FORMAT = env("LOG_FORMAT", "json" if PRODUCTION else "console")
LOG_LEVEL = env("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "structured": {
            "()": "renda.core.logging.formatter",
            "fmt": LOG_FORMAT,
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": "WARNING"},
    },
}

NINJA_PAGINATION_PER_PAGE = 50
