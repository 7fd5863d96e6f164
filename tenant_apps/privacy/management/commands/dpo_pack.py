"""Write the documentation a DPO receives, generated from the running configuration:

    python manage.py dpo_pack --output docs/dpo              # every programme + the platform
    python manage.py dpo_pack --program ucanss-2027 --output docs/dpo

For each programme: register (art. 30) as .md, .docx and .pdf, retention.md,
subprocessors.md, security.md. For the platform: README.md (the index), the technical FAQ
(faq-technique .md/.docx/.pdf) and the network requirements (reseau .md/.docx/.pdf).
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.template.loader import render_to_string
from django.utils import translation
from django_tenants.utils import tenant_context

from saas.core.documents import markdown_to_docx, markdown_to_pdf
from saas.core.tenancy import connection
from tenants.models import Program

SECTIONS = {
    "register.md": "privacy/register.md",
    "retention.md": "privacy/dpo/retention.md",
    "subprocessors.md": "privacy/dpo/subprocessors.md",
    "security.md": "privacy/dpo/security.md",
}


class Command(BaseCommand):
    help = (
        "Write the DPO pack (register, retention, subprocessors, security, technical FAQ, "
        "network requirements) as Markdown, DOCX and PDF."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--program", action="append", default=[], help="a programme slug")
        parser.add_argument("--output", default="docs/dpo", help="folder to write into")
        parser.add_argument("--language", default="fr")

    def handle(self, *args: Any, **options: Any) -> None:
        from tenant_apps.privacy.faq import (
            network_markdown,
            technical_faq_build,
            technical_faq_markdown,
        )
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
                        if name == "register.md":
                            written += _write_formats(folder / "register", text, program.name)
            connection.set_schema_to_public()
            index = render_to_string("privacy/dpo/platform.md", {"programs": programs})
            output.mkdir(parents=True, exist_ok=True)
            (output / "README.md").write_text(index, encoding="utf-8")
            written.append(output / "README.md")
            for stem, markdown in (
                ("faq-technique", technical_faq_markdown(technical_faq_build())),
                ("reseau", network_markdown()),
            ):
                (output / f"{stem}.md").write_text(markdown, encoding="utf-8")
                written.append(output / f"{stem}.md")
                written += _write_formats(output / stem, markdown, stem)
        self.stdout.write(f"{len(written)} files written in {output}")


def _write_formats(stem: Path, text: str, title: str) -> list[Path]:
    docx, pdf = stem.with_suffix(".docx"), stem.with_suffix(".pdf")
    docx.write_bytes(markdown_to_docx(text))
    pdf.write_bytes(markdown_to_pdf(text, title=title))
    return [docx, pdf]
