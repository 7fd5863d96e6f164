"""The client administrator (issue 14): one person per client organisation, on the public
domain, who sees only aggregated figures of that organisation's programmes (read from the
statistics snapshots in `public`, never from a programme schema at request time), downloads
the DPO documents of its programmes and invites their managers.

Reads are nouns (`client_roles_of`, `client_overview`); writes are audited services. The
authentication backend is `tenants.backends.ClientAdministratorBackend`; the second factor is
required for this role (`public_two_factor_required`, plugged into the accounts middleware by
`settings.PUBLIC_TWO_FACTOR_REQUIRED`)."""

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, tenant_context

from audit.log import audit_record, audited
from saas.core.errors import NotAllowed, ValidationFailed
from saas.core.tenancy import connection
from shared_apps.accounts.selectors import User, email_normalize
from shared_apps.accounts.services import user_get_or_create
from tenant_apps.participants.models import Participant
from tenant_apps.participants.selectors import (
    two_factor_required_reasons as participants_two_factor_reasons,
)
from tenant_apps.participants.services import participant_invite
from tenants.models import Client, ClientAdministrator, Program, ProgramSnapshot
from tenants.snapshots import FIGURES, SNAPSHOT_STATUSES, month_start, snapshots_take

# Any per-programme figure under this is shown as "< 5" to a client administrator.
SMALL_GROUP = 5


# --- Reads ---------------------------------------------------------------------------------


def client_roles_of(*, user: Any) -> list[Client]:
    """The client organisations this person administers (active roles only)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Client.objects.filter(administrators__user_id=user.pk, administrators__is_active=True)
        .order_by("name")
        .distinct()
    )


def is_client_administrator(user: Any) -> bool:
    return bool(client_roles_of(user=user))


def public_two_factor_required(user: Any) -> bool:
    """On the public site, the second factor is required of super-admins and client
    administrators (settings.PUBLIC_TWO_FACTOR_REQUIRED)."""
    return bool(getattr(user, "is_staff", False)) or is_client_administrator(user)


def two_factor_required_reasons(user: Any) -> list[str]:
    """The participants' reasons (every programme and role) plus this role's
    (settings.TWO_FACTOR_REQUIRED_REASONS)."""
    reasons = participants_two_factor_reasons(user)
    for client in client_roles_of(user=user):
        reasons.append(_("you administer the organisation “%(name)s”") % {"name": client.name})
    return reasons


def client_administrators(*, client: Client) -> list[ClientAdministrator]:
    """The organisation's administrators, for the console (the super-admin's page)."""
    return list(client.administrators.select_related("user").order_by("invited_at"))


def client_programs(*, client: Client) -> list[Program]:
    """The organisation's programmes that hold data (ready, paused, archived)."""
    return list(
        Program.objects.filter(client=client, status__in=SNAPSHOT_STATUSES)
        .exclude(schema_name=get_public_schema_name())
        .order_by("name")
    )


def latest_snapshots(*, program_ids: list[int]) -> dict[int, ProgramSnapshot]:
    """The most recent snapshot of each programme (one query, DISTINCT ON)."""
    rows = (
        ProgramSnapshot.objects.filter(program_id__in=program_ids)
        .order_by("program_id", "-day")
        .distinct("program_id")
    )
    return {row.program_id: row for row in rows}


def shown(value: int | None) -> str:
    """A per-programme figure as the client administrator sees it: "< 5" under 5 people."""
    if value is None:
        return "—"
    return "< 5" if value < SMALL_GROUP else str(value)


@dataclass
class OverviewRow:
    program: Program
    computed_at: Any
    figures: dict[str, str] = field(default_factory=dict)


@dataclass
class ClientOverview:
    client: Client
    rows: list[OverviewRow]
    totals: dict[str, str]
    computed_at: Any


def _rate(matched: int, mentees: int) -> str:
    if mentees < SMALL_GROUP:
        return "< 5"
    return f"{round(100 * matched / mentees)} %"


def client_overview(*, client: Client) -> ClientOverview:
    """The organisation's programmes side by side and their totals, from the latest
    snapshots only (two queries, public schema). Every count under 5 reads "< 5"; a rate is
    shown only over 5 mentees or more."""
    programs = client_programs(client=client)
    snapshots = latest_snapshots(program_ids=[p.pk for p in programs])
    totals = dict.fromkeys(FIGURES, 0)
    rows: list[OverviewRow] = []
    for program in programs:
        snapshot = snapshots.get(program.pk)
        figures = snapshot.figures if snapshot is not None else {}
        row = OverviewRow(program=program, computed_at=snapshot and snapshot.computed_at)
        for key in FIGURES:
            value = figures.get(key)
            if key == "matched_rate":
                continue
            row.figures[key] = shown(value)
            totals[key] += int(value or 0)
        row.figures["matched_rate"] = (
            _rate(figures.get("matched_mentees", 0), figures.get("mentees", 0))
            if snapshot is not None
            else "—"
        )
        rows.append(row)
    shown_totals = {key: shown(totals[key]) for key in FIGURES if key != "matched_rate"}
    shown_totals["matched_rate"] = _rate(totals["matched_mentees"], totals["mentees"])
    times = [s.computed_at for s in snapshots.values()]
    return ClientOverview(
        client=client, rows=rows, totals=shown_totals, computed_at=min(times) if times else None
    )


