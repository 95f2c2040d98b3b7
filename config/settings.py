"""Settings for Stegvis, read from the environment.

DJANGO_ENV selects the profile: ``development`` (default: SQLite, generated
local keys, debug), ``test`` (see settings_test) or ``production`` (everything
secret must come from the environment; the process refuses to start otherwise).
"""

import importlib.util
import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from config.logging import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DJANGO_ENV = os.environ.get("DJANGO_ENV", "development")
if DJANGO_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured(
        f"DJANGO_ENV must be development, test or production, not {DJANGO_ENV!r}"
    )
PRODUCTION = DJANGO_ENV == "production"


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if PRODUCTION:
    from config.production import secret_key_weakness

    if weakness := secret_key_weakness(SECRET_KEY):
        raise ImproperlyConfigured(
            f"DJANGO_SECRET_KEY is missing or weak ({weakness}); production needs at least "
            "50 random characters (docs/deployment.md)."
        )
elif not SECRET_KEY:
    # Development only: a fixed, obviously non-secret value. It protects nothing
    # that matters: field encryption never derives from SECRET_KEY.
    SECRET_KEY = "development-only-not-secret-" + "x" * 40  # noqa: S105

DEBUG = DJANGO_ENV == "development" and os.environ.get("DJANGO_DEBUG", "1") == "1"

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver"
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set in production.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "guardian",
    "simple_history",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_tasks_db",
    "accounts",
    "encryption",
    "audit",
    "participants",
    "placements",
    "casework",
    "documents",
    "referrals",
    "timesheets",
    "notifications",
    "funding",
    "erasure",
    "reports",
    "subject_copy",
    "desk",
    "demo",
]

MIDDLEWARE = [
    "audit.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.security.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.logging.LogContextMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SessionLifetimeMiddleware",
    "config.access.AccessTableMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.navigation",
            ],
        },
    },
]

DEFAULT_DATABASE_URL = f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
DATABASE_URL = os.environ.get("DATABASE_URL") or ""
if PRODUCTION and not DATABASE_URL:
    raise ImproperlyConfigured("DATABASE_URL must be set in production.")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL or DEFAULT_DATABASE_URL, conn_max_age=60)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend, plus planner statistics kept up to date (config/sqlite3).
    DATABASES["default"]["ENGINE"] = "config.sqlite3"
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL lets the worker and the web process share the file without lock errors.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0


PG_PREPARED_STATEMENTS = os.environ.get("STEGVIS_PG_PREPARED", "1") != "0"


def prepare_statements(database: dict) -> dict:
    """Server-side parameters and prepared statements on a PostgreSQL database.

    PostgreSQL then parses and plans a repeated statement once per connection
    instead of on every request (planning was 2-5 ms of a list query that
    runs in under 1 ms, docs/performance.md); connections live CONN_MAX_AGE
    seconds, so the statements are reused. STEGVIS_PG_PREPARED=0 turns this
    off, e.g. behind a transaction-pooling PgBouncer that cannot keep
    prepared statements.
    """
    if database["ENGINE"] == "django.db.backends.postgresql" and PG_PREPARED_STATEMENTS:
        database.setdefault("OPTIONS", {}).update(
            {"server_side_binding": True, "prepare_threshold": 2}
        )
    return database


