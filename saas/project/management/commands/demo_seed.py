"""Demo data for `python3 dev.py run`: two clients, each with its programme and people in
every role, one super-admin. The managers and the super-admin have two-step verification set
up already, all with one authenticator secret printed in the banner (`python3 dev.py totp
<email>` prints the current code). Idempotent. Never run it against a production database."""

import secrets
from base64 import b32encode
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import tenant_context

from saas.core.tenancy import connection
from shared_apps.accounts.selectors import User
from shared_apps.accounts.services import user_get_or_create
from tenant_apps.api.models import ApiKey
from tenant_apps.api.services import api_key_create
from tenant_apps.mentoring.demo import seed_mentoring
from tenant_apps.notifications.models import Email
from tenant_apps.notifications.services import email_send
from tenant_apps.outcomes.demo import outcomes_seed
from tenant_apps.participants.models import Answer, Participant
from tenant_apps.participants.services import participant_add
from tenant_apps.programs.models import ProgramSettings, Question
from tenant_apps.surveys.demo import seed_surveys
from tenants.models import Client, Program
from tenants.services import client_create, program_create, program_provision

DEMO_PASSWORD = "binome-demo-2027"
SUPER_ADMIN = "admin@binome.localhost"
# slug, name, allowed email domain, the client organisation that owns it
PROGRAMS = [
    ("ucanss-2027", "Mentorat Ucanss 2027", "ucanss.fr", "Ucanss"),
    (
        "banque-mentorat",
        "Mentorat Banque Territoriale",
        "banque-territoriale.fr",
        "Banque Territoriale",
    ),
]
DEMO_DEVICE_NAME = "demo authenticator"
DEMO_API_KEY_NAME = "Demo key (dev.py run)"
# Emails of the seeding itself (the first managers' invitations: they have a password
# already) are not sent, so that they do not flood the start-up log.
QUIET_EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
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
        with override_settings(EMAIL_BACKEND=QUIET_EMAIL_BACKEND):
            logins, two_factor_users = self._seed()
        connection.set_schema_to_public()
        key = self._two_factor(two_factor_users)
        api_key = self._api_key()
        self._print(logins, port=options.get("port") or "8000", key=key, api_key=api_key)

    def _api_key(self) -> str:
        """The first programme's one demo API key (write scope). A key is shown only when it is
        made, so each seeding replaces the demo key by a new one."""
        program = Program.objects.get(slug=PROGRAMS[0][0])
        with tenant_context(program):
            ApiKey.objects.filter(name=DEMO_API_KEY_NAME).delete()
            _key, raw = api_key_create(name=DEMO_API_KEY_NAME, scope=ApiKey.Scope.WRITE)
        connection.set_schema_to_public()
        return raw

    def _seed(self) -> tuple[list[tuple[str, str, str]], list[User]]:
        admin = self._user(SUPER_ADMIN, "Ada", "Admin", is_staff=True, is_superuser=True)
        two_factor_users = [admin]
        logins: list[tuple[str, str, str]] = [("console", SUPER_ADMIN, "super-admin")]
        for slug, name, domain, client_name in PROGRAMS:
            client = Client.objects.filter(name=client_name).first() or client_create(
                name=client_name
            )
            program = Program.objects.filter(slug=slug).first()
            if program is None:
                program = program_create(
                    client_id=client.pk, name=name, slug=slug, manager_email=f"manager@{domain}"
                )
                program_provision(program_id=program.pk)
                program.refresh_from_db()
            elif program.client_id != client.pk:  # seeded by an earlier version: one client
                Program.objects.filter(pk=program.pk).update(client=client)
            with tenant_context(program):
                for local, role, first, last in PEOPLE:
                    user = self._user(f"{local}@{domain}", first, last)
                    participant_add(user=user, role=role)
                    logins.append((slug, user.email, role))
                    if role == Participant.Role.MANAGER:
                        two_factor_users.append(user)
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
                if slug == "ucanss-2027":  # manager-led: pairs exist; the other lets mentees choose
                    seed_mentoring(domain=domain)
                outcomes_seed(
                    domain=domain,
                    mentees=60,
                    mentors=30,
                    pairs=40,
                    meetings=260,
                    dimension_key="metier",
                )
                seed_surveys()  # tenant_apps.surveys: an announcement, a meeting's feedback
                self._outbox_flush()
        connection.set_schema_to_public()
        return logins, two_factor_users

    def _outbox_flush(self) -> None:
        """Send what the seeding put in the outbox now, while the quiet backend is in place:
        a sending task that runs later (when the caller's transaction commits) finds the
        rows sent and leaves them alone."""
        for email_id in Email.objects.filter(status=Email.Status.PENDING).values_list(
            "pk", flat=True
        ):
            email_send(email_id=email_id)

    def _two_factor(self, users: list[User]) -> str:
        """Two-step verification set up for `users`, all with one authenticator secret (one
        entry in an authenticator app opens every demo account that needs a code). The
        secret is random per database and kept from one start to the next. Returns it, hex."""
        existing = TOTPDevice.objects.filter(name=DEMO_DEVICE_NAME, confirmed=True).first()
        key = existing.key if existing is not None else secrets.token_hex(20)
        for user in users:
            if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
                continue
            TOTPDevice.objects.create(user=user, name=DEMO_DEVICE_NAME, key=key, confirmed=True)
        return key

    def _questionnaire(self, *, domain: str, mode: str) -> None:
        """A small questionnaire with answers, so that matching can be tried at once: the
        first programme is manager-led, the second lets mentees choose."""
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

    def _print(
        self, logins: list[tuple[str, str, str]], *, port: str, key: str, api_key: str = ""
    ) -> None:
        base = settings.BASE_DOMAIN
        write = self.stdout.write
        secret = b32encode(bytes.fromhex(key)).decode().rstrip("=")
        issuer = quote(settings.OTP_TOTP_ISSUER)
        write("")
        write("Binôme is ready. Open:")
        write(f"    {'console':<16} http://{base}:{port}/")
        for slug, _name, _domain, _client in PROGRAMS:
            write(f"    {slug:<16} http://{slug}.{base}:{port}/")
        write("")
        write(f"Demo logins (the password of every demo account is {DEMO_PASSWORD}):")
        for where, email, role in logins:
            write(f"    {where:<16} {role:<12} {email}")
        write("")
        write("Managers and the super-admin have two-step verification set up with this secret:")
        write(f"    {secret}")
        write(f"    otpauth://totp/{issuer}:demo?secret={secret}&issuer={issuer}")
        write("Add it to an authenticator app, or print the current code with:")
        write("    python3 dev.py totp <email>")
        write("")
        if api_key:
            slug = PROGRAMS[0][0]
            write(f"API key of {slug} (read and write; docs at /api/v1/docs/):")
            write(f"    {api_key}")
            write(
                f"    curl -H 'Authorization: Bearer {api_key}' "
                f"http://{slug}.{base}:{port}/api/v1/participants/"
            )
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
