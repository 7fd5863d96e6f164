"""Where a log line or an error comes from: request id, programme schema, user id, task.

One context variable holds it. `saas.core.middleware.RequestContextMiddleware` binds it for
each request, the Celery signal handlers (`saas.core.observability.tasks`) for each task,
with the request id and user id of the request that queued the task. Reading it never does
I/O: the user id is read only if authentication already loaded the user.

The context also collects the names and addresses of the people loaded while it is bound
(`personal_values_add`, and a `post_init` receiver on the user model when Sentry is on), so
that the Sentry scrubber can remove them from error messages, where no pattern finds a name.
"""

import uuid
from contextvars import ContextVar, Token
from dataclasses import dataclass, field, replace
from typing import Any

# Beyond this many values in one request or task, error messages are dropped whole.
PERSONAL_VALUES_LIMIT = 2000
USER_PERSONAL_FIELDS = ("email", "first_name", "last_name")


class PersonalValues:
    """Names and addresses seen while a request or a task runs."""

    def __init__(self) -> None:
        self.values: set[str] = set()
        self.overflowed = False

    def add(self, *values: object) -> None:
        for value in values:
            if not isinstance(value, str) or len(value.strip()) < 2:
                continue
            if len(self.values) >= PERSONAL_VALUES_LIMIT:
                self.overflowed = True
                return
            self.values.add(value.strip())


@dataclass(frozen=True)
class Context:
    request_id: str | None = None
    request: Any = None  # the HttpRequest being served, if any
    user_id: int | None = None  # in a task: the user of the request that queued it
    task_id: str | None = None
    task_name: str | None = None
    personal: PersonalValues | None = field(default=None, compare=False)


_NO_CONTEXT = Context()  # frozen: safe as the default of the context variable
_context: ContextVar[Context] = ContextVar("binome_observability_context", default=_NO_CONTEXT)


def current() -> Context:
    return _context.get()


def bind(**values: Any) -> Token[Context]:
    """Bind a new context (the current one with `values` changed); `reset(token)` restores."""
    return _context.set(replace(_context.get(), **values))


def reset(token: Token[Context]) -> None:
    _context.reset(token)


def request_id_new() -> str:
    return uuid.uuid4().hex


def _connection_schema() -> str | None:
    try:
        from django.db import connection

        return getattr(connection, "schema_name", None)
    except Exception:  # settings not configured yet: no schema to report
        return None


def programme_schema(request: Any = None) -> str | None:
    """The programme a request was served for (its host's schema), or, outside a request,
    the schema the database connection is on (a task runs in its programme's schema)."""
    request = request if request is not None else current().request
    if request is not None:
        tenant = getattr(request, "tenant", None)
        return getattr(tenant, "schema_name", None)
    return _connection_schema()


def loaded_user(request: Any) -> Any:
    """The request's user if authentication already loaded it, else None: never a query."""
    user = getattr(request, "__dict__", {}).get("user")
    if user is None:
        return None
    from django.utils.functional import SimpleLazyObject, empty

    if isinstance(user, SimpleLazyObject):
        wrapped = user._wrapped
        return None if wrapped is empty else wrapped
    return user


def user_id(request: Any = None) -> int | None:
    context = current()
    request = request if request is not None else context.request
    if request is not None:
        user = loaded_user(request)
        if user is not None and getattr(user, "is_authenticated", False):
            pk: int = user.pk
            return pk
        return None
    return context.user_id


def personal_values_add(*values: object) -> None:
    """Register personal values (names, addresses) seen in the current request or task, so
    that an error reported to Sentry cannot carry them. A no-op outside a request or task."""
    personal = current().personal
    if personal is not None:
        personal.add(*values)


def personal_values() -> tuple[frozenset[str], bool]:
    """The values registered in the current context, and whether there were too many."""
    personal = current().personal
    if personal is None:
        return frozenset(), False
    return frozenset(personal.values), personal.overflowed


def user_loaded(sender: type, instance: Any, **kwargs: Any) -> None:
    """post_init receiver on the user model: every person loaded is remembered. Reads the
    instance's __dict__ only, so a deferred field is never fetched."""
    if current().personal is None:
        return
    personal_values_add(*(instance.__dict__.get(name) for name in USER_PERSONAL_FIELDS))
