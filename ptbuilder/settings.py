"""Settings for ptbuilder, driven by environment variables.

Local default: DEBUG on, a SQLite file in the project. Production: set DEBUG=0, SECRET_KEY,
ALLOWED_HOSTS and DATABASE_URL (PostgreSQL); see README.md.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from corsheaders.defaults import default_headers as default_cors_headers
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

CLINIC_COUNTRY = os.environ.get("CLINIC_COUNTRY", "US")
"""The country of a therapist with no clinic: sets the emergency number their clients see."""

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-local-development-only"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "knox",
    "axes",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "nested_admin",
    "ptbuilder",
    "accounts",
    "clinics",
    "audit",
    "exercises",
    "clients",
    "programs",
    "logbook",
    "safety",
    "client_app",
    "chart",
]

MIDDLEWARE = [
    "ptbuilder.middleware.RequestIdMiddleware",
    "ptbuilder.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: it turns a locked admin log-in into the lock page
]

ROOT_URLCONF = "ptbuilder.urls"
# The admin's messages live in its session: the default (a signed cookie, the session as
# fallback) builds both stores and a signer on every request, ~12 µs even where no message is.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
WSGI_APPLICATION = "ptbuilder.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "ptbuilder" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several threads and processes write at once (gunicorn workers, the audit log's timer):
    # a deferred transaction that reads and then writes would fail at once with "database is
    # locked", so transactions take the write lock when they begin and wait up to 20 s for it;
    # WAL lets reads go on meanwhile.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL",
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The app's queries are short index lookups that PostgreSQL's JIT compiler only slows: at 5M
    # sessions, the attention list's plan spent ~50 ms of its ~65 ms compiling (docs/SCALING.md).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.tokens.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "ptbuilder.filters.SearchFilter",
        "ptbuilder.filters.OrderingFilter",
    ],
    "DEFAULT_PARSER_CLASSES": ["ptbuilder.parsers.StrictJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "ptbuilder.negotiation.ContentNegotiation",
    "DEFAULT_PAGINATION_CLASS": "ptbuilder.pagination.PageNumberPagination",
    "DEFAULT_SCHEMA_CLASS": "ptbuilder.schema.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "EXCEPTION_HANDLER": "ptbuilder.exceptions.api_exception_handler",
    "DEFAULT_THROTTLE_RATES": {"auth": os.environ.get("AUTH_THROTTLE_RATE", "30/min")},
}

REST_KNOX = {
    "TOKEN_TTL": timedelta(days=int(os.environ.get("TOKEN_TTL_DAYS", "30"))),
    "AUTH_HEADER_PREFIX": "Token",
}

INVITATION_TTL_DAYS = int(os.environ.get("INVITATION_TTL_DAYS", "7"))
AUTH_FAILURE_LIMIT = int(os.environ.get("AUTH_FAILURE_LIMIT", "5"))
"""Wrong passwords (or invitation codes) per account in 15 minutes before its log-ins, in the
admin and the API, are refused (429) for at most 15 more minutes (ptbuilder/login_lock.py)."""

TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
"""Proxies in front of the app that each append the address they received from to
X-Forwarded-For; 0 uses REMOTE_ADDR alone (ptbuilder/client_address.py)."""
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")

AUTHENTICATION_BACKENDS = ["accounts.login_lock.LoginLockBackend"]
AXES_HANDLER = "accounts.login_lock.AtomicDatabaseHandler"
AXES_FAILURE_LIMIT = AUTH_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "accounts.login_lock.lock_username"
AXES_CLIENT_IP_CALLABLE = "accounts.client_address.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.login_lock.lockout_response"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # refused attempts do not prolong a lock
AXES_DISABLE_ACCESS_LOG = True  # no row per successful log-in
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "csrfmiddlewaretoken"]  # masked in rows
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
"""axes.W006 asks for "ip_address" among the lock-out parameters. The lock is per account on
purpose: per address it would lock out a whole clinic behind one; addresses are rate-limited by
the auth throttle instead."""

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if (REDIS_URL := os.environ.get("REDIS_URL"))
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
"""Several app servers must share one cache (rendered PDFs, serialized programs): set REDIS_URL."""

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
"""The task queue's broker, e.g. redis://127.0.0.1:6379/3 (not the cache's database: clearing the
cache must not drop queued tasks); run `celery -A ptbuilder worker` beside the app servers.
Without it, tasks run in the process that queued them, once its transaction has committed."""
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_IGNORE_RESULT = True  # tasks leave their work in the cache; no result store
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # the worker logs as LOGGING says
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS")
"""Origins of browser-based client apps, e.g. https://app.example.com (comma-separated)."""
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_HEADERS = (*default_cors_headers, "if-match", "if-none-match")
"""A browser app sends the version it edits (If-Match), asks for a changed PDF only
(If-None-Match)."""
CORS_EXPOSE_HEADERS = ["ETag", "X-Request-ID", "Retry-After"]
"""What a browser app may read of an answer: the version to send back, the request's id for a
support call, and how long to wait after a 429."""

DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("MAX_REQUEST_BYTES", 1024 * 1024))
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

SPECTACULAR_SETTINGS = {
    "TITLE": "ptbuilder API",
    "DESCRIPTION": (
        "Physical therapists build individualised home-exercise programs; client apps show "
        "this week's dose and log sessions. Contract: see API.md in the design documents."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "TAGS": [
        {"name": "auth", "description": "Log-in, log-out and redeeming an invitation."},
        {"name": "exercises", "description": "The shared library and your own exercises."},
        {"name": "conditions", "description": "Conditions and their red flags."},
        {"name": "clients", "description": "Your clients, their screenings and adherence."},
        {"name": "programs", "description": "Programs and templates, their schedule and print."},
        {"name": "attention", "description": "What needs the therapist's attention."},
        {"name": "me", "description": "The client app: profile, programs, sessions, symptoms."},
    ],
    "ENUM_NAME_OVERRIDES": {
        "ParameterEnum": "exercises.models.Parameter.choices",
        "ItemSideEnum": "programs.models.ItemSide",
        "LoggedSideEnum": "logbook.models.LoggedSide",
        "BlockKindEnum": "programs.models.BlockKind",
        "RedFlagKindEnum": "exercises.models.RedFlagKind",
        "AlertKindEnum": ["emergency"],
    },
}

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "fontTools": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "axes": {"level": "WARNING"},  # failures and lock-outs; not each step of counting them
        "ptbuilder.tasks": {"level": "INFO"},  # each task queued, ran, retried or failed
    },
}
