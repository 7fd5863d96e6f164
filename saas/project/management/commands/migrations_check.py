"""`manage.py migrations_check`: after `migrate_schemas` (its executor set by
TENANT_MIGRATION_PROCESSES, see saas.core.migration_executor), prove that no
schema was left behind. Lists every schema (public, then each programme, spares included)
whose migrations lag, or that is missing; exits with status 1 if there is any."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from saas.project.health import programme_schema_names, schemas_behind


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
        lagging = schemas_behind(names)
        for name, behind in lagging.items():
            if behind is None:
                self.stdout.write(f"{name}: schema missing")
            else:
                self.stdout.write(f"{name}: {len(behind)} not applied: {', '.join(behind)}")
        if lagging:
            raise CommandError(
                f"{len(lagging)} of {len(names)} schemas behind: run "
                "`manage.py migrate_schemas` again, or "
                "`manage.py migrate_schemas --schema=<name>` for one."
            )
        checked = f"{len(names)} schema" + ("s" if len(names) != 1 else "")
        self.stdout.write(f"{checked} checked: every migration is applied.")
