"""Periodic jobs fan out (CONVENTIONS §6): one beat task lists the programmes, one task per
programme does the work, each copy running in its programme's schema (tenant-schemas-celery
reads `_schema_name` from the headers). The beat tasks themselves are in tenants/tasks.py."""

from typing import Any

from celery import Task
from django_tenants.utils import get_public_schema_name

from tenants.models import Program


def fan_out(task: Task, *, include_closed: bool = False, **kwargs: Any) -> int:
    """Send `task` once per open programme, each copy running in its programme's schema
    (periodic jobs: one beat task lists the programmes, one task per programme does the work).
    With `include_closed`, paused and archived programmes too: their data still exists, so
    retention and purges must reach them (schemas being provisioned, failed or spare hold no
    one). Returns how many were sent."""
    statuses = [Program.Status.READY]
    if include_closed:
        statuses += [Program.Status.PAUSED, Program.Status.ARCHIVED]
    schemas = (
        Program.objects.filter(status__in=statuses)
        .exclude(schema_name=get_public_schema_name())
        .values_list("schema_name", flat=True)
    )
    count = 0
    for schema_name in schemas.iterator():
        task.apply_async(kwargs=kwargs, headers={"_schema_name": schema_name})
        count += 1
    return count
