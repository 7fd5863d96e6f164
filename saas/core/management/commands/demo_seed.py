"""Demo data for `python3 dev.py run`: one client, two programmes with people in every role,
one super-admin. Idempotent. Never run it against a production database."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django_tenants.utils import tenant_context

from shared_apps.accounts.selectors import User
from shared_apps.accounts.services import user_get_or_create
from tenant_apps.participants.models import Participant
from tenant_apps.participants.services import participant_add
from tenants.models import Client, Program
from tenants.services import client_create, program_create, program_provision

DEMO_PASSWORD = "binome-demo-2027"
SUPER_ADMIN = "admin@binome.localhost"
PROGRAMS = [
    ("ucanss-2027", "Mentorat Ucanss 2027", "ucanss.fr"),
    ("banque-mentorat", "Mentorat Banque Territoriale", "banque-territoriale.fr"),
]
PEOPLE = [
    ("manager", Participant.Role.MANAGER, "Claire", "Martin"),
    ("mentor1", Participant.Role.MENTOR, "Karim", "Benali"),
    ("mentor2", Participant.Role.MENTOR, "Sophie", "Lefèvre"),
    ("mentee1", Participant.Role.MENTEE, "Lucas", "Moreau"),
    ("mentee2", Participant.Role.MENTEE, "Inès", "Garcia"),
]


class Command(BaseCommand):
    help = "Load the demo data (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options.get("force"):
            raise CommandError("demo_seed runs only with DEBUG on.")
        self._user(SUPER_ADMIN, "Ada", "Admin", is_staff=True, is_superuser=True)
        client = Client.objects.filter(name="Ucanss").first() or client_create(name="Ucanss")
        logins: list[tuple[str, str, str]] = [("console", SUPER_ADMIN, "super-admin")]
        for slug, name, domain in PROGRAMS:
            program = Program.objects.filter(slug=slug).first()
            if program is None:
                program = program_create(
                    client_id=client.pk, name=name, slug=slug, manager_email=f"manager@{domain}"
                )
                program_provision(program_id=program.pk)
                program.refresh_from_db()
            with tenant_context(program):
                for local, role, first, last in PEOPLE:
                    user = self._user(f"{local}@{domain}", first, last)
                    participant_add(user=user, role=role)
                    logins.append((slug, user.email, role))
                # One person in both programmes: one identity, two separate logins.
                shared = self._user("camille.durand@ucanss.fr", "Camille", "Durand")
                participant_add(
                    user=shared,
                    role=Participant.Role.MENTOR
                    if slug == "ucanss-2027"
                    else Participant.Role.MENTEE,
                )
                logins.append((slug, shared.email, "mentor" if slug == "ucanss-2027" else "mentee"))
                self._questionnaire(
                    domain=domain, mode="manager" if slug == "ucanss-2027" else "choice"
                )
        connection.set_schema_to_public()
        self._print(logins, port=options.get("port") or "8000")

    def _questionnaire(self, *, domain: str, mode: str) -> None:
        """A small questionnaire with answers, so that matching can be tried at once: the
        first programme is manager-led, the second lets mentees choose."""
        from tenant_apps.participants.models import Answer
        from tenant_apps.programs.models import ProgramSettings, Question

        ProgramSettings.objects.filter(id=1).update(
            matching_mode=mode,
            is_registration_open=True,
            allowed_email_domains=[domain],
        )
        jobs = [("rh", "Ressources humaines"), ("it", "Informatique"), ("gestion", "Gestion")]
        skills = [
            ("manager", "Manager une équipe"),
            ("carriere", "Évolution de carrière"),
            ("projet", "Conduite de projet"),
            ("prise-parole", "Prise de parole"),
        ]
        questions = {
            "metier": dict(label="Votre métier", kind="single", criterion="same", weight=2,
                           choices=[{"value": v, "label": lab} for v, lab in jobs]),
            "sujets": dict(label="Sujets que vous souhaitez travailler",
                           mentor_label="Sujets sur lesquels vous pouvez accompagner",
                           kind="multiple", criterion="covers", weight=3,
                           choices=[{"value": v, "label": lab} for v, lab in skills]),
            "direction": dict(label="Votre direction", kind="single", criterion="same", weight=0,
                              hard_rule="must_differ", is_sensitive=True,
                              choices=[{"value": v, "label": v.title()} for v in ("nord", "sud")]),
        }  # fmt: skip
        for position, (key, fields) in enumerate(questions.items(), start=1):
            Question.objects.update_or_create(
                key=key, defaults={"audience": "both", "position": position, **fields}
            )
        answers = {
            "mentor1": ("rh", ["manager", "carriere"], "nord"),
            "mentor2": ("it", ["projet", "prise-parole", "carriere"], "sud"),
            "mentee1": ("rh", ["carriere"], "sud"),
            "mentee2": ("it", ["projet"], "nord"),
        }
        by_key = {q.key: q for q in Question.objects.all()}
        for local, (job, topics, direction) in answers.items():
            participant = Participant.objects.get(user__email=f"{local}@{domain}")
            for key, value in (("metier", job), ("sujets", topics), ("direction", direction)):
                Answer.objects.update_or_create(
                    participant=participant, question=by_key[key], defaults={"value": value}
                )

    def _print(self, logins: list[tuple[str, str, str]], *, port: str) -> None:
        base = settings.BASE_DOMAIN
        write = self.stdout.write
        write("")
        write("Binôme is ready. Open:")
        write(f"    {'console':<16} http://{base}:{port}/")
        for slug, _name, _domain in PROGRAMS:
            write(f"    {slug:<16} http://{slug}.{base}:{port}/")
        write("")
        write(f"Demo logins (the password of every demo account is {DEMO_PASSWORD}):")
        write("(managers and the super-admin set up two-step verification at their first login:")
        write(" scan the QR code with any authenticator app)")
        for where, email, role in logins:
            write(f"    {where:<16} {role:<12} {email}")
        write("")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")
        parser.add_argument("--port", default="8000", help="Port shown in the printed URLs.")

    def _user(self, email: str, first: str, last: str, **extra: Any) -> User:
        user, _created = user_get_or_create(email=email, first_name=first, last_name=last)
        changed = []
        for field, value in extra.items():
            if getattr(user, field) != value:
                setattr(user, field, value)
                changed.append(field)
        if not user.has_usable_password():
            user.set_password(DEMO_PASSWORD)
            changed.append("password")
        if changed:
            user.save(update_fields=changed)
        return user
