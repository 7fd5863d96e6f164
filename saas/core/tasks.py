"""Queue a Celery task once the current transaction commits, in the current programme.

`transaction.on_commit` callbacks run after the `tenant_context` that queued them may have
exited; the schema is captured now and sent in the task headers (tenant-schemas-celery reads
`_schema_name`), so the task runs in the programme that asked for it.
"""

import logging
from typing import Any

from celery import Task
from celery.exceptions import Retry
from django.db import transaction

from saas.core.tenancy import connection

logger = logging.getLogger(__name__)


def enqueue_on_commit(task: Task[Any, Any], **kwargs: Any) -> None:
    schema_name = connection.schema_name
    transaction.on_commit(lambda: _send(task, kwargs, schema_name))


def _send(task: Task[Any, Any], kwargs: dict[str, Any], schema_name: str) -> None:
    try:
        task.apply_async(kwargs=kwargs, headers={"_schema_name": schema_name})
    except Retry as exc:
        # Only without a broker (`dev.py run`: tasks run eagerly, inside the request that
        # queued them). The request's work is committed; a worker would retry long after the
        # answer, so the request answers normally and the retry that cannot happen is logged.
        logger.warning("%s asked for a retry, not done in eager mode: %s", task.name, exc)


def retried_on(
    *errors: type[BaseException], max_retries: int = 8, backoff: int = 30, backoff_max: int = 3600
) -> dict[str, Any]:
    """The options of a task that talks to an outside service (SMTP, object storage,
    Whereby): acknowledged once done, and retried on `errors` with a growing, jittered wait
    (`backoff` seconds, doubling up to `backoff_max`) at most `max_retries` times.
    `@shared_task(**retried_on(OSError), ignore_result=True)`."""
    return {
        "acks_late": True,
        "autoretry_for": errors,
        "retry_backoff": backoff,
        "retry_backoff_max": backoff_max,
        "retry_jitter": True,
        "max_retries": max_retries,
    }
