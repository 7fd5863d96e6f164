"""Retention rules of a programme, applied every day (and shown to the manager as a dry run):
registrations never confirmed are deleted after N days; accounts with no activity are warned,
then erased; the whole programme is anonymised N months after it ends. Idempotent: a person
is warned once, erased once."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import DateTimeField, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from saas.core.audit import audit_record
from tenant_apps.notifications.services import email_queue
from tenant_apps.participants.models import Participant
from tenant_apps.privacy.erasure import ERASED_DOMAIN, participant_erase
from tenant_apps.programs.selectors import program_settings

DAYS_PER_MONTH = 30.4375


def months(count: int) -> timedelta:
    return timedelta(days=round(count * DAYS_PER_MONTH))


@dataclass
class RetentionPlan:
    now: datetime
    unverified: list[Participant] = field(default_factory=list)
    to_warn: list[Participant] = field(default_factory=list)
    to_erase: list[Participant] = field(default_factory=list)
    programme_ended_on: object = None

    @property
    def is_empty(self) -> bool:
        return not (self.unverified or self.to_warn or self.to_erase)


def _people() -> QuerySet[Participant]:
    return (
        Participant.objects.select_related("user")
        .exclude(status=Participant.Status.ERASED)
        .exclude(user__email__endswith=f"@{ERASED_DOMAIN}")
        .annotate(
            last_activity=Coalesce(
                "last_active_at", "activated_at", "created_at", output_field=DateTimeField()
            )
        )
    )


def retention_plan(*, now: datetime | None = None) -> RetentionPlan:
    """What the daily job would do now — read only."""
    now = now or timezone.now()
    config = program_settings()
    plan = RetentionPlan(now=now)
    people = _people()
    if config.ends_on and now.date() > config.ends_on + months(config.retention_after_end_months):
        plan.programme_ended_on = config.ends_on
        plan.to_erase = list(people)
        return plan
    plan.unverified = list(
        people.filter(
            status=Participant.Status.INVITED,
            joined_via=Participant.JoinedVia.REGISTRATION,
            created_at__lt=now - timedelta(days=config.retention_unverified_days),
        )
    )
    active = people.filter(status=Participant.Status.ACTIVE)
    erase_before = now - months(config.retention_inactive_erase_months)
    plan.to_erase = list(active.filter(last_activity__lt=erase_before))
    plan.to_warn = list(
        active.filter(
            last_activity__lt=now - months(config.retention_inactive_warn_months),
            last_activity__gte=erase_before,
            retention_warned_at__isnull=True,
        )
    )
    return plan


def retention_apply(*, now: datetime | None = None) -> dict[str, int]:
    """Apply the plan. Each person is handled in their own transaction."""
    plan = retention_plan(now=now)
    for participant in plan.unverified + plan.to_erase:
        participant_erase(participant=participant, by=None)
    for participant in plan.to_warn:
        _warn(participant, now=plan.now)
    counts = {
        "unverified_deleted": len(plan.unverified),
        "inactive_warned": len(plan.to_warn),
        "erased": len(plan.to_erase),
    }
    if not plan.is_empty:
        audit_record(action="privacy.retention_applied", details=counts)
    return counts


def _warn(participant: Participant, *, now: datetime) -> None:
    from django.db import transaction

    with transaction.atomic():
        updated = Participant.objects.filter(
            pk=participant.pk, retention_warned_at__isnull=True
        ).update(retention_warned_at=now)
        if updated:
            email_queue(
                to=participant.user.email,
                template="retention_warning",
                context={"participant": participant},
            )
