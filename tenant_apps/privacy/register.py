"""The processing register (RGPD art. 30) of one programme, generated from its live
configuration: who is controller and processor, purposes and legal basis, people and data
(the questionnaire included), recipients, subprocessors and where they host, transfers outside
the EU, retention, security measures. The privacy notice, the subprocessor page and the DPO
pack are rendered from it, so they cannot drift from what runs."""

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from saas.core.subprocessors import subprocessors
from tenant_apps.privacy.retention import retention_rules
from tenant_apps.programs.models import ProgramSettings, Question
from tenant_apps.programs.selectors import program_settings


@dataclass(frozen=True)
class Register:
    programme: str
    address: str
    controller: str
    processor: str
    generated_at: str
    purposes: list[dict[str, str]]
    persons: list[str]
    data_categories: list[str]
    questionnaire: list[dict[str, Any]]
    recipients: list[str]
    subprocessors: list[Any]
    transfers: list[str]
    retention: list[dict[str, str]]
    security: list[str]
    settings: ProgramSettings


def security_measures() -> list[str]:
    return [
        _("One PostgreSQL schema per programme: data partitioned by programme in the database."),
        _(
            "Access only after authentication; sessions separate per programme, "
            "30 min idle, 12 h at most."
        ),
        _("Passwords hashed with Argon2 (12 characters at least, common passwords refused)."),
        _("Two-step verification (TOTP) required for managers and super-admins."),
        _(
            "Sign-in throttling: a growing delay per account and network address; under attack, "
            "a new network needs a link emailed to the owner, who is warned."
        ),
        _("Encryption in transit (TLS, HSTS) and at rest (managed database and backups)."),
        _("Append-only audit log of sensitive actions, kept 12 months."),
        _("Video rooms reachable only from a scheduled meeting, never by a public link."),
        _("Error reports scrubbed of personal data; no request bodies, no cookies."),
    ]


def register_build() -> Register:
    program = connection.tenant
    config = program_settings()
    questions = list(Question.objects.filter(is_archived=False))
    processors = subprocessors()
    transfers = [
        f"{p.name}: {p.location} — {p.transfer_basis}" for p in processors if not p.is_eu_only
    ]
    return Register(
        programme=program.name,
        address=program.url(),
        controller=program.client.name if program.client else "",
        processor="Binôme",
        generated_at=timezone.now().isoformat(timespec="seconds"),
        purposes=[
            {
                "purpose": _(
                    "Running the mentoring programme: registration, profiles, matching, "
                    "meetings and their video, feedback."
                ),
                "basis": _(
                    "Legitimate interest of the employer (art. 6.1.f), or performance of "
                    "the programme's terms"
                ),
            },
            {
                "purpose": _(
                    "Security of the platform: authentication, audit log, error monitoring."
                ),
                "basis": _(
                    "Legitimate interest (art. 6.1.f) and legal obligation of security (art. 32)"
                ),
            },
        ],
        persons=[_("Mentees"), _("Mentors"), _("Programme managers")],
        data_categories=[
            _("Identity: first name, last name, professional email address"),
            _(
                "Participation: role, status, pairings, meetings (times, attendance), "
                "private notes and shared next steps"
            ),
            _("Answers to the programme's questionnaire (listed below)"),
            _("Connection data: login times, IP address in the audit log"),
        ],
        questionnaire=[
            {
                "label": q.label,
                "kind": q.get_kind_display(),
                "used_for_matching": bool(q.criterion),
                "is_sensitive": q.is_sensitive,
            }
            for q in questions
        ],
        recipients=[
            _("The programme's managers (people and pairings; never private notes or video)"),
            _("The other person of a pair (name, shared next steps, meetings)"),
            _("Binôme's operators, only to run and secure the service"),
        ],
        subprocessors=processors,
        transfers=transfers,
        retention=retention_rules(config),
        security=security_measures(),
        settings=config,
    )


def register_markdown(register: Register) -> str:
    return render_to_string("privacy/register.md", {"register": register})
