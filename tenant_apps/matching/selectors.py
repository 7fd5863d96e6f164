from django.db.models import Count, Q, QuerySet

from tenant_apps.matching.models import Match, MatchRequest
from tenant_apps.participants.models import Participant


def in_pair(participant: Participant, via: str = "") -> Q:
    """The rows whose pair (the Match itself, or the one reached through `via`, e.g.
    "match__") has `participant` as its mentee or its mentor."""
    return Q(**{f"{via}mentee": participant}) | Q(**{f"{via}mentor": participant})


def mentor_room(*, mentor: Participant) -> int:
    """Places left: capacity minus active pairs and proposals that would become active."""
    taken = Match.objects.filter(
        mentor=mentor, status__in=[Match.Status.ACTIVE, Match.Status.PROPOSED]
    ).count()
    return mentor.capacity - taken


def active_matches_for(*, participant: Participant) -> QuerySet[Match]:
    return (
        Match.objects.filter(in_pair(participant))
        .filter(status=Match.Status.ACTIVE)
        .select_related("mentee__user", "mentor__user")
    )


def matches_for_manager() -> QuerySet[Match]:
    return Match.objects.select_related("mentee__user", "mentor__user").order_by(
        "status", "-score", "mentee__user__last_name"
    )


def requests_of_mentee(*, mentee: Participant) -> QuerySet[MatchRequest]:
    return MatchRequest.objects.filter(mentee=mentee).select_related("mentor__user")


def requests_for_mentor(*, mentor: Participant) -> QuerySet[MatchRequest]:
    return MatchRequest.objects.filter(mentor=mentor).select_related("mentee__user")


def mentors_with_load() -> QuerySet[Participant]:
    return (
        Participant.objects.filter(role=Participant.Role.MENTOR, status=Participant.Status.ACTIVE)
        .select_related("user")
        .annotate(active=Count("matches_as_mentor", filter=Q(matches_as_mentor__status="active")))
    )
