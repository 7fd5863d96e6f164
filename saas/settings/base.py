"""Settings shared by every environment.

Everything comes from the environment (django-environ); the integration modules
(`celery`, `email`, `sentry`, `storage`, `whereby`) are imported at the end and switch themselves
on from their own variables. See README.md § Configuration for the full list.
"""

from pathlib import Path
from typing import Any

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

SECRET_KEY = env("DJANGO_SECRET_KEY")
# Previous keys, during a rotation: sessions, signed links and recovery codes made with them
# keep working until they expire (docs/operations.md § Rotate secrets).
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])
DEBUG = env.bool("DJANGO_DEBUG", default=False)

# --- Hosts -------------------------------------------------------------------------------------
# The public site (super-admin console) answers on BASE_DOMAIN; every programme answers on
# <slug>.BASE_DOMAIN. Hosts are resolved to a schema by tenants.middleware.
BASE_DOMAIN = env("BASE_DOMAIN", default="localhost").lower()
SITE_SCHEME = env("SITE_SCHEME", default="https")
SITE_PORT = env("SITE_PORT", default="")
ALLOWED_HOSTS = [BASE_DOMAIN, f".{BASE_DOMAIN}"]
# Who answers for the platform (accessibility statement, legal pages).
PLATFORM_CONTACT_EMAIL = env("PLATFORM_CONTACT_EMAIL", default=f"contact@{BASE_DOMAIN}")
# The operator of the platform: the processor of every programme's register (RGPD art. 30.2).
PLATFORM_OPERATOR_NAME = env("PLATFORM_OPERATOR_NAME", default="Binôme")
PLATFORM_OPERATOR_ADDRESS = env("PLATFORM_OPERATOR_ADDRESS", default="")

# --- Applications --------------------------------------------------------------------------------


def _local_apps(package: str) -> list[str]:
    """Every sub-package of `package` that has an apps.py: the folder decides the schema."""
    root = BASE_DIR / package
    return sorted(
        f"{package}.{child.name}"
        for child in root.iterdir()
        if child.is_dir() and (child / "apps.py").exists()
    )


THIRD_PARTY_SHARED_APPS = [
    "django_tenants",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "tenants",
    "saas.core",
    "saas.project",
]
# The audit log: a top-level app in both lists (neither folder decides its schema), one model
# whose table exists in `public` (platform events) and in every programme's schema.
SHARED_APPS = [*THIRD_PARTY_SHARED_APPS, "audit", *_local_apps("shared_apps")]
TENANT_APPS = [
    # Both lists on purpose: content types and sessions exist in every schema, so a session is
    # stored in the schema of the host it was opened on (DESIGN §2).
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "audit",
    *_local_apps("tenant_apps"),
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Program"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
PUBLIC_SCHEMA_URLCONF = "saas.urls_public"
ROOT_URLCONF = "saas.urls_tenants"
TENANT_LIMIT_SET_CALLS = True
# `migrate_schemas` on thousands of schemas: TENANT_MIGRATION_PROCESSES > 1 migrates the
# programme schemas with django-tenants' `multiprocessing` executor in that many processes
# (public first, alone); 1 uses the `standard` executor, in the command's own process.
TENANT_MULTIPROCESSING_MAX_PROCESSES = env.int("TENANT_MIGRATION_PROCESSES", default=2)
TENANT_MIGRATION_EXECUTOR = (
    "multiprocessing" if TENANT_MULTIPROCESSING_MAX_PROCESSES > 1 else "standard"
)
GET_EXECUTOR_FUNCTION = "tenants.migration_executor.get_executor"
# A plain `migrate_schemas` skips the schemas whose applied migrations (read from their own
# django_migrations) are already the code's head (docs/operations.md § 2.1); off: every schema.
TENANT_MIGRATION_SKIP_AT_HEAD = True

# Spare, fully migrated schemas kept ready so that a new programme is usable at once
# (tenants.services.program_pool_refill). 0 disables the pool: plain migrate at creation.
PROGRAM_POOL_SIZE = env.int("PROGRAM_POOL_SIZE", default=3)

# Sub-domains that can never be a programme's slug.
RESERVED_SLUGS = frozenset(
    {
        "www",
        "api",
        "admin",
        "console",
        "static",
        "media",
        "mail",
        "smtp",
        "imap",
        "pop",
        "ftp",
        "app",
        "apps",
        "status",
        "help",
        "support",
        "docs",
        "blog",
        "public",
        "assets",
        "cdn",
        "auth",
        "login",
        "sso",
        "webhooks",
        "healthz",
        "readyz",
        "binome",
        "test",
        "demo-public",
        "localhost",
    }
)

MIDDLEWARE = [
    "saas.core.middleware.RequestContextMiddleware",  # request id, log context, duration
    "saas.core.middleware.PermissionsPolicyMiddleware",  # every browser feature off by default
    # /healthz answered here: no host lookup, session, user, database or cache.
    "saas.core.middleware.LivenessMiddleware",
    "tenants.middleware.ProgramMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Our 404 page in DEBUG too: Django's debug 404 lists every URL pattern.
    "saas.core.middleware.NotFoundPageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Deny by default: a view is reachable anonymously only when marked with
    # @login_not_required (saas.core.decorators.public_view). tests/test_isolation.py walks
    # every URL pattern to prove it.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # 30 min idle / 12 h absolute, then a second factor where it is required or set up.
    "shared_apps.accounts.middleware.SessionTimeoutMiddleware",
    "shared_apps.accounts.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

TEMPLATES: list[dict[str, Any]] = [
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
                "saas.core.context_processors.site",
                "tenant_apps.programs.context_processors.branding",
            ],
        },
    },
]

