"""After one programme's schema is restored from a backup (docs/operations.md § 5): nobody
erased since the backup comes back, and the public index of who is in the programme
(`ProgramMembership`) matches the restored participants again.

A backup is older than production. A person erased in production after it (right to erasure,
retention) is back, whole, in the restored schema: their participant row is `erased` in the
production schema that was set aside, and when they were in no other programme their shared
identity is now a tombstone (an address on `ERASED_EMAIL_DOMAIN`, never deleted: see
`accounts.services.user_erase_if_unused`). Both are erased again here, through the same
erasure as everywhere else (`participant_erase`: every app's rules, files, audit row).
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.db import transaction
from django.utils.translation import gettext as _

from audit.log import audit_record, audit_unchanged, audited
from saas.core.errors import ValidationFailed
from saas.core.tenancy import connection
from shared_apps.accounts.selectors import ERASED_EMAIL_DOMAIN
from shared_apps.accounts.services import memberships_reconcile
from tenant_apps.privacy.services.erasure import participant_erase


@dataclass
class RestoreReconciliation:
    """What `restore_reconcile` found (and, unless it was a dry run, did)."""

    erased_in_production: list[int] = field(default_factory=list)  # participant ids
    identity_erased: list[int] = field(default_factory=list)  # participant ids
    memberships_added: int = 0
    memberships_changed: int = 0
    memberships_deactivated: int = 0

    @property
    def to_erase(self) -> list[int]:
        return sorted({*self.erased_in_production, *self.identity_erased})

    @property
    def changes(self) -> int:
        return (
            len(self.to_erase)
            + self.memberships_added
            + self.memberships_changed
            + self.memberships_deactivated
        )


def _schema_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT to_regclass(%s) IS NOT NULL",
            [f"{connection.ops.quote_name(name)}.participants_participant"],
        )
        return bool(cursor.fetchone()[0])


def _erased_in(schema: str) -> set[int]:
    """Ids of the participants erased in another copy of this programme's schema."""
    Participant = apps.get_model("participants", "Participant")
    with connection.cursor() as cursor:
        cursor.execute(
            # the schema name is quoted as an identifier; the status is a parameter
            f"SELECT id FROM {connection.ops.quote_name(schema)}.participants_participant "  # noqa: S608
            "WHERE status = %s",
            [Participant.Status.ERASED],
        )
        return {row[0] for row in cursor.fetchall()}


@transaction.atomic
@audited
def restore_reconcile(
    *, production_schema: str | None = None, dry_run: bool = False
) -> RestoreReconciliation:
    """Reconcile the current programme's schema, just restored from a backup, with production.

    `production_schema`: the programme's schema as it was in production, set aside before the
    restore (`p_…_damaged_<date>`); the participants erased there are erased here. Without it
    (the schema is lost), only the people whose identity is now erased everywhere are found —
    say so to the DPO: someone erased here but still in another programme is then not caught.
    Then every participant not erased has its membership (active when the participant is),
    and the memberships of people with no participant here any more are made inactive.
    `dry_run`: report, change nothing."""
    Participant = apps.get_model("participants", "Participant")
    report = RestoreReconciliation()
    if production_schema is not None:
        if production_schema == connection.schema_name:
            raise ValidationFailed(
                _("The production schema must be the copy set aside, not the restored one.")
            )
        if not _schema_exists(production_schema):
            raise ValidationFailed(
                _("No participants table in schema %(schema)s.") % {"schema": production_schema}
            )
        erased = _erased_in(production_schema)
    else:
        erased = set()
    still_here = Participant.objects.exclude(status=Participant.Status.ERASED)
    report.erased_in_production = sorted(
        still_here.filter(pk__in=erased).values_list("pk", flat=True)
    )
    report.identity_erased = sorted(
        still_here.filter(user__email__endswith=f"@{ERASED_EMAIL_DOMAIN}").values_list(
            "pk", flat=True
        )
    )
    if not dry_run:
        for participant in Participant.objects.filter(pk__in=report.to_erase).order_by("pk"):
            participant_erase(participant=participant, by=None)
    # The public index, from the participants as they now are.
    wanted = {
        user_id: status == Participant.Status.ACTIVE
        for user_id, status in Participant.objects.exclude(status=Participant.Status.ERASED)
        .exclude(pk__in=report.to_erase)
        .values_list("user_id", "status")
    }
    (
        report.memberships_added,
        report.memberships_changed,
        report.memberships_deactivated,
    ) = memberships_reconcile(wanted=wanted, dry_run=dry_run)
    if dry_run or not report.changes:
        audit_unchanged()
        return report
    audit_record(
        action="privacy.restore_reconciled",
        details={
            "erased": len(report.to_erase),
            "from_production_schema": production_schema is not None,
            "memberships": report.changes - len(report.to_erase),
        },
    )
    return report
