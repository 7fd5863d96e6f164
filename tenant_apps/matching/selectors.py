from django.db.models import Q, QuerySet

from tenant_apps.matching.models import Match
from tenant_apps.participants.models import Participant

DEFAULT_MENTOR_CAPACITY = 2


def mentor_capacity(*, mentor: Participant) -> int:
    """How many mentees this mentor takes at once (their profile, once they set it)."""
    return getattr(mentor, "capacity", None) or DEFAULT_MENTOR_CAPACITY


def mentor_load(*, mentor: Participant) -> int:
    """Places taken: active pairs, and proposals that would become active."""
    return Match.objects.filter(
        mentor=mentor, status__in=[Match.Status.ACTIVE, Match.Status.PROPOSED]
    ).count()


def active_matches_for(*, participant: Participant) -> QuerySet[Match]:
    return (
        Match.objects.filter(Q(mentee=participant) | Q(mentor=participant))
        .filter(status=Match.Status.ACTIVE)
        .select_related("mentee__user", "mentor__user")
    )
