"""Writes on the shared identity. Called by tenant apps (never the reverse)."""

from typing import Any

from django.db import connection, transaction

from saas.core.audit import audit_exempt
from shared_apps.accounts.models import ProgramMembership, User, email_normalize


@audit_exempt("a step of the participant services (invite, register), which audit")
def user_get_or_create(*, email: str, **defaults: Any) -> tuple[User, bool]:
    """The one account of a person; created with an unusable password when new."""
    email = email_normalize(email)
    user = User.objects.filter(email=email).first()
    if user is not None:
        return user, False
    user = User.objects.create_user(email=email, password=None, **defaults)
    return user, True


@audit_exempt("updates the public index for a participant change audited by its caller")
@transaction.atomic
def membership_set(*, user: User, is_active: bool) -> ProgramMembership:
    """Record in the public index that `user` is (or no longer is) in the current programme."""
    program = connection.tenant
    membership, _ = ProgramMembership.objects.update_or_create(
        user=user, program_id=program.pk, defaults={"is_active": is_active}
    )
    return membership


@audit_exempt("a step of erasure, audited by the erasure (privacy.erased)")
@transaction.atomic
def user_erase_if_unused(*, user: User, program_id: int) -> bool:
    """Drop the person's membership of `program_id`; delete the shared identity (and its 2FA
    devices) when no programme is left. Returns True when the identity was deleted."""
    ProgramMembership.objects.filter(user=user, program_id=program_id).delete()
    if ProgramMembership.objects.filter(user=user).exists() or user.is_staff:
        return False
    user.delete()
    return True
