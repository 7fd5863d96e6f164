from datetime import UTC, datetime, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet, prefetch_related_objects

from saas.core.prepared import Bound, PreparedQuery
from tenant_apps.matching.models import Match
from tenant_apps.matching.selectors import active_matches_for, in_pair
from tenant_apps.meetings.models import (
    CALLED_OFF,
    JOIN_CLOSES_AFTER,
    JOIN_OPENS_BEFORE,
    JOINABLE,
    LIVE,
    TIME_HOLDING,
    JoinRefusal,
    Meeting,
    MeetingNote,
    MeetingSlot,
)
from tenant_apps.participants.models import Participant

# The video room is created (locked) a little before the join window opens, so that it is
# ready when the window opens: the periodic job that creates it runs every 5 minutes.
ROOM_CREATED_BEFORE = JOIN_OPENS_BEFORE + timedelta(minutes=10)


# Marked held by one of the two people: it took place, its room is deleted (the query form of
# Meeting.is_room_usable).
_CLOSED_BY_OUTCOME = Q(status=Meeting.Status.HELD, outcome_source=Meeting.Outcome.PARTICIPANT)


def room_is_usable(meeting: Meeting) -> bool:
    """Whether the meeting's status lets its video room exist (time aside)."""
    return meeting.is_room_usable


def _meetings() -> QuerySet[Meeting]:
    return Meeting.objects.select_related("match__mentee__user", "match__mentor__user")


def meeting_for_participant(*, participant: Participant, meeting_id: int) -> Meeting | None:
    """The meeting if `participant` is one of its two people, else None."""
    return _meetings().filter(in_pair(participant, "match__"), pk=meeting_id).first()


# The three lists of the meetings page carry the time of the request and (two of them) a page:
# their shape never changes, so they are compiled once per process (saas/core/prepared.py; the
# ORM's compilation of the three was a third of the page's CPU, bench/README.md "Session 11"),
# proven equal to the ORM's in tests/test_prepared_queries.py. The sentinels stand where the
# person and the two times go.
_PERSON = -2_000_000_201
_NOW = datetime(1901, 2, 3, 4, 5, 6, 700_001, tzinfo=UTC)
_ENDS_AFTER = datetime(1901, 2, 3, 4, 5, 6, 700_002, tzinfo=UTC)


def _upcoming(participant_id: int, ends_after: datetime) -> QuerySet[Meeting]:
    """Proposals waiting for an answer and meetings whose join window has not closed
    (`ends_after`: now minus JOIN_CLOSES_AFTER)."""
    meetings = _meetings().filter(
        in_pair(Participant(pk=participant_id), "match__"), status__in=LIVE
    )
    return meetings.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=ends_after))


_upcoming_prepared = PreparedQuery(_upcoming, participant_id=_PERSON, ends_after=_ENDS_AFTER)


def upcoming_meetings(*, participant: Participant, now: datetime) -> list[Meeting]:
    """Proposals waiting for an answer and meetings that are not over yet, soonest first."""
    meetings = _upcoming_prepared.all(
        participant_id=participant.pk, ends_after=now - JOIN_CLOSES_AFTER
    )
    prefetch_related_objects(meetings, "slots")
    return sorted(meetings, key=lambda m: (m.starts_at or _first_slot(m) or now, m.pk))


def _called_off_ahead(now: datetime) -> Q:
    """Cancelled or declined, for a time still to come (the confirmed time, or for a proposal
    one of its times)."""
    later_slot = Exists(MeetingSlot.objects.filter(meeting=OuterRef("pk"), starts_at__gt=now))
    return Q(status__in=CALLED_OFF) & (
        Q(starts_at__gt=now) | (Q(starts_at__isnull=True) & Q(later_slot))
    )


def _called_off(participant_id: int, now: datetime) -> QuerySet[Meeting]:
    return (
        _meetings()
        .filter(in_pair(Participant(pk=participant_id), "match__"))
        .filter(_called_off_ahead(now))
        .order_by("starts_at", "pk")
    )


_called_off_prepared = PreparedQuery(_called_off, paged=True, participant_id=_PERSON, now=_NOW)


def called_off_meetings(*, participant: Participant, now: datetime) -> Bound[Meeting]:
    """Meetings that will not take place although their time is still to come, soonest
    first: neither upcoming nor past. Sliced a page at a time."""
    return _called_off_prepared.bind(participant_id=participant.pk, now=now)


def _past(participant_id: int, now: datetime, ends_after: datetime) -> QuerySet[Meeting]:
    upcoming = Q(status__in=LIVE) & (Q(ends_at__isnull=True) | Q(ends_at__gt=ends_after))
    return (
        _meetings()
        .filter(in_pair(Participant(pk=participant_id), "match__"))
        .exclude(upcoming)
        .exclude(_called_off_ahead(now))
        .order_by("-starts_at", "-pk")
    )


