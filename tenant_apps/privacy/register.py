"""The processing register (RGPD art. 30) of one programme, generated from its live
configuration: who is controller (the client organisation: name, address, DPO) and processor
(the platform's operator, from settings), purposes with one legal basis each, people and data
(the questionnaire included, with an art. 9 note for questions marked sensitive), recipients,
subprocessors and where they host, transfers outside the EU/EEA (the "no transfer" sentence is
written only when every subprocessor's location allows it), retention, technical and
organisational measures, breaches. The privacy notice, the subprocessor page and the DPO pack
are rendered from it, so they cannot drift from what runs."""

from dataclasses import dataclass
from typing import Any

from django.conf import settings as django_settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from saas.core.subprocessors import Subprocessor, every_location_in_eea, subprocessors
from saas.core.tenancy import connection
from tenant_apps.privacy.services.retention import retention_rules
from tenant_apps.programs.models import ProgramSettings, Question
from tenant_apps.programs.selectors import program_settings


@dataclass(frozen=True)
class Register:
    programme: str
    address: str
    controller: str
    controller_address: str
    controller_dpo: str
    processor: str
    processor_address: str
    processor_contact: str
    generated_at: str
    purposes: list[dict[str, str]]
    persons: list[str]
    data_categories: list[str]
    questionnaire: list[dict[str, Any]]
    recipients: list[str]
    subprocessors: list[Any]
    transfers: list[str]
    transfer_statement: str
    exposures: list[str]
    sensitive_note: str
    retention: list[dict[str, str]]
    security: list[str]
    organisational: list[str]
    breaches: str
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


def organisational_measures() -> list[str]:
    return [
        _(
            "Access to production limited to the operator's named administrators, each with "
            "two-step verification; every console action is written to the platform's audit log."
        ),
        _(
            "Programme managers see only their programme; they never see private notes, "
            "answers to sensitive questions or the video."
        ),
        _(
            "A register of personal data breaches kept by the operator; a breach is assessed "
            "and, when it is likely to result in a risk, notified to the CNIL within 72 hours "
            "and to the controller without undue delay."
        ),
        _(
            "Subprocessors bound by a data processing agreement; their list and locations are "
            "generated from the running configuration."
        ),
        _("Retention periods enforced by a daily job, not by hand."),
        _("Data protection requests (access, export, erasure) answered by self-service."),
    ]


def transfer_statement(rows: list[Subprocessor]) -> str:
    if every_location_in_eea(rows):
        return _(
            "No transfer outside the EU/EEA: every subprocessor keeps the data in the European "
            "Union or the European Economic Area."
        )
    return _("Personal data is transferred outside the EU/EEA, to the subprocessors listed below.")


def sensitive_note(questions: list[Question]) -> str:
    sensitive = [q for q in questions if q.is_sensitive]
    if not sensitive:
        return ""
    note = _(
        "Questions marked sensitive: %(labels)s. If their answers reveal special categories of "
        "data (art. 9: health, religious or philosophical beliefs, political opinions, "
        "trade-union membership, sexual orientation, racial or ethnic origin), processing them "
        "needs one of the exceptions of art. 9.2 — for a voluntary programme, the person's "
        "explicit consent (art. 9.2.a) — and the question must stay optional. The platform "
        "uses these answers for matching only and never displays them to anyone else."
    ) % {"labels": ", ".join(f"“{q.label}”" for q in sensitive)}
    required = [q for q in sensitive if q.is_required]
    if required:
        note += " " + _("Warning: %(labels)s is required today: make it optional or remove it.") % {
            "labels": ", ".join(f"“{q.label}”" for q in required)
        }
    return note


def register_build() -> Register:
    program = connection.tenant
    config = program_settings()
    questions = list(Question.objects.filter(is_archived=False))
    processors = subprocessors()
    transfers = [
        f"{p.name}: {p.location} — {p.transfer_basis}" for p in processors if not p.is_eu_only
    ]
    exposures = sorted({f"{p.name}: {p.exposure}" for p in processors if p.exposure})
    client = program.client
    dpo = ""
    if client is not None and (client.dpo_name or client.dpo_email):
        dpo = " — ".join(part for part in (client.dpo_name, client.dpo_email) if part)
    return Register(
        programme=program.name,
        address=program.url(),
        controller=client.name if client else "",
        controller_address=", ".join(
            line.strip() for line in (client.address if client else "").splitlines() if line.strip()
        ),
        controller_dpo=dpo,
        processor=django_settings.PLATFORM_OPERATOR_NAME,
        processor_address=django_settings.PLATFORM_OPERATOR_ADDRESS,
        processor_contact=django_settings.PLATFORM_CONTACT_EMAIL,
        generated_at=timezone.now().isoformat(timespec="seconds"),
        purposes=[
            {
                "purpose": _(
                    "Running the mentoring programme: registration, profiles, matching, "
                    "meetings, feedback."
                ),
                "basis": _(
                    "Legitimate interest of the organisation in developing its staff "
                    "(art. 6.1.f); participation is voluntary"
                ),
            },
            {
                "purpose": _("Video meetings between the two people of a pair."),
                "basis": _("Legitimate interest (art. 6.1.f)"),
            },
            {
                "purpose": _("Programme statistics for the managers (aggregated figures)."),
                "basis": _("Legitimate interest (art. 6.1.f)"),
            },
            {
                "purpose": _(
                    "Security of the platform: authentication, audit log, error monitoring."
                ),
                "basis": _("Legal obligation (art. 6.1.c): the security obligation of art. 32"),
            },
            {
                "purpose": _(
                    "Answering data protection requests (access, export, erasure) and "
                    "enforcing retention periods."
                ),
                "basis": _("Legal obligation (art. 6.1.c): articles 5.1.e and 12 to 22"),
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
            # mentoring (issue 13)
            _(
                "Presentation: job title, organisation or branch, languages, a few words, an "
                "optional photo (stored without its metadata)"
            ),
            _("Private messages and shared goals of a pair"),
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
            _(
                "Messages and goals of a pair: its two people only (managers see how many, "
                "never what they say)"
            ),
            _("Binôme's operators, only to run and secure the service"),
        ],
        subprocessors=processors,
        transfers=transfers,
        transfer_statement=transfer_statement(processors),
        exposures=exposures,
        sensitive_note=sensitive_note(questions),
        retention=retention_rules(config),
        security=security_measures(),
        organisational=organisational_measures(),
        breaches=_(
            "Personal data breaches are recorded in the operator's breach register (dates, "
            "nature, people and data affected, consequences, measures, notifications) and "
            "handled with its 72-hour procedure; the controller is informed without undue delay."
        ),
        settings=config,
    )


def register_markdown(register: Register) -> str:
    return render_to_string("privacy/register.md", {"register": register})
