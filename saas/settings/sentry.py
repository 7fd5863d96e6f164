"""Error tracking (sentry-sdk) is on only when SENTRY_DSN is set (saas.core.observability.
sentry_init): no personal data, scrubbed messages.

ERROR_TRACKING says where the events go — `glitchtip` (self-hosted in our cluster, France: the
production default, infra/terraform/modules/glitchtip), `sentry` (Sentry SaaS, EU region
expected; it keeps some metadata in the US and is listed as a transfer), `none`. Left empty it
is derived from the DSN's host; a declaration the DSN contradicts stops the start-up."""

import environ
from django.core.exceptions import ImproperlyConfigured

from saas.core.observability import sentry_init
from saas.core.observability.sentry import error_tracking_mode

env = environ.Env()

SENTRY_DSN = env("SENTRY_DSN", default="")
ERROR_TRACKING = env("ERROR_TRACKING", default="")  # as declared; the mode is derived from both
try:
    error_tracking_mode(
        dsn=SENTRY_DSN,
        declared=ERROR_TRACKING,
        base_domain=env("BASE_DOMAIN", default="localhost"),
    )
except ValueError as exc:
    raise ImproperlyConfigured(str(exc)) from exc
SENTRY_ENVIRONMENT = env("SENTRY_ENVIRONMENT", default="production")
SENTRY_RELEASE = env("SENTRY_RELEASE", default="")
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0)

sentry_init(
    dsn=SENTRY_DSN,
    environment=SENTRY_ENVIRONMENT,
    release=SENTRY_RELEASE,
    traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE,
)