prepare_statements(DATABASES["default"])

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions: idle timeout inside an absolute lifetime. The idle clock (and the
# store's expiry and the cookie with it) is refreshed when a request comes at
# least SESSION_ACTIVITY_RESOLUTION seconds after the last refresh, not on
# every request (accounts.middleware.SessionLifetimeMiddleware).
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_ACTIVITY_RESOLUTION = 60
SESSION_ABSOLUTE_LIFETIME = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION

# Security headers.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
if PRODUCTION:
    SECURE_SSL_REDIRECT = os.environ.get("DJANGO_SECURE_SSL_REDIRECT", "1") == "1"
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if os.environ.get("DJANGO_TRUST_X_FORWARDED_PROTO") == "1":
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Trusted proxies in front (docs/deployment.md): only then are X-Forwarded-For
# (lockout) and X-Request-ID (audit.middleware) taken from the request.
PROXY_COUNT = int(os.environ.get("DJANGO_PROXY_COUNT", "0"))

# Lockout (django-axes, accounts/lockout.py): five failures lock a user name
# from one address, and twenty failures from one address (any user names) lock
# that address for every user name. Never a user name alone: anyone could then lock anyone out
# from anywhere. The client address is the socket peer unless a proxy count is
# configured, so a forged X-Forwarded-For cannot dodge a lockout.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
# The address group's own limit (accounts.lockout.LockoutHandler): higher, since
# an office or a school shares one address.
SIGNIN_FAILURES_PER_ADDRESS = int(os.environ.get("DJANGO_SIGNIN_FAILURES_PER_ADDRESS", "20"))
AXES_RESET_ON_SUCCESS = True
# A success forgets only that user's failures from that address.
AXES_HANDLER = "accounts.lockout.LockoutHandler"
# Attempts while locked are refused unchecked and do not move the end of the
# lockout, so the time the page shows holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_IPWARE_PROXY_COUNT = PROXY_COUNT or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)
if AXES_IPWARE_PROXY_COUNT and importlib.util.find_spec("ipware") is None:
    # Without django-ipware axes silently falls back to REMOTE_ADDR (the proxy),
    # so every client would share one address: refuse rather than mislead.
    raise ImproperlyConfigured("DJANGO_PROXY_COUNT needs django-ipware (django-axes[ipware]).")
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"  # the page says until when

# Two-factor authentication (django-otp): TOTP, with recovery codes as fallback.
OTP_TOTP_ISSUER = "Stegvis"

# django-guardian: object permissions are granted to users only.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# django-simple-history
SIMPLE_HISTORY_HISTORY_ID_USE_UUID = True
SIMPLE_HISTORY_REVERT_DISABLED = True

# Background work: Django's tasks framework with the database backend.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# E-mail (notifications): sent only by the background worker. SMTP from the
# environment in production (docs/deployment.md); printed to the console in
# development; the tests use Django's in-memory outbox.
if PRODUCTION or os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ.get("EMAIL_HOST", "localhost"),
                "port": int(os.environ.get("EMAIL_PORT", "587")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": os.environ.get("EMAIL_USE_TLS", "1") == "1",
                "use_ssl": os.environ.get("EMAIL_USE_SSL", "0") == "1",
                "timeout": int(os.environ.get("EMAIL_TIMEOUT", "30")),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Stegvis <noreply@localhost>")
#: The address the e-mails link to (the notification list is appended).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# Outcome exports (reports): files kept outside static and media, served
# only through the access-checked, audited download view.
# The auditor's "out of hours" flag: working days and hours in local time (docs/audit.md).
AUDIT_WORKING_SCHEDULE = os.environ.get("AUDIT_WORKING_SCHEDULE", "mon-fri 07-19")
EXPORTS_ROOT = Path(os.environ.get("STEGVIS_EXPORTS_ROOT", str(VAR_DIR / "exports")))

# Internationalisation: Swedish first, English available.
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
if not PRODUCTION:
    # WhiteNoise warns about a missing root; collectstatic fills it in production.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
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

# Documents on the record (documents app, docs/documents.md): encrypted chunks under
# random object names. The filesystem under var/ by default; S3-compatible object
# storage (django-storages) with STEGVIS_DOCUMENTS_STORAGE=s3. The storage only
# ever holds ciphertext, so its own encryption and access policy are a second line.
DOCUMENTS_MAX_BYTES = 20 * 1024 * 1024
DOCUMENTS_VERIFY_SAMPLE = int(os.environ.get("STEGVIS_DOCUMENTS_VERIFY_SAMPLE", "500"))
DOCUMENTS_STORAGE = os.environ.get("STEGVIS_DOCUMENTS_STORAGE", "filesystem")
_documents_storage: dict[str, Any]
if DOCUMENTS_STORAGE == "s3":
    _documents_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["STEGVIS_DOCUMENTS_BUCKET"],
            "endpoint_url": os.environ.get("STEGVIS_DOCUMENTS_S3_ENDPOINT") or None,
            "region_name": os.environ.get("STEGVIS_DOCUMENTS_S3_REGION") or None,
            # Credentials: boto3's usual chain (AWS_ACCESS_KEY_ID/… or an instance role).
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
elif DOCUMENTS_STORAGE == "filesystem":
    _documents_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": os.environ.get("STEGVIS_DOCUMENTS_ROOT", str(VAR_DIR / "documents")),
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    }
else:
    raise ImproperlyConfigured("STEGVIS_DOCUMENTS_STORAGE must be 'filesystem' or 's3'.")
STORAGES["documents"] = _documents_storage

# Field encryption (see docs/keys.md). Production: both from the environment,
# no fallback. Development: generated once into a git-ignored file.
FIELD_ENCRYPTION_KEYS = os.environ.get("FIELD_ENCRYPTION_KEYS", "")
BLIND_INDEX_KEY = os.environ.get("BLIND_INDEX_KEY", "")
DEVELOPMENT_KEY_FILE = VAR_DIR / "keys" / "development-keys.json"
ENCRYPTION_DEV_KEY_FILE = None if PRODUCTION else DEVELOPMENT_KEY_FILE
if PRODUCTION and (not FIELD_ENCRYPTION_KEYS or not BLIND_INDEX_KEY):
    raise ImproperlyConfigured(
        "FIELD_ENCRYPTION_KEYS and BLIND_INDEX_KEY must be set in production (docs/keys.md)."
    )
if PRODUCTION:
    # Refused at start-up, not only by the system check: gunicorn runs no checks.
    from config.production import key_ring_problems

    if problems := key_ring_problems(
        FIELD_ENCRYPTION_KEYS,
        BLIND_INDEX_KEY,
        development_key_file=DEVELOPMENT_KEY_FILE,
    ):
        raise ImproperlyConfigured(
            "Production refuses this key ring (docs/keys.md): " + "; ".join(problems) + "."
        )

# Access: how long a supervisor keeps read access after a placement ends.
SUPERVISOR_READ_GRACE_DAYS = int(os.environ.get("STEGVIS_SUPERVISOR_GRACE_DAYS", "30"))
# ... and how long a case officer keeps read access after the placement ended
# (the 6-month follow-up plus a month to report it).
CASE_OFFICER_READ_DAYS_AFTER_END = int(os.environ.get("STEGVIS_CASE_OFFICER_READ_DAYS", "214"))

LOGGING = logging_config(
    level=os.environ.get("DJANGO_LOG_LEVEL", "INFO"),
    json_logs=os.environ.get("DJANGO_LOG_FORMAT", "json" if PRODUCTION else "plain") == "json",
)

# Caches and sessions work across several app nodes: database sessions by
# default; Redis for both when REDIS_URL is set.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "stegvis_cache",
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# A read replica for reports, when configured (see config/routers.py).
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = prepare_statements(
        dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=60)
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["config.routers.ReportReplicaRouter"]

# --- Erasure and retention (erasure app; docs/privacy.md) ---------------------------------
# Defaults of a new enterprise's retention policy (a manager changes them on screen):
# a participant's record is due for review this many years after their last placement
# ended, or after registration when they never had a placement.
RETENTION_DEFAULT_YEARS_AFTER_END = int(os.environ.get("STEGVIS_RETENTION_YEARS", "3"))
RETENTION_DEFAULT_YEARS_WITHOUT_PLACEMENT = int(
    os.environ.get("STEGVIS_RETENTION_YEARS_NO_PLACEMENT", "1")
)
