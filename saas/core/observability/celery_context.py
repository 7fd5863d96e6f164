"""Celery tasks log the same ids as the request that queued them.

Connected in saas/celery.py: the publisher puts the request id and the user id in the
message headers (next to tenant-schemas-celery's `_schema_name`); the worker binds them, with
the task's id and name, for the time the task runs. The programme is the schema the task runs
in. Eager tasks (no broker) run in the caller's thread and keep its ids.
"""

import logging
import logging.config
from contextvars import Token
from typing import Any

from saas.core.observability import context

REQUEST_ID_HEADER = "binome_request_id"
USER_ID_HEADER = "binome_user_id"

_tokens: dict[str, Token[context.Context]] = {}


def task_headers_add(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    """before_task_publish: the ids of the current request (or task) go with the message."""
    if headers is None:
        return
    current = context.current()
    if current.request_id and REQUEST_ID_HEADER not in headers:
        headers[REQUEST_ID_HEADER] = current.request_id
    user_id = context.user_id()
    if user_id is not None and USER_ID_HEADER not in headers:
        headers[USER_ID_HEADER] = user_id


def _header(task: Any, name: str) -> Any:
    request = task.request
    headers = getattr(request, "headers", None) or {}
    return headers.get(name) if name in headers else request.get(name)


def task_context_bind(task_id: str | None = None, task: Any = None, **kwargs: Any) -> None:
    """task_prerun: bind the task's context until task_postrun."""
    if task_id is None or task is None:
        return
    current = context.current()
    user_id = _header(task, USER_ID_HEADER)
    _tokens[task_id] = context.bind(
        request_id=_header(task, REQUEST_ID_HEADER) or current.request_id,
        request=None,
        user_id=int(user_id) if user_id is not None else context.user_id(),
        task_id=task_id,
        task_name=task.name,
        # An eager task shares the values of the request it runs in.
        personal=current.personal or context.PersonalValues(),
    )


def task_context_reset(task_id: str | None = None, **kwargs: Any) -> None:
    """task_postrun: back to the context from before the task."""
    token = _tokens.pop(task_id, None) if task_id else None
    if token is None:
        return
    try:
        context.reset(token)
    except ValueError:  # bound in another execution context: leave a clean one
        context.bind(request_id=None, request=None, user_id=None, task_id=None, task_name=None)


def worker_logging_setup(**kwargs: Any) -> None:
    """setup_logging: the worker logs like the web process (JSON, settings.LOGGING) instead of
    Celery's own format. Django usually configured logging already (django.setup())."""
    from django.apps import apps
    from django.conf import settings

    if not apps.ready:
        logging.config.dictConfig(settings.LOGGING)
