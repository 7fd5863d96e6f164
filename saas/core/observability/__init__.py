"""Observability: error reports (Sentry), structured logs, and the context they share.

- `context`: request id, programme schema, user id, task — bound per request by
  `saas.core.middleware.RequestContextMiddleware` and per task by `celery_context`;
- `logs`: the JSON formatter and the filter that adds the context to every record;
- `sentry`: `sentry_init` and the scrubbers, which use `scrubbing`.

Nothing here imports models at import time: the settings import `sentry_init`.
"""

from saas.core.observability.sentry import sentry_init

__all__ = ["sentry_init"]