# Django's widget HTML, rendered without a template include per option (saas/core/forms.py).
FORM_RENDERER = "saas.core.forms.FlatWidgetRenderer"

WSGI_APPLICATION = "saas.wsgi.application"

# --- Database ------------------------------------------------------------------------------------
DATABASES = {"default": env.db_url("DATABASE_URL")}
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
# Persistent connections: a new connection per request costs ~8x in throughput (measured).
# psycopg's pool is not used because django-tenants tracks the search_path per connection
# wrapper, which a pool would hand to another request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Caches --------------------------------------------------------------------------------------
# "default" is per programme (keys prefixed with the schema); "global" is for the few values that
# must be shared across programmes (login throttling per account, host -> programme).
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    _cache_backend = {
        "BACKEND": "saas.core.cache.RedisCache",  # Django's, one client per pool
        "LOCATION": REDIS_URL,
    }
else:
    _cache_backend = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
CACHES = {
    "default": {
        **_cache_backend,
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="binome"),
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        **({"LOCATION": "binome-default"} if not REDIS_URL else {}),
    },
    "global": {
        **_cache_backend,
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="binome") + ":global",
        **({"LOCATION": "binome-global"} if not REDIS_URL else {}),
    },
}

# Audit log entries are kept this long, then removed by a daily job (RGPD: 12 months).
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=365)
# How long Scaleway keeps the database's automated backups: set by Terraform
# (modules/database `backup_retention_days`), handed to the application by the production
# environment's config, stated in the processing register. The default is Terraform's.
DATABASE_BACKUP_RETENTION_DAYS = env.int("DATABASE_BACKUP_RETENTION_DAYS", default=14)

# --- Identity and sessions -----------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "shared_apps.accounts.backends.StaffBackend",
    "tenants.backends.ClientAdministratorBackend",
    "tenant_apps.participants.backends.ParticipantBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
