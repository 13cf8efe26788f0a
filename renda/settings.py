"""Settings for Renda, read from environment variables (documented in README.md).

With nothing set, Renda runs in development mode on SQLite under ``var/``.
``RENDA_ENV=production`` switches on every production safeguard and refuses to start
without a real SECRET_KEY.
"""

from __future__ import annotations

import json
import os
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


RENDA_ENV = env("RENDA_ENV", "development")
PRODUCTION = RENDA_ENV == "production"
TESTING = env_bool("RENDA_TESTING")
DEBUG = env_bool("RENDA_DEBUG", default=not PRODUCTION)

_DEV_SECRET = "renda-development-secret-key-not-for-production-use-0123456789"  # noqa: S105
SECRET_KEY = env("SECRET_KEY", "" if PRODUCTION else _DEV_SECRET)
if PRODUCTION and (not SECRET_KEY or SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("RENDA_ENV=production requires SECRET_KEY of 50+ characters")

# Keys for personal data at rest. Separate from SECRET_KEY so rotating sessions never makes
# stored phone and ID numbers unreadable; in development they are derived for convenience.
FIELD_ENCRYPTION_KEY = env("FIELD_ENCRYPTION_KEY", "" if PRODUCTION else "dev-" + SECRET_KEY)
BLIND_INDEX_KEY = env("BLIND_INDEX_KEY", "" if PRODUCTION else "dev-bidx-" + SECRET_KEY)
if PRODUCTION and (not FIELD_ENCRYPTION_KEY or not BLIND_INDEX_KEY):
    raise ImproperlyConfigured(
        "RENDA_ENV=production requires FIELD_ENCRYPTION_KEY and BLIND_INDEX_KEY"
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")

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
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "renda.core.logging.RequestContextMiddleware",
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
    "csp.middleware.CSPMiddleware",
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

# Lockout: five failures within fifteen minutes lock the username for fifteen minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
# Locking by address as well would shut out a whole township office behind one NAT address
# after one person's typos; the account lock is what protects the account.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "renda.accounts.views.lockout"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_IPWARE_PROXY_COUNT = int(env("PROXY_COUNT", "0")) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

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
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

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
if PRODUCTION:
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
