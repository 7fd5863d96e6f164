from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.utils.module_loading import import_string

from shared_apps.accounts.models import (
    ERASED_EMAIL_DOMAIN,
    AccountSecurityEvent,
    ProgramMembership,
    User,
    email_is_erased,
    email_normalize,
    erased_email,
)

# Re-exported: other apps reach the identity through this module, never through models.
__all__ = [
    "ERASED_EMAIL_DOMAIN",
    "User",
    "email_is_erased",
    "email_normalize",
    "erased_email",
    "participant_counts",
    "programs_of",
    "security_events_of",
    "two_factor_required_reasons",
    "user_by_email",
]


def user_by_email(*, email: str) -> User | None:
    """The person's account; never an account without a person (an erased identity or an
    erasure placeholder), whatever is typed."""
    if email_is_erased(email):
        return None
    return User.objects.filter(email=email_normalize(email)).first()


def participant_counts(*, program_ids: list[int]) -> dict[int, int]:
    """Active participants per programme, from the public index: one query, no schema scan."""
    rows = (
        ProgramMembership.objects.filter(program_id__in=program_ids)
        .values("program_id")
        .annotate(active=Count("id", filter=Q(is_active=True)))
    )
    return {row["program_id"]: row["active"] for row in rows}


def programs_of(*, user: User) -> list[Any]:
    """The programmes (tenants.Program) this person is an active member of, from the public
    index."""
    return [
        membership.program
        for membership in ProgramMembership.objects.filter(user=user, is_active=True)
        .select_related("program")
        .order_by("program__name")
    ]


def security_events_of(*, user: User) -> list[tuple[str, Any]]:
    """(kind, when) of the account's security records, oldest first (for the person's export;
    the address hashes stay inside)."""
    return list(
        AccountSecurityEvent.objects.filter(user=user)
        .order_by("created_at", "pk")
        .values_list("kind", "created_at")
    )


def two_factor_required_reasons(*, user: User) -> list[str]:
    """Why this person may not turn two-step verification off: every programme and role they
    have, not only this site's (the authenticator is the same everywhere). Answered by the
    participants app (settings.TWO_FACTOR_REQUIRED_REASONS): accounts never imports it."""
    return import_string(settings.TWO_FACTOR_REQUIRED_REASONS)(user)
