"""`manage.py migrations_check`: after `migrate_schemas` (its executor set by
TENANT_MIGRATION_PROCESSES, see tenants.migration_executor), prove that no
schema was left behind. Lists every schema (public, then each programme, spares included)
whose migrations lag, or that is missing; exits with status 1 if there is any.

It reads the real `django_migrations` of every schema, 100 schemas per query (a few seconds at
1,000 programmes), never the fingerprints `migrate_schemas` records: those only say what the
last run saw (a schema changed by hand since then is found here, and migrated by the next
`migrate_schemas`, which compares the real rows too)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from saas.project.health import programme_schema_names
from tenants.migration_executor import applied_migrations, unapplied


class Command(BaseCommand):
    help = "List the schemas whose migrations are not all applied; exit 1 if there is one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schema",
            action="append",
            dest="schemas",
            metavar="NAME",
            help="Check only this schema (repeatable). Default: public and every programme.",
        )

    def handle(self, *args: Any, schemas: list[str] | None = None, **options: Any) -> None:
        names = schemas or [settings.PUBLIC_SCHEMA_NAME, *programme_schema_names()]
        lagging: dict[str, list[str] | None] = {}
        for name, applied in applied_migrations(names).items():
            if applied is None:
                lagging[name] = None
                continue
            if behind := [f"{app}.{migration}" for app, migration in unapplied(applied)]:
                lagging[name] = behind
        for name, not_applied in lagging.items():
            if not_applied is None:
                self.stdout.write(f"{name}: schema missing")
            else:
                self.stdout.write(
                    f"{name}: {len(not_applied)} not applied: {', '.join(not_applied)}"
                )
        if lagging:
            raise CommandError(
                f"{len(lagging)} of {len(names)} schemas behind: run "
                "`manage.py migrate_schemas` again, or "
                "`manage.py migrate_schemas --schema=<name>` for one."
            )
        checked = f"{len(names)} schema" + ("s" if len(names) != 1 else "")
        self.stdout.write(f"{checked} checked: every migration is applied.")
