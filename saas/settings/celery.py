"""Celery: a real broker when CELERY_BROKER_URL is set, tasks run in-process (eager) otherwise."""

from typing import Any

import environ
from celery.schedules import crontab

env = environ.Env()

CELERY_TASK_ALWAYS_EAGER = not env("CELERY_BROKER_URL", default="")
# Eager tasks still take a producer from the pool: Kombu's in-memory transport, named with a
# host so that Kombu does not warn "No hostname was supplied" at every start.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="") or "memory://localhost//"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Europe/Paris"
CELERY_TASK_TENANT_CACHE_SECONDS = 30
CELERY_BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    # Retention (docs/operations.md § 7): expired sessions of public, then one task per ready,
    # paused or archived programme (people, outbox, webhook events, sessions).
    "apply-retention-rules": {
        "task": "tenant_apps.privacy.tasks.apply_retention_everywhere_task",  # tenants.tasks
        "schedule": crontab(hour=2, minute=47),
    },
    "purge-audit-logs": {
        "task": "tenant_apps.privacy.tasks.purge_audit_logs_everywhere_task",  # tenants.tasks
        "schedule": crontab(hour=3, minute=17),
    },
    "expire-mentor-requests": {
        "task": "tenant_apps.matching.tasks.expire_requests_everywhere_task",  # tenants.tasks
        "schedule": crontab(minute=7),
    },
    # Meeting reminders (24 h and 1 h before), creation of the video rooms whose join window is
    # about to open (tenant_apps.meetings.selectors.ROOM_CREATED_BEFORE must stay longer than
    # this interval + the 15 minutes of the window) and deletion of the rooms of past meetings:
    # one task per open programme, cheap when nothing is due.
    "process-due-meetings": {
        "task": "tenant_apps.meetings.tasks.process_due_meetings_everywhere_task",
        "schedule": crontab(minute="*/5"),
    },
    # A pair's thread: "a message is waiting" emails, at most one per thread every 15 minutes
    # (tenant_apps.mentoring.services.MESSAGE_EMAIL_EVERY), never the content.
    "send-message-emails": {
        "task": "tenant_apps.mentoring.tasks.send_message_emails_everywhere_task",
        "schedule": crontab(minute="*/5"),
    },
    # Quiet pairs (no meeting for the programme's number of days): one reminder each.
    "send-pair-nudges": {
        "task": "tenant_apps.mentoring.tasks.send_nudges_everywhere_task",
        "schedule": crontab(hour=9, minute=23),
    },
    # The managers' monthly report (last month's key figures), one task per open programme.
    "send-monthly-reports": {
        "task": "tenant_apps.outcomes.tasks.send_monthly_reports_everywhere_task",  # tenants.tasks
        "schedule": crontab(day_of_month=1, hour=7, minute=23),
    },
    # Statistics snapshots (issue 14): one row per programme per day in public, read by the
    # client administrators' page and the console's platform totals.
    "take-programme-snapshots": {
        "task": "tenants.tasks.take_snapshots_task",
        "schedule": crontab(hour=1, minute=37),
    },
    # Feedback (tenant_apps.surveys): requests after held meetings, check-ins, the scheduled
    # end-of-programme survey, reminders (at most two). One task per open programme; idempotent.
    "process-surveys": {
        "task": "tenant_apps.surveys.tasks.process_surveys_everywhere_task",
        "schedule": crontab(minute="3-59/15"),
    },
    "refill-programme-pool": {
        "task": "tenants.tasks.program_pool_refill_task",
        "schedule": crontab(minute="*/5"),
    },
}
