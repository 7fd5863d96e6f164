from django.db.models import Case, QuerySet, Value, When

from shared_apps.accounts.selectors import User
from tenant_apps.participants.models import Participant
from tenant_apps.programs.models import ProgramSettings
from tenant_apps.programs.selectors import program_settings_cached


def two_factor_required(user: User) -> bool:
    """Managers always; everyone when the programme's policy says so."""
    participant = getattr(user, "participant", None)
    if participant is not None and participant.is_manager:
        return True
    policy = program_settings_cached().two_factor_policy
    return policy == ProgramSettings.TwoFactorPolicy.REQUIRED


def participants_for_manager(*, role: str = "", status: str = "") -> QuerySet[Participant]:
    # Erased people (kept for the statistics, all named alike) come last.
    erased_last = Case(When(status=Participant.Status.ERASED, then=Value(1)), default=Value(0))
    queryset = Participant.objects.select_related("user").order_by(
        erased_last, "user__last_name", "user__first_name", "user__email"
    )
    if role:
        queryset = queryset.filter(role=role)
    if status:
        queryset = queryset.filter(status=status)
    return queryset
