"""Production (Scaleway). Every value comes from the environment; see README § Configuration."""

from django.core.exceptions import ImproperlyConfigured

from saas.settings.base import *  # noqa: F403
from saas.settings.base import REDIS_URL, env

# An in-process cache would make login throttling, rate limits and the host -> programme cache
# per process (and per container): a limit of 100 becomes 100 per worker.
if not REDIS_URL:
    raise ImproperlyConfigured(
        "REDIS_URL is required in production: without it every process keeps its own cache, "
        "so login throttling and the host cache would not be shared (README § Configuration)."
    )

DEBUG = False
SITE_SCHEME = "https"

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=63072000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True

# `__Host-` cookies are refused by browsers unless Secure, Path=/ and without Domain: the
# strongest form of "host-only" (DESIGN §2).
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-binome_session"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_NAME = "__Host-binome_csrf"
# Only the public site. A programme's forms post to their own host, which Django accepts
# without a trusted origin; a wildcard would let any programme's page post to every other one.
CSRF_TRUSTED_ORIGINS = [f"https://{BASE_DOMAIN}"]  # noqa: F405

STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
}
