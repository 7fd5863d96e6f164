from django.db.models import Count, Q

from shared_apps.accounts.models import ProgramMembership, User, email_normalize

# Re-exported: other apps reach the identity through this module, never through models.
__all__ = ["User", "email_normalize", "participant_counts", "user_by_email"]


def user_by_email(*, email: str) -> User | None:
    return User.objects.filter(email=email_normalize(email)).first()


def participant_counts(*, program_ids: list[int]) -> dict[int, int]:
    """Active participants per programme, from the public index: one query, no schema scan."""
    rows = (
        ProgramMembership.objects.filter(program_id__in=program_ids)
        .values("program_id")
        .annotate(active=Count("id", filter=Q(is_active=True)))
    )
    return {row["program_id"]: row["active"] for row in rows}