# Argon2id with OWASP's parameters (19 MiB, t=2, p=1) instead of Django's (100 MiB, t=2, p=8):
# the decision and its source in shared_apps/accounts/hashers.py and docs/architecture.md.
# Hashes made with Django's parameters are verified and upgraded at the next sign-in.
PASSWORD_HASHERS = [
    "shared_apps.accounts.hashers.OwaspArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "shared_apps.accounts.passwords.FrenchCommonPasswordValidator"},
    {"NAME": "shared_apps.accounts.passwords.OrganisationNameValidator"},
]
# Sessions are written to the programme's table and to the programme's cache, and read from the
# cache: one query less on every signed-in request (bench/README.md § Load). Safe because no
# session is ever ended by deleting rows behind the cache's back: logging out flushes both,
# "log out everywhere", a password change or reset and an erasure bump the account's
# session_version (part of the session auth hash, checked against the database on every
# request), a deactivated participant is refused by the backend's get_user; expired rows are
# purged by retention when their cached copy has expired too (same lifetime). The cache keys
# carry the schema, like the table: a session of programme A is unknown on B's host.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_DOMAIN = None  # host-only: a programme's cookie never reaches another host
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 12 * 60 * 60  # the absolute limit; the idle limit is enforced server-side
SESSION_IDLE_SECONDS = 30 * 60
SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60
# Failed logins (shared_apps/accounts/security.py): a doubling delay per (account, address)
# from the 5th failure; past LOGIN_FAILURES_PER_ACCOUNT failures an hour per account across every
# programme, a network its owner never used needs an emailed sign-in link; past
# LOGIN_FAILURES_HARD_LIMIT every network does (known ones included), so nobody without the
# owner's mailbox gets more guesses than that an hour; and LOGIN_FAILURES_PER_IP an hour per
# address, whatever the account.
LOGIN_DELAY_FROM_FAILURE = 5
LOGIN_FAILURES_PER_ACCOUNT = 90
LOGIN_FAILURES_HARD_LIMIT = 100
LOGIN_FAILURES_PER_IP = 300
# Account security records (failed sign-ins, sign-in links) are purged after this many days.
ACCOUNT_SECURITY_RETENTION_DAYS = 90
# Who must use a second factor on a programme site (super-admins always do on the console):
# a tenant-side function, so that the shared accounts app does not import programme code.
TWO_FACTOR_REQUIRED = "tenant_apps.participants.selectors.two_factor_required"
# Why a person may not turn it off, across all their programmes (a list of reasons).
TWO_FACTOR_REQUIRED_REASONS = "tenants.client_admin.two_factor_required_reasons"
# Who must have a second factor on the public site: super-admins and client administrators.
PUBLIC_TWO_FACTOR_REQUIRED = "tenants.client_admin.public_two_factor_required"
# Sensitive account changes (2FA off, new recovery codes, new password) need a password (and
# code) given within this many seconds.
RECENT_AUTH_SECONDS = 5 * 60
OTP_TOTP_ISSUER = "Binôme"
OTP_TOTP_THROTTLE_FACTOR = 1
CSRF_COOKIE_DOMAIN = None

# --- Internationalisation ------------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Static files --------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env("STATIC_ROOT", default=str(BASE_DIR / ".local" / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# STORAGES (files in Object Storage or on disk, one prefix per programme): saas/settings/storage.py
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / ".local" / "media"))
MEDIA_URL = "/media/"
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"

# --- Security headers ----------------------------------------------------------------------------
# Addresses (IPs or CIDRs) of the load balancer in front of the web containers: only its
# X-Request-ID is kept (saas.core.middleware); a client's own is ignored.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "frame-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

# --- REST API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "EXCEPTION_HANDLER": "saas.core.apis.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

# --- The programme's API (tenant_apps/api) --------------------------------------------------------
API_KEY_RATE = env("API_KEY_RATE", default="600/min")  # per key, DRF throttle in the default cache
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=6)  # per delivery
WEBHOOK_DISABLE_AFTER = env.int("WEBHOOK_DISABLE_AFTER", default=5)  # failed deliveries in a row
WEBHOOK_BACKOFF_SECONDS = 30  # then 60, 120… (exponential)
WEBHOOK_BACKOFF_MAX_SECONDS = 3600
WEBHOOK_TIMEOUT_SECONDS = 10
SPECTACULAR_SETTINGS = {
    "TITLE": "Binôme API",
    "DESCRIPTION": "The programme's REST API: participants, pairs, meetings, statistics.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets sharing a field name get names of their own (else W001 and hashed names).
    "ENUM_NAME_OVERRIDES": {
        "ParticipantRoleEnum": "tenant_apps.participants.models.Participant.Role",
        "PairRoleEnum": "tenant_apps.api.apis.PAIR_ROLES",
        "SurveyKindEnum": "tenant_apps.surveys.models.Survey.Kind",
        "QuestionKindEnum": "tenant_apps.programs.models.Question.Kind",
    },
}

# --- Logging -------------------------------------------------------------------------------------
# JSON lines with request id, programme and user id: saas/settings/logging.py (imported below).

from saas.settings.celery import *  # noqa: E402, F403
from saas.settings.email import *  # noqa: E402, F403
from saas.settings.logging import *  # noqa: E402, F403
from saas.settings.sentry import *  # noqa: E402, F403
from saas.settings.storage import *  # noqa: E402, F403
from saas.settings.whereby import *  # noqa: E402, F403
