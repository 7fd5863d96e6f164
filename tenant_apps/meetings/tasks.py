from datetime import datetime, timedelta
from typing import Any

from celery import Task, shared_task
from django.db.models import Q
from django.utils import timezone
from django_tenants.utils import get_public_schema_name

from saas.core.tenancy import connection
from tenant_apps.meetings.models import Meeting
from tenant_apps.meetings.selectors import (
    _CLOSED_BY_OUTCOME,
    JOIN_CLOSES_AFTER,
    JOINABLE,
    ROOM_CREATED_BEFORE,
    TIME_HOLDING,
)
from tenant_apps.meetings.services.reminders import meetings_due_process
from tenant_apps.meetings.services.room import meeting_room_sync
from tenant_apps.video.services import WherebyRateLimited, WherebyUnavailable


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(WherebyUnavailable,),
    retry_backoff=15,
    retry_backoff_max=900,
    retry_jitter=True,
    max_retries=8,
)
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


def _due_anywhere(now: datetime) -> Q:
    """The condition of tenant_apps.meetings.selectors.meetings_due, for the whole table (the
    test test_fan_out_finds_exactly_the_programmes_with_something_due compares the two)."""
    day, hour = timedelta(hours=24), timedelta(hours=1)
    reminders = Q(status__in=TIME_HOLDING, starts_at__gt=now) & (
        Q(reminder_24h_sent_at__isnull=True, starts_at__lte=now + day, starts_at__gt=now + hour)
        | Q(reminder_1h_sent_at__isnull=True, starts_at__lte=now + hour)
    )
    stale_rooms = ~Q(video_meeting_id="") & (
        ~Q(status__in=JOINABLE) | _CLOSED_BY_OUTCOME | Q(ends_at__lte=now - JOIN_CLOSES_AFTER)
    )
    missing_rooms = Q(
        video_meeting_id="",
        status__in=TIME_HOLDING,
        starts_at__lte=now + ROOM_CREATED_BEFORE,
        ends_at__gt=now - JOIN_CLOSES_AFTER,
    )
    return reminders | stale_rooms | missing_rooms


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
    probe = Meeting.objects.filter(_due_anywhere(now)).values("pk")[:1]
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
