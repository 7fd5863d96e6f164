from datetime import timedelta

from botocore.exceptions import BotoCoreError, ClientError
from celery import shared_task
from django.conf import settings
from django.utils import timezone

from audit.log import audit_purge
from saas.core.storage import files_delete_prefix
from saas.core.tasks import retried_on


@shared_task(acks_late=True, ignore_result=True)
def purge_audit_log_task() -> int:
    """In one programme (or the public schema): drop audit entries past their retention."""
    return audit_purge(before=timezone.now() - timedelta(days=settings.AUDIT_RETENTION_DAYS))


@shared_task(acks_late=True, ignore_result=True)
def apply_retention_task() -> dict[str, int]:
    """In one programme: the retention rules (safe to run twice)."""
    from tenant_apps.privacy.services.retention import retention_apply

    return retention_apply()


@shared_task(acks_late=True, ignore_result=True)
def purge_expired_sessions_task() -> None:
    """In one schema (a programme's or public): `clearsessions`."""
    from tenant_apps.privacy.services.retention import sessions_purge_expired

    sessions_purge_expired()


@shared_task(ignore_result=True, **retried_on(OSError, BotoCoreError, ClientError, max_retries=10))
def delete_files_task(*, prefix: str) -> int:
    """In one programme: every file (every version, in the bucket) under `prefix` goes. Safe
    to run twice; retried while the storage is unreachable."""
    return files_delete_prefix(prefix=prefix)
