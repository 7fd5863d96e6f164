"""A person across programmes: requests about one person in every programme they are in
(super-admin, console). Cross-programme work lives in `tenants/`; what is done in each
programme is the privacy app's (export, erasure)."""

from typing import Any

from django_tenants.utils import tenant_context

from audit.log import audit_record, audited
from saas.core.tenancy import connection
from shared_apps.accounts.selectors import User
from tenant_apps.participants.models import Participant
from tenant_apps.privacy.services.erasure import participant_erase
from tenant_apps.privacy.services.export import participant_export


def _programs_of(user: User) -> list[Any]:
    return [m.program for m in user.memberships.select_related("program")]


@audited
def person_export_everywhere(*, user: User) -> dict[str, Any]:
    """The person's export in every programme they belong to, keyed by programme."""
    export: dict[str, Any] = {"email": user.email, "programmes": {}}
    # platform roles (tenants.privacy_hooks): the organisations the person administers
    export["client_administrator_of"] = [
        {"organisation": role.client.name, "since": role.invited_at.isoformat()}
        for role in user.client_roles.select_related("client").order_by("invited_at")
    ]
    for program in _programs_of(user):
        with tenant_context(program):
            participant = Participant.objects.filter(user=user).first()
            if participant is not None:
                export["programmes"][program.slug] = participant_export(participant=participant)
    connection.set_schema_to_public()
    audit_record(action="console.person_exported", target=user)
    return export


@audited
def person_erase_everywhere(*, user: User) -> int:
    """Erase the person in every programme (the identity goes with the last one). Returns how
    many programmes were concerned."""
    user_id, programs = user.pk, _programs_of(user)
    for program in programs:
        with tenant_context(program):
            participant = Participant.objects.filter(user_id=user_id).first()
            if participant is not None:
                participant_erase(participant=participant, by=None)
    connection.set_schema_to_public()
    audit_record(
        action="console.person_erased", details={"user_id": user_id, "programmes": len(programs)}
    )
    return len(programs)
