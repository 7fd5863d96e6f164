"""The technical FAQ for a client's DPO and IT departments, generated from the live
configuration: it answers the questions of the client's own FAQ (access, Teams, video,
hosting, transfers, GDPR documentation, security, network, volumes) with facts the platform
can prove — the subprocessors and their locations come from the settings, the volumes are
counted in the programmes' schemas, the breaches from the breach register. Where a promise
of a brochure cannot be kept (all data on Scaleway, Scaleway owned by another group...), the
generated answer says what is true instead."""

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import tenant_context

from saas.core.network import network_notes, network_requirements
from saas.core.subprocessors import SCALEWAY_REGIONS, scaleway_region, subprocessors
from saas.core.tenancy import connection
from shared_apps.platform_audit.selectors import breach_count
from tenant_apps.participants.models import Participant
from tenant_apps.privacy.register import (
    organisational_measures,
    security_measures,
    transfer_statement,
)
from tenant_apps.programs.selectors import program_settings
from tenants.models import Program, programs_with_data

SCALEWAY_NAME = "Scaleway SAS"


@dataclass
class ProgrammeVolume:
    name: str
    client: str
    url: str
    status: str
    mentors: int = 0
    mentees: int = 0
    managers: int = 0
    two_factor_policy: str = ""
    registration_open: bool = False
    is_archived: bool = False


@dataclass
class TechnicalFaq:
    generated_at: str
    platform_url: str
    network_url: str
    region: str
    region_label: str
    subprocessors: list[Any]
    not_on_scaleway: list[Any]
    transfer_statement: str
    exposures: list[str]
    programmes: list[ProgrammeVolume] = field(default_factory=list)
    active_mentors: int = 0
    active_mentees: int = 0
    breaches: int = 0
    security: list[str] = field(default_factory=list)
    organisational: list[str] = field(default_factory=list)
    network: list[Any] = field(default_factory=list)
    network_notes: list[Any] = field(default_factory=list)
    video_is_whereby: bool = False


def public_url(path: str) -> str:
    port = f":{settings.SITE_PORT}" if settings.SITE_PORT else ""
    return f"{settings.SITE_SCHEME}://{settings.BASE_DOMAIN}{port}{path}"


def _volume(program: Program) -> ProgrammeVolume:
    volume = ProgrammeVolume(
        name=program.name,
        client=program.client.name if program.client else "",
        url=program.url(),
        status=str(program.get_status_display()),
        is_archived=program.status == Program.Status.ARCHIVED,
    )
    with tenant_context(program):
        active = Participant.objects.filter(status=Participant.Status.ACTIVE)
        counts = {row["role"]: row["n"] for row in active.values("role").annotate(n=Count("id"))}
        config = program_settings()
        volume.two_factor_policy = str(config.get_two_factor_policy_display())
        volume.registration_open = config.is_registration_open
    volume.mentors = counts.get(Participant.Role.MENTOR, 0)
    volume.mentees = counts.get(Participant.Role.MENTEE, 0)
    volume.managers = counts.get(Participant.Role.MANAGER, 0)
    return volume


def technical_faq_build(*, client_id: int | None = None) -> TechnicalFaq:
    """Run from the public schema (console, dpo_pack): enters each programme to count. With
    `client_id`, only that organisation's programmes (a client administrator's copy)."""
    rows = subprocessors()
    region = scaleway_region()
    faq = TechnicalFaq(
        generated_at=timezone.now().isoformat(timespec="seconds"),
        platform_url=public_url("/"),
        network_url=public_url(reverse("network-requirements")),
        region=region,
        region_label=str(SCALEWAY_REGIONS.get(region, region)),
        subprocessors=rows,
        not_on_scaleway=[row for row in rows if row.name != SCALEWAY_NAME],
        transfer_statement=transfer_statement(rows),
        exposures=sorted({f"{row.name}: {row.exposure}" for row in rows if row.exposure}),
        breaches=breach_count(),
        security=security_measures(),
        organisational=organisational_measures(),
        network=network_requirements(),
        network_notes=network_notes(),
        video_is_whereby=bool(getattr(settings, "WHEREBY_API_KEY", "")),
    )
    try:
        for program in programs_with_data(client_id=client_id):
            faq.programmes.append(_volume(program))
    finally:
        connection.set_schema_to_public()
    live = [p for p in faq.programmes if not p.is_archived]
    faq.active_mentors = sum(p.mentors for p in live)
    faq.active_mentees = sum(p.mentees for p in live)
    return faq


def technical_faq_markdown(faq: TechnicalFaq) -> str:
    return render_to_string("privacy/dpo/faq.md", {"faq": faq, "base_domain": settings.BASE_DOMAIN})


def network_markdown() -> str:
    return render_to_string(
        "network.md",
        {
            "rows": network_requirements(),
            "notes": network_notes(),
            "generated_at": timezone.now().isoformat(timespec="seconds"),
        },
    )