def platform_totals(*, now: Any = None) -> dict[str, Any]:
    """The console's platform figures: programmes by status (live), and from the latest
    snapshot of each programme the active participants and the meetings held this month
    (a snapshot taken before this month counts no meeting this month). Two queries."""
    now = now or timezone.now()
    by_status = dict(
        Program.objects.exclude(schema_name=get_public_schema_name())
        .exclude(status=Program.Status.SPARE)
        .values_list("status")
        .annotate(count=Count("pk"))
        .values_list("status", "count")
    )
    snapshots = list(
        ProgramSnapshot.objects.filter(program__status__in=SNAPSHOT_STATUSES)
        .exclude(program__schema_name=get_public_schema_name())
        .order_by("program_id", "-day")
        .distinct("program_id")
    )
    this_month = timezone.localdate(month_start(now))
    return {
        "by_status": [
            (value, label, by_status.get(value, 0))
            for value, label in Program.Status.choices
            if value != Program.Status.SPARE
        ],
        "programmes": sum(by_status.values()),
        "active": sum(int(s.figures.get("active", 0)) for s in snapshots),
        "registered": sum(int(s.figures.get("registered", 0)) for s in snapshots),
        "meetings_held_month": sum(
            int(s.figures.get("meetings_held_month", 0)) for s in snapshots if s.day >= this_month
        ),
        "computed_at": min((s.computed_at for s in snapshots), default=None),
        "snapshots": len(snapshots),
    }


# --- Writes --------------------------------------------------------------------------------


def _email_checked(email: str) -> str:
    email = email_normalize(email or "")
    try:
        validate_email(email)
    except DjangoValidationError:
        message = _("Enter a valid email address.")
        raise ValidationFailed(message, fields={"email": [message]}) from None
    return email


@transaction.atomic
@audited
def client_admin_invite(*, client: Client, email: str, by: Any = None) -> ClientAdministrator:
    """A super-admin makes a person the administrator of `client` (the account is created if
    new) and emails them a link to choose their password and set up their authenticator.
    Inviting again sends a new link. A super-admin account cannot take this role."""
    email = _email_checked(email)
    user, _created = user_get_or_create(email=email)
    if user.is_staff:
        raise ValidationFailed(
            _("A super-admin cannot be a client administrator."),
            fields={"email": [_("A super-admin cannot be a client administrator.")]},
        )
    role, _new = ClientAdministrator.objects.get_or_create(
        client=client,
        user=user,
        defaults={"invited_by_user_id": getattr(by, "pk", None)},
    )
    if not role.is_active:
        role.is_active = True
        role.save(update_fields=["is_active"])
    user_id, client_id = user.pk, client.pk
    transaction.on_commit(
        lambda: client_admin_invitation_send(user_id=user_id, client_id=client_id)
    )
    audit_record(action="client_admin.invited", target=client, details={"client_id": client.pk})
    return role


def client_admin_invitation_send(*, user_id: int, client_id: int) -> bool:
    """The invitation email, with a single-use link to choose a password (Django's token
    generator: the link stops working once the password is set)."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    client = Client.objects.filter(pk=client_id).first()
    if user is None or client is None:
        return False
    port = f":{settings.SITE_PORT}" if settings.SITE_PORT else ""
    site_url = f"{settings.SITE_SCHEME}://{settings.BASE_DOMAIN}{port}"
    path = reverse(
        "client-welcome",
        urlconf=settings.PUBLIC_SCHEMA_URLCONF,
        args=[  # one parameter: `<uidb64>.<token>` (client_views.client_welcome)
            f"{urlsafe_base64_encode(force_bytes(user.pk))}."
            f"{default_token_generator.make_token(user)}"
        ],
    )
    context = {"client_name": client.name, "link_url": site_url + path, "site_url": site_url}
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("tenants/email/client_admin_invitation.subject.txt", context)
        body = render_to_string("tenants/email/client_admin_invitation.txt", context)
    send_mail(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [user.email])
    return True


def _own_program(*, client: Client, program_id: int) -> Program:
    program = next((p for p in client_programs(client=client) if p.pk == program_id), None)
    if program is None or program.status != Program.Status.READY:
        raise NotAllowed(_("Choose one of your organisation's open programmes."))
    return program


@audited
def client_manager_invite(*, client: Client, program_id: int, email: str) -> None:
    """A client administrator invites a manager into one of its organisation's open
    programmes: the same invitation as the console's first manager (participant_invite,
    which audits in the programme); the platform log records who asked."""
    program = _own_program(client=client, program_id=program_id)
    email = _email_checked(email)
    with tenant_context(program), transaction.atomic():
        participant_invite(email=email, role=Participant.Role.MANAGER)
    connection.set_schema_to_public()
    with transaction.atomic():
        audit_record(
            action="client_admin.manager_invited",
            target=program,
            details={"client_id": client.pk, "program_id": program.pk},
        )


@transaction.atomic
@audited
def client_document_download_record(*, client: Client, document: str, program: Any = None) -> None:
    """Audit a DPO document downloaded by a client administrator (no change of state)."""
    audit_record(
        action="client_admin.document_downloaded",
        target=program or client,
        details={"client_id": client.pk, "document": document},
    )


@audited
def client_snapshots_refresh(*, client: Client) -> dict[str, Any]:
    """On demand: fresh snapshots of the organisation's programmes (the nightly job's work,
    for these programmes only)."""
    result = snapshots_take(program_ids=[p.pk for p in client_programs(client=client)])
    audit_record(
        action="client_admin.snapshots_requested",
        target=client,
        details={"client_id": client.pk, "programmes": result["programmes"]},
    )
    return result
