"""What the meeting services share: limits, row locks, and the checks of a proposal's times.
Private to the package (no public function here: nothing to audit)."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone
from django.utils.translation import gettext as _

from saas.core.errors import Conflict, ValidationFailed
from tenant_apps.matching.models import Match
from tenant_apps.meetings.models import Meeting, MeetingSlot
from tenant_apps.meetings.selectors import overlapping_meetings
from tenant_apps.meetings.services.invitations import when_label
from tenant_apps.participants.models import Participant

PAIR_ACTIVITY = (
    "a participant's own meeting activity, kept in the meeting's history (who, when, "
    "status); not programme state"
)

DEFAULT_TIME_ZONE = "Europe/Paris"
MAX_SLOTS = 3
MIN_DURATION = timedelta(minutes=15)
MAX_DURATION = timedelta(hours=4)
MAX_AHEAD = timedelta(days=366)
REMINDER_24H = timedelta(hours=24)
REMINDER_1H = timedelta(hours=1)

Slot = tuple[datetime, datetime]


def _locked(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("match__mentee__user", "match__mentor__user")
        .get(pk=meeting.pk)
    )


def _lock_people(match: Match) -> None:
    """Both people's rows, in a fixed order: two acceptances that would overlap for one person
    cannot pass the overlap check at the same time."""
    list(
        Participant.objects.select_for_update()
        .filter(pk__in=[match.mentee_id, match.mentor_id])
        .order_by("pk")
    )


def _check_time_zone(time_zone: str) -> None:
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationFailed(
            _("Choose a valid time zone."), fields={"time_zone": [_("Choose a valid time zone.")]}
        ) from None


def _check_slots(slots: Sequence[Slot], *, now: datetime) -> list[Slot]:
    if not slots:
        raise ValidationFailed(_("Propose at least one time."))
    if len(slots) > MAX_SLOTS:
        raise ValidationFailed(_("Propose at most three times."))
    for starts_at, ends_at in slots:
        if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
            raise ValueError("aware datetimes only")
        if starts_at <= now:
            raise ValidationFailed(_("Propose times in the future."))
        if starts_at > now + MAX_AHEAD:
            raise ValidationFailed(_("Propose times within the next year."))
        if not MIN_DURATION <= ends_at - starts_at <= MAX_DURATION:
            raise ValidationFailed(_("A meeting lasts between 15 minutes and 4 hours."))
    unique = sorted(set(slots))
    if len(unique) != len(slots):
        raise ValidationFailed(_("The same time is proposed twice."))
    return unique


def _check_overlaps(
    *, match: Match, by: Participant, slots: Sequence[Slot], exclude_id: int | None, tz: str
) -> None:
    """Refuse a time at which either person already has a confirmed meeting."""
    other = match.mentor if by.pk == match.mentee_id else match.mentee
    for starts_at, ends_at in slots:
        when = when_label(starts_at, tz)
        for person in (by, other):
            if overlapping_meetings(
                participant=person, starts_at=starts_at, ends_at=ends_at, exclude_id=exclude_id
            ).exists():
                if person.pk == by.pk:
                    message = _("You already have another meeting at %(when)s.") % {"when": when}
                else:
                    message = _(
                        "%(name)s already has another meeting at %(when)s. Choose another time."
                    ) % {"name": person.display_name, "when": when}
                raise Conflict(message)


def _checked_times(
    *,
    match: Match,
    by: Participant,
    slots: Sequence[Slot],
    time_zone: str,
    now: datetime,
    exclude_id: int | None,
) -> list[Slot]:
    """The times `by` proposes to the pair, checked: a valid time zone, one to three distinct
    future times of a sensible length, and neither person already booked then (both rows are
    locked first, so that two proposals cannot pass the check together)."""
    _check_time_zone(time_zone)
    checked = _check_slots(slots, now=now)
    _lock_people(match)
    _check_overlaps(match=match, by=by, slots=checked, exclude_id=exclude_id, tz=time_zone)
    return checked


def _slots_add(meeting: Meeting, slots: Sequence[Slot]) -> None:
    """The times of the meeting's current proposal round."""
    MeetingSlot.objects.bulk_create(
        MeetingSlot(meeting=meeting, proposal_round=meeting.proposal_round, starts_at=s, ends_at=e)
        for s, e in slots
    )


def _reminders_reset(meeting: Meeting, now: datetime) -> None:
    """A new time: reminders are due again, except those the confirmation email makes useless
    (a meeting confirmed 3 hours ahead gets no "tomorrow" reminder)."""
    assert meeting.starts_at is not None  # a new time was just set
    lead = meeting.starts_at - now
    meeting.reminder_24h_sent_at = now if lead <= REMINDER_24H else None
    meeting.reminder_1h_sent_at = now if lead <= REMINDER_1H else None
