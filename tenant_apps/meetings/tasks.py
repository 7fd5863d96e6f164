from datetime import datetime
from typing import Any

from celery import Task, shared_task
from django.utils import timezone
from django_tenants.utils import get_public_schema_name

from saas.core.tasks import retried_on
from saas.core.tenancy import connection
from tenant_apps.meetings.models import Meeting
from tenant_apps.meetings.selectors import due_condition
from tenant_apps.meetings.services.reminders import meetings_due_process
from tenant_apps.meetings.services.room import meeting_room_sync
from tenant_apps.video.services import WherebyRateLimited, WherebyUnavailable


@shared_task(bind=True, **retried_on(WherebyUnavailable, backoff=15, backoff_max=900))
def sync_meeting_room_task(self: Task[Any, None], *, meeting_id: int) -> None:
    """Create, replace or delete the meeting's Whereby room (idempotent)."""
    try:
        meeting_room_sync(meeting_id=meeting_id)
    except WherebyRateLimited as exc:
        raise self.retry(countdown=exc.retry_after, exc=exc) from None


@shared_task(acks_late=True, ignore_result=True)
def process_due_meetings_task() -> int:
    """In one programme: reminders due (24 h and 1 h before), video rooms to create (their join
    window is about to open) and to delete."""
    if connection.schema_name == get_public_schema_name():
        return 0  # the public site's Program row is "ready" too: it has no meetings
    return meetings_due_process()


# Programme schemas looked at per query by the beat job. The planner locks each schema's
# meetings table and its indexes (about 10 relations), so 50 schemas take ~500 lock slots for
# the statement's own transaction (autocommit): a stock server has 6,400.
DUE_BATCH = 50


def programmes_with_meetings_due(*, now: datetime | None = None) -> list[str]:
    """The schemas of the open programmes where `meetings_due` finds something, by one
    `EXISTS` per schema, UNION ALL over DUE_BATCH schemas per query (about 20 queries at
    1,000 programmes, each an index-only probe in an empty or quiet table)."""
    from tenants.models import Program

    now = now or timezone.now()
    schemas = list(
        Program.objects.filter(status=Program.Status.READY)
        .exclude(schema_name=get_public_schema_name())
        .order_by("schema_name")
        .values_list("schema_name", flat=True)
    )
    probe = Meeting.objects.filter(due_condition(now)).values("pk")[:1]
    sql, params = probe.query.sql_with_params()
    table = connection.ops.quote_name(Meeting._meta.db_table)
    due: list[str] = []
    for first in range(0, len(schemas), DUE_BATCH):
        chunk = schemas[first : first + DUE_BATCH]
        parts, values = [], []
        for schema in chunk:
            qualified = f"{connection.ops.quote_name(schema)}.{table}"
            parts.append(f"SELECT %s WHERE EXISTS ({sql.replace(table, qualified)})")
            values += [schema, *params]
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), values)
            due += [row[0] for row in cursor.fetchall()]
    return due


@shared_task(ignore_result=True)
def process_due_meetings_everywhere_task() -> int:
    """Beat, every 5 minutes: one task per open programme that has a meeting due (a reminder to
    send, a video room to create or delete), each in its schema. At 1,000 programmes the other
    ~288,000 tasks a day, each finding nothing, are no longer sent. Returns how many were."""
    schemas = programmes_with_meetings_due()
    for schema_name in schemas:
        process_due_meetings_task.apply_async(headers={"_schema_name": schema_name})
    return len(schemas)
