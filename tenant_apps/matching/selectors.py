from dataclasses import dataclass

from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Value, When

from saas.core.pagination import MAX_QUERY_LENGTH
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


# --- Whom the manager may pair by hand (issue 17 point 4: a searched choice, not a list of all) ---

PAIR_CHOICES = 20  # people offered per search, at most: the manager refines past that
PAIR_QUERY_MIN = 2  # characters typed before anyone is searched
PAIR_ROLES = (Participant.Role.MENTEE, Participant.Role.MENTOR)


@dataclass(frozen=True)
class PairChoices:
    """The people of one role offered for a manual pair: `chosen` (the one already picked, kept
    while still eligible) first, then up to PAIR_CHOICES people matching `query`. Mentors carry
    `room` (places left) and mentees `has_proposal`."""

    role: str
    query: str
    people: list[Participant]
    chosen: Participant | None
    found: int  # people matching the query, shown (at most PAIR_CHOICES)
    has_more: bool  # more people match than are shown
    is_too_short: bool  # something typed, but under PAIR_QUERY_MIN characters
    min_length: int = PAIR_QUERY_MIN


def pair_candidates(*, role: str) -> QuerySet[Participant]:
    """People of `role` the manual pair services accept (matching.services._check_pair and the
    capacity rule): active mentees without an active pair; active mentors with room, capacity
    counting active pairs and proposals as mentor_room does."""
    people = Participant.objects.filter(role=role, status=Participant.Status.ACTIVE)
    if role == Participant.Role.MENTEE:
        return (
            people.exclude(matches_as_mentee__status=Match.Status.ACTIVE)
            .annotate(
                has_proposal=Exists(
                    Match.objects.filter(mentee=OuterRef("pk"), status=Match.Status.PROPOSED)
                )
            )
            .select_related("user")
        )
    if role != Participant.Role.MENTOR:
        raise ValueError(f"no manual pair for the role {role!r}")
    taken = Count(
        "matches_as_mentor",
        filter=Q(matches_as_mentor__status__in=[Match.Status.ACTIVE, Match.Status.PROPOSED]),
    )
    return people.annotate(room=F("capacity") - taken).filter(room__gte=1).select_related("user")


def pair_choices(*, role: str, query: str, chosen_id: int | None) -> PairChoices:
    """At most two queries, whatever the programme's size: the people matching every word of
    `query` (name or email, ignoring case and accents), those whose name starts with the first word
    first, then by name; and the chosen person when not among them."""
    query = query.strip()[:MAX_QUERY_LENGTH]
    words = query.split()[:5]
    is_too_short = 0 < len(query) < PAIR_QUERY_MIN
    people: list[Participant] = []
    if words and not is_too_short:
        rows = pair_candidates(role=role)
        for word in words:
            rows = rows.filter(
                Q(user__first_name__unaccent__icontains=word)
                | Q(user__last_name__unaccent__icontains=word)
                | Q(user__email__unaccent__icontains=word)
            )
        first = words[0]
        rows = rows.annotate(
            starts=Case(
                When(
                    Q(user__last_name__unaccent__istartswith=first)
                    | Q(user__first_name__unaccent__istartswith=first),
                    then=Value(0),
                ),
                default=Value(1),
            )
        ).order_by("starts", "user__last_name", "user__first_name", "pk")
        people = list(rows[: PAIR_CHOICES + 1])
    has_more = len(people) > PAIR_CHOICES
    people = people[:PAIR_CHOICES]
    chosen = next((p for p in people if p.pk == chosen_id), None)
    if chosen_id is not None and chosen is None:
        chosen = pair_candidates(role=role).filter(pk=chosen_id).first()
    shown = [p for p in people if p != chosen]
    return PairChoices(
        role=role,
        query=query,
        people=([chosen] if chosen else []) + shown,
        chosen=chosen,
        found=len(people),
        has_more=has_more,
        is_too_short=is_too_short,
    )
