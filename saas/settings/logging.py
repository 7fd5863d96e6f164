"""Logging: one JSON object per line on stderr (LOG_FORMAT=json, the default), or a readable
line for a terminal (LOG_FORMAT=plain, the default with DJANGO_DEBUG). Both carry the request
id, the programme schema and the user id (saas.core.observability.logs)."""

from typing import Any

import environ

env = environ.Env()

LOG_LEVEL = env("LOG_LEVEL", default="INFO").upper()
LOG_FORMAT = env(
    "LOG_FORMAT", default="plain" if env.bool("DJANGO_DEBUG", default=False) else "json"
)

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "saas.core.observability.logs.ContextFilter"}},
    "formatters": {
        "json": {"()": "saas.core.observability.logs.JsonFormatter"},
        "plain": {
            "format": "%(asctime)s %(levelname)s %(name)s "
            "[request=%(request_id)s programme=%(programme)s user=%(user_id)s] %(message)s"
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Through the root handler only (Django's defaults add a console handler of their own
        # in debug, which would print every line twice).
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # The closing line of each request (saas.core.middleware) replaces runserver's.
        "django.server": {"handlers": [], "level": "WARNING", "propagate": True},
        # SQL only when asked for: LOG_LEVEL=DEBUG does not turn it on by itself.
        "django.db.backends": {"level": "INFO"},
    },
}
