"""Reconcile a programme restored from a backup with production (docs/operations.md § 5):

    python manage.py restore_reconcile --program acme-2027 \
        --production-schema p_3fa9c2e1b7d0_damaged_20270311 [--dry-run]

Erases again everyone erased in production since the backup (participants erased in the
schema set aside, people whose identity is now erased everywhere), then brings the public index
of the programme's members in line with the restored participants. Prints what it found.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django_tenants.utils import tenant_context

from saas.core.errors import ValidationFailed
from tenants.models import Program


class Command(BaseCommand):
    help = (
        "After restoring a programme's schema from a backup: erase again whoever was erased "
        "since, and reconcile the public membership index."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--program", required=True, help="the programme's slug or schema")
        parser.add_argument(
            "--production-schema",
            help="the programme's schema as it was in production, set aside before the restore",
        )
        parser.add_argument("--dry-run", action="store_true", help="report, change nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        from tenant_apps.privacy.services.restore import restore_reconcile

        name = options["program"]
        program = (
            Program.objects.exclude(schema_name="public")
            .filter(Q(slug=name) | Q(schema_name=name))
            .first()
        )
        if program is None:
            raise CommandError(f"unknown programme: {name}")
        with tenant_context(program):
            try:
                report = restore_reconcile(
                    production_schema=options["production_schema"], dry_run=options["dry_run"]
                )
            except ValidationFailed as error:
                raise CommandError(str(error)) from error
        verb = "to erase" if options["dry_run"] else "erased"
        self.stdout.write(
            f"{program.slug} ({program.schema_name}): "
            f"{len(report.erased_in_production)} participant(s) erased in production, "
            f"{len(report.identity_erased)} whose identity is erased — {len(report.to_erase)} "
            f"{verb}: {report.to_erase}"
        )
        self.stdout.write(
            f"memberships: {report.memberships_added} added, {report.memberships_changed} "
            f"changed, {report.memberships_deactivated} made inactive"
            + (" (dry run: nothing changed)" if options["dry_run"] else "")
        )
        if options["production_schema"] is None:
            self.stdout.write(
                "no --production-schema: people erased in this programme but still in another "
                "one were not looked for (see docs/operations.md § 5)"
            )
