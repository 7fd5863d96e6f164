"""Structured logs: one JSON object per line, with the request id, the programme schema, the
user id (never an e-mail address), the task and the duration when there is one.

`ContextFilter` (on the handler) adds the context to every record; `JsonFormatter` writes it.
Messages and tracebacks go through the scrubber's patterns: a 404 line names the path, and a
path can hold a sign-in token. Standard library only (no python-json-logger).
"""

import datetime
import json
import logging
from typing import Any

from saas.core.observability import context
from saas.core.observability.paths import redact_paths_in_text
from saas.core.observability.scrubbing import scrub_data, scrub_text

CONTEXT_FIELDS = ("request_id", "programme", "user_id", "task_id", "task_name")
_RECORD_ATTRIBUTES = frozenset(
    logging.LogRecord("", 0, "", 0, "", (), None).__dict__.keys()
    | {"message", "asctime", "taskName", *CONTEXT_FIELDS}
)
_JSON_TYPES = (str, int, float, bool, list, dict, type(None))


class ContextFilter(logging.Filter):
    """Adds the observability context to every record that reaches the handler.

    Django logs 4xx and 5xx answers (`django.request`) after the middleware chain returned,
    when the context is no longer bound; those records carry the request, which gives the
    same ids. A path with a sign-in token in the message is logged with the token filtered
    (saas.core.observability.paths)."""

    def filter(self, record: logging.LogRecord) -> bool:
        current = context.current()
        request = current.request
        if request is None and hasattr(record.__dict__.get("request"), "META"):
            request = record.__dict__["request"]
        record.request_id = current.request_id or getattr(request, "request_id", None)
        record.programme = context.programme_schema(request)
        record.user_id = context.user_id(request)
        record.task_id = current.task_id
        record.task_name = current.task_name
        # Sign-in tokens in paths ("Not Found: /acces/<token>/", runserver's request lines),
        # in every format, plain included.
        message = record.getMessage()
        redacted = redact_paths_in_text(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line. Extra fields given with `extra={...}` are kept when they are
    plain JSON values (sensitive keys filtered); objects such as Django's `request` are not."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub_text(record.getMessage()),
        }
        for name in CONTEXT_FIELDS:
            entry[name] = getattr(record, name, None)
        extra = {
            key: value
            for key, value in record.__dict__.items()
            if key not in _RECORD_ATTRIBUTES and isinstance(value, _JSON_TYPES)
        }
        entry.update(scrub_data(extra))
        if record.exc_info:
            entry["exception"] = scrub_text(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=repr)
