"""Queue a Celery task once the current transaction commits, in the current programme.

`transaction.on_commit` callbacks run after the `tenant_context` that queued them may have
exited; the schema is captured now and sent in the task headers (tenant-schemas-celery reads
`_schema_name`), so the task runs in the programme that asked for it.
"""

from typing import Any

from celery import Task
from django.db import connection, transaction


def enqueue_on_commit(task: Task, **kwargs: Any) -> None:
    schema_name = connection.schema_name
    transaction.on_commit(
        lambda: task.apply_async(kwargs=kwargs, headers={"_schema_name": schema_name})
    )
