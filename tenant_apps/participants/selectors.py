from django.db.models import Case, QuerySet, Value, When
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context

from shared_apps.accounts.selectors import User, programs_of
from tenant_apps.participants.models import Participant
from tenant_apps.programs.models import ProgramSettings
from tenant_apps.programs.selectors import program_settings, program_settings_cached


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


def two_factor_required_reasons(user: User) -> list[str]:
    """Why this person may not turn two-step verification off, across every programme they are
    an active member of (from the public membership index) and their platform role. Empty
    when nothing requires it."""
    reasons: list[str] = []
    if user.is_staff:
        reasons.append(_("you are a super-admin of the platform"))
    for program in programs_of(user=user):
        with tenant_context(program):
            participant = Participant.objects.filter(
                user=user, status=Participant.Status.ACTIVE
            ).first()
            if participant is None:
                continue
            if participant.is_manager:
                reasons.append(_("you manage the programme “%(name)s”") % {"name": program.name})
            elif program_settings().two_factor_policy == ProgramSettings.TwoFactorPolicy.REQUIRED:
                reasons.append(
                    _("the programme “%(name)s” requires it of its participants")
                    % {"name": program.name}
                )
    return reasons