_past_prepared = PreparedQuery(
    _past, paged=True, participant_id=_PERSON, now=_NOW, ends_after=_ENDS_AFTER
)


def past_meetings(*, participant: Participant, now: datetime) -> Bound[Meeting]:
    """Everything else: held or not, confirmed meetings that ended, and the cancelled and
    declined ones whose time has passed. Sliced a page at a time."""
    return _past_prepared.bind(
        participant_id=participant.pk, now=now, ends_after=now - JOIN_CLOSES_AFTER
    )


def _first_slot(meeting: Meeting) -> datetime | None:
    slots = [s for s in meeting.slots.all() if s.proposal_round == meeting.proposal_round]
    return min((s.starts_at for s in slots), default=None)


def current_slots(*, meeting: Meeting) -> QuerySet[MeetingSlot]:
    """The times waiting for an answer (the proposal, or the proposed move)."""
    return meeting.slots.filter(proposal_round=meeting.proposal_round).order_by("starts_at")


def note_for(*, meeting: Meeting, participant: Participant) -> MeetingNote | None:
    return MeetingNote.objects.filter(meeting=meeting, author=participant).first()


def overlapping_meetings(
    *, participant: Participant, starts_at: datetime, ends_at: datetime, exclude_id: int | None
) -> QuerySet[Meeting]:
    """The person's meetings whose confirmed time overlaps [starts_at, ends_at)."""
    meetings = Meeting.objects.filter(
        in_pair(participant, "match__"),
        status__in=TIME_HOLDING,
        starts_at__lt=ends_at,
        ends_at__gt=starts_at,
    )
    return meetings.exclude(pk=exclude_id) if exclude_id else meetings


def pairs_for(*, participant: Participant) -> QuerySet[Match]:
    """The active pairs `participant` is in: whom they can meet."""
    return active_matches_for(participant=participant).order_by("pk")


def join_window(*, meeting: Meeting) -> tuple[datetime, datetime] | None:
    return meeting.join_window()


def join_refusal(
    *, meeting: Meeting | None, participant: Participant | None, now: datetime
) -> str | None:
    """Why `participant` may not open the video room of `meeting` now (None: they may); the
    rule is Meeting.join_refusal."""
    if meeting is None:
        return JoinRefusal.NOT_YOURS
    return meeting.join_refusal(participant, now)


def meetings_for_manager(*, status: str = "") -> QuerySet[Meeting]:
    """The programme's meetings for its managers: who, when, status. Neither notes nor video."""
    meetings = (
        Meeting.objects.select_related("match__mentee__user", "match__mentor__user")
        .only(
            "status",
            "starts_at",
            "ends_at",
            "time_zone",
            "created_at",
            "outcome_source",
            "match__mentee__user__first_name",
            "match__mentee__user__last_name",
            "match__mentee__user__email",
            "match__mentee__status",
            "match__mentor__user__first_name",
            "match__mentor__user__last_name",
            "match__mentor__user__email",
            "match__mentor__status",
        )
        .order_by("-starts_at", "-created_at")
    )
    return meetings.filter(status=status) if status else meetings


def meetings_due(*, now: datetime) -> list[int]:
    """Meetings needing the periodic job: a reminder to send (24 h or 1 h before), a video room
    to delete (meeting over, cancelled or marked held) or to create (its join window opens
    within ROOM_CREATED_BEFORE). One query."""
    due = Meeting.objects.filter(due_condition(now))
    return list(due.values_list("pk", flat=True))


def due_condition(now: datetime) -> Q:
    """What meetings_due looks for, as a condition (the beat job probes every programme's
    table with it: tenant_apps.meetings.tasks.programmes_with_meetings_due)."""
    day, hour = timedelta(hours=24), timedelta(hours=1)
    reminders = Q(status__in=TIME_HOLDING, starts_at__gt=now) & (
        Q(reminder_24h_sent_at__isnull=True, starts_at__lte=now + day, starts_at__gt=now + hour)
        | Q(reminder_1h_sent_at__isnull=True, starts_at__lte=now + hour)
    )
    stale_rooms = ~Q(video_meeting_id="") & (
        ~Q(status__in=JOINABLE) | _CLOSED_BY_OUTCOME | Q(ends_at__lte=now - JOIN_CLOSES_AFTER)
    )
    missing_rooms = Q(
        video_meeting_id="",
        status__in=TIME_HOLDING,
        starts_at__lte=now + ROOM_CREATED_BEFORE,
        ends_at__gt=now - JOIN_CLOSES_AFTER,
    )
    return reminders | stale_rooms | missing_rooms
