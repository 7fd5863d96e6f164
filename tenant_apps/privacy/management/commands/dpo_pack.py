"""Write the documentation a DPO receives, generated from the running configuration:

    python manage.py dpo_pack --output docs/dpo              # every programme + the platform
    python manage.py dpo_pack --program ucanss-2027 --output docs/dpo

For each programme: register.md (art. 30), retention.md, subprocessors.md, security.md.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.template.loader import render_to_string
from django.utils import translation
from django_tenants.utils import tenant_context

from tenants.models import Program

SECTIONS = {
    "register.md": "privacy/register.md",
    "retention.md": "privacy/dpo/retention.md",
    "subprocessors.md": "privacy/dpo/subprocessors.md",
    "security.md": "privacy/dpo/security.md",
}


class Command(BaseCommand):
    help = "Write the DPO pack (register, retention, subprocessors, security) as Markdown."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--program", action="append", default=[], help="a programme slug")
        parser.add_argument("--output", default="docs/dpo", help="folder to write into")
        parser.add_argument("--language", default="fr")

    def handle(self, *args: Any, **options: Any) -> None:
        from tenant_apps.privacy.register import register_build

        programs = Program.objects.exclude(schema_name="public").exclude(
            status__in=[Program.Status.SPARE, Program.Status.PROVISIONING, Program.Status.FAILED]
        )
        if options["program"]:
            programs = programs.filter(slug__in=options["program"])
            missing = set(options["program"]) - set(programs.values_list("slug", flat=True))
            if missing:
                raise CommandError(f"unknown programme(s): {', '.join(sorted(missing))}")
        output = Path(options["output"])
        written = []
        with translation.override(options["language"]):
            for program in programs.select_related("client"):
                folder = output / program.slug
                folder.mkdir(parents=True, exist_ok=True)
                with tenant_context(program):
                    register = register_build()
                    for name, template in SECTIONS.items():
                        text = render_to_string(template, {"register": register})
                        (folder / name).write_text(text, encoding="utf-8")
                        written.append(folder / name)
            connection.set_schema_to_public()
            index = render_to_string("privacy/dpo/platform.md", {"programs": programs})
            output.mkdir(parents=True, exist_ok=True)
            (output / "README.md").write_text(index, encoding="utf-8")
        self.stdout.write(f"{len(written) + 1} files written in {output}")
