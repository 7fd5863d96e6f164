"""Retention rules of a programme, applied every day by the beat fan-out (in every ready,
paused or archived programme) and shown to the manager as a dry run:

- registrations never confirmed are deleted after N days;
- people invited who never came are erased N days after their last invitation expired;
- deactivated people are erased N months after their deactivation;
- accounts with no activity are warned (in an open programme only), then erased;
- the whole programme is anonymised N months after it ends (or after it was archived);
- the messages of a pair are deleted N months after the pair ended (mentoring settings);
- the outbox (sent, failed or never sent messages, envelope-only rows included) is emptied
  after N days;
- the ids of handled Whereby webhook events go after N days;
- expired sessions are deleted (the public schema has its own task).

The periods are the programme's settings (and a few platform settings); `retention_rules`
states them for the processing register from the same values. Idempotent: a person is warned
once, erased once; a purge finds nothing the second time."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from importlib import import_module
from typing import TYPE_CHECKING, TypedDict

from django.conf import settings
from django.db.models import DateTimeField, Max, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.log import audit_exempt, audit_record, audit_unchanged, audited
from saas.core.tenancy import connection
from tenant_apps.mentoring.selectors import mentoring_settings
from tenant_apps.mentoring.services import messages_retention_purge
from tenant_apps.notifications.models import Email
from tenant_apps.notifications.services import email_queue
from tenant_apps.participants.models import AccessLink, Participant
from tenant_apps.privacy.services.erasure import ERASED_DOMAIN, participant_erase
from tenant_apps.programs.models import ProgramSettings
from tenant_apps.programs.selectors import program_settings
from tenant_apps.surveys.services import surveys_retention_apply, surveys_retention_rules
from tenant_apps.video.models import WebhookEvent
from tenants.models import Program

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class _Activity(TypedDict):
    """What `_people()` annotates on each participant."""

    last_activity: datetime


DAYS_PER_MONTH = 30.4375


@audit_exempt("pure computation: a number of months as a duration")
def months(count: int) -> timedelta:
    return timedelta(days=round(count * DAYS_PER_MONTH))


@dataclass
class RetentionPlan:
    now: datetime
    unverified: list[Participant] = field(default_factory=list)
    invitation_expired: list[Participant] = field(default_factory=list)
    deactivated: list[Participant] = field(default_factory=list)
    to_warn: list[Participant] = field(default_factory=list)
    to_erase: list[Participant] = field(default_factory=list)
    programme_ended_on: object = None

    @property
    def is_empty(self) -> bool:
        return not (
            self.unverified
            or self.invitation_expired
            or self.deactivated
            or self.to_warn
            or self.to_erase
        )


def _people() -> "QuerySet[WithAnnotations[Participant, _Activity]]":
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


def _programme_status() -> tuple[str, datetime | None]:
    """The current programme's status and when it last changed, read now (a worker's cached
    tenant may be older than a pause or an archive)."""
    row = (
        Program.objects.filter(schema_name=connection.schema_name)
        .values_list("status", "status_changed_at")
        .first()
    )
    return row if row else (Program.Status.READY, None)


@audit_exempt("pure computation: when the programme ended")
def programme_end(
    config: ProgramSettings, *, status: str, changed_at: datetime | None
) -> date | None:
    """When the programme ended: its end date, or the day it was archived if earlier (an
    archived programme never reopens)."""
    ends = [config.ends_on] if config.ends_on else []
    if status == Program.Status.ARCHIVED and changed_at:
        ends.append(timezone.localdate(changed_at))
    return min(ends, default=None)


@audit_exempt("a read: the dry run shown to the manager")
def retention_plan(*, now: datetime | None = None) -> RetentionPlan:
    """What the daily job would do now — read only."""
    now = now or timezone.now()
    config = program_settings()
    plan = RetentionPlan(now=now)
    people = _people()
    status, changed_at = _programme_status()
    ended_on = programme_end(config, status=status, changed_at=changed_at)
    if ended_on and now.date() > ended_on + months(config.retention_after_end_months):
        plan.programme_ended_on = ended_on
        plan.to_erase = list(people)
        return plan
    plan.unverified = list(
        people.filter(
            status=Participant.Status.INVITED,
            joined_via=Participant.JoinedVia.REGISTRATION,
            created_at__lt=now - timedelta(days=config.retention_unverified_days),
        )
    )
    plan.invitation_expired = list(
        people.filter(status=Participant.Status.INVITED)
        .exclude(joined_via=Participant.JoinedVia.REGISTRATION)
        .annotate(
            invitation_ended=Coalesce(
                Max("links__expires_at", filter=Q(links__purpose=AccessLink.Purpose.INVITATION)),
                "created_at",
                output_field=DateTimeField(),
            )
        )
        .filter(invitation_ended__lt=now - timedelta(days=config.retention_invited_days))
    )
    plan.deactivated = list(
        people.filter(status=Participant.Status.DEACTIVATED)
        .annotate(
            deactivated_since=Coalesce(
                "deactivated_at", "last_activity", output_field=DateTimeField()
            )
        )
        .filter(deactivated_since__lt=now - months(config.retention_deactivated_months))
    )
    active = people.filter(status=Participant.Status.ACTIVE)
    erase_before = now - months(config.retention_inactive_erase_months)
    plan.to_erase = list(active.filter(last_activity__lt=erase_before))
    if status != Program.Status.READY:
        return plan  # paused or archived: nobody can log in, so nobody is told to
    plan.to_warn = list(
        active.filter(
            last_activity__lt=now - months(config.retention_inactive_warn_months),
            last_activity__gte=erase_before,
            retention_warned_at__isnull=True,
        )
    )
    return plan


@audited
def retention_apply(*, now: datetime | None = None) -> dict[str, int]:
    """Apply the plan, then the purges. Each person is handled in their own transaction (so
    not atomic as a whole: each erasure is audited as it commits)."""
    plan = retention_plan(now=now)
    config = program_settings()
    for participant in plan.unverified + plan.invitation_expired + plan.deactivated:
        participant_erase(participant=participant, by=None)
    for participant in plan.to_erase:
        participant_erase(participant=participant, by=None)
    for participant in plan.to_warn:
        _warn(participant, now=plan.now)
    counts = {
        "unverified_deleted": len(plan.unverified),
        "invitation_expired_erased": len(plan.invitation_expired),
        "deactivated_erased": len(plan.deactivated),
        "inactive_warned": len(plan.to_warn),
        "erased": len(plan.to_erase),
        "outbox_deleted": outbox_purge(
            before=plan.now - timedelta(days=config.retention_outbox_days)
        ),
        # mentoring (issue 13): the messages of pairs ended longer ago than the retention
        "messages_deleted": messages_retention_purge(now=plan.now),
        "surveys_deleted": surveys_retention_apply(now=plan.now),
        "webhook_events_deleted": webhook_events_purge(
            before=plan.now - timedelta(days=settings.WHEREBY_WEBHOOK_EVENT_RETENTION_DAYS)
        ),
    }
    sessions_purge_expired()
    if any(counts.values()):
        audit_record(action="privacy.retention_applied", details=counts)
    else:
        audit_unchanged()
    return counts


@audit_exempt("a step of retention_apply, audited by it (privacy.retention_applied)")
def outbox_purge(*, before: datetime) -> int:
    """Messages sent before `before` go, whole: what was kept of an erased person's or a
    secret-bearing message (its envelope) goes with them. So do messages given up, or still
    waiting, written before `before`: a message that old is never worth sending (the send
    task's retries last minutes; a lost task must not leave a copy behind for ever)."""
    deleted, _by_model = (
        Email.objects.annotate(
            done_at=Coalesce("sent_at", "created_at", output_field=DateTimeField())
        )
        .filter(done_at__lt=before)
        .delete()
    )
    return deleted


@audit_exempt("a step of retention_apply, audited by it (privacy.retention_applied)")
def webhook_events_purge(*, before: datetime) -> int:
    """The ids of Whereby events handled before `before` (kept only to drop duplicate
    deliveries; a replay that old is refused by the signature's timestamp)."""
    deleted, _by_model = WebhookEvent.objects.filter(received_at__lt=before).delete()
    return deleted


@audit_exempt("housekeeping: expired sessions hold no action of anyone's")
def sessions_purge_expired() -> None:
    """`clearsessions` for the current schema (a programme's, or public): expired sessions."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()


@audit_exempt("pure computation: the rules stated for the register")
def retention_rules(config: ProgramSettings) -> list[dict[str, str]]:
    """Each rule the jobs apply, with the value they use: the register's retention section."""
    session_hours = round(settings.SESSION_ABSOLUTE_SECONDS / 3600)
    return [
        {
            "data": _("Accounts with no activity"),
            "rule": _("warned after %(warn)d months, erased after %(erase)d months")
            % {
                "warn": config.retention_inactive_warn_months,
                "erase": config.retention_inactive_erase_months,
            },
        },
        {
            "data": _("Programme data"),
            "rule": _("anonymised %(months)d months after the programme ends")
            % {"months": config.retention_after_end_months},
        },
        {
            "data": _("Registrations never confirmed"),
            "rule": _("deleted after %(days)d days") % {"days": config.retention_unverified_days},
        },
        {
            "data": _("Invitations never accepted"),
            "rule": _("erased %(days)d days after the invitation expired")
            % {"days": config.retention_invited_days},
        },
        {
            "data": _("Deactivated people"),
            "rule": _("erased %(months)d months after their deactivation")
            % {"months": config.retention_deactivated_months},
        },
        {  # mentoring (issue 13)
            "data": _("Messages between the two people of a pair"),
            "rule": _("deleted %(months)d months after the pair ended")
            % {"months": mentoring_settings().message_retention_months},
        },
        {
            "data": _("Outbox emails, sent or not (envelope included)"),
            "rule": _("removed after %(days)d days") % {"days": config.retention_outbox_days},
        },
        *(
            [  # stated only where Whereby is configured: no other register names it
                {
                    "data": _("Events received from Whereby (webhooks)"),
                    "rule": _("removed after %(days)d days")
                    % {"days": settings.WHEREBY_WEBHOOK_EVENT_RETENTION_DAYS},
                }
            ]
            if getattr(settings, "WHEREBY_API_KEY", "")
            else []
        ),
        *surveys_retention_rules(),
        {
            "data": _("Sign-in sessions"),
            "rule": _("deleted once expired (%(hours)d h at most)") % {"hours": session_hours},
        },
        {
            "data": _("Audit log"),
            "rule": _("kept %(days)d days") % {"days": settings.AUDIT_RETENTION_DAYS},
        },
        {
            "data": _("Account sign-in records (failed sign-ins, sign-in links)"),
            "rule": _("kept %(days)d days") % {"days": settings.ACCOUNT_SECURITY_RETENTION_DAYS},
        },
        {
            "data": _("Database backups (Scaleway, fr-par, encrypted)"),
            "rule": _("kept %(days)d days, then deleted")
            % {"days": settings.DATABASE_BACKUP_RETENTION_DAYS},
        },
    ]


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
