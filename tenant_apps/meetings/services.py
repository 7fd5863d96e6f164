"""Meetings: the state machine (see models.py), the calendar invitations, the reminders, the
video room of each meeting (through tenant_apps.video) and what Whereby's webhooks tell us.

Every write is keyword-only, atomic, and queues its side effects (emails, Whereby calls) on
commit. Refusals raise saas.core.errors and change nothing."""

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from email.utils import parseaddr
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from audit.log import audit_exempt, audit_record, audited
from saas.core.errors import Conflict, NotAllowed, ValidationFailed
from saas.core.tasks import enqueue_on_commit
from tenant_apps.matching.models import Match
from tenant_apps.meetings.ics import Invitation, invitation_ics
from tenant_apps.meetings.models import Meeting, MeetingAttendance, MeetingNote, MeetingSlot
from tenant_apps.meetings.selectors import (
    JOIN_CLOSES_AFTER,
    JOINABLE,
    ROOM_CREATED_BEFORE,
    TIME_HOLDING,
    meetings_due,
    overlapping_meetings,
    room_is_usable,
)
from tenant_apps.notifications.services import email_queue
from tenant_apps.participants.models import Participant
from tenant_apps.programs.selectors import program_settings
from tenant_apps.video.client import WherebyError, whereby_client
from tenant_apps.video.services import room_name_prefix
from tenant_apps.video.webhooks import VideoEvent
from tenants.links import program_url

PAIR_ACTIVITY = (
    "a participant's own meeting activity, kept in the meeting's history (who, when, "
    "status); not programme state"
)

logger = logging.getLogger(__name__)

DEFAULT_TIME_ZONE = "Europe/Paris"
MAX_SLOTS = 3
MIN_DURATION = timedelta(minutes=15)
MAX_DURATION = timedelta(hours=4)
MAX_AHEAD = timedelta(days=366)
ROOM_END_MARGIN = timedelta(minutes=15)  # the room's endDate: the meeting's end + 15 min
REMINDER_24H = timedelta(hours=24)
REMINDER_1H = timedelta(hours=1)

Slot = tuple[datetime, datetime]


# --- helpers ---------------------------------------------------------------------------------


@audit_exempt("pure: formats a time")
def when_label(moment: datetime, time_zone: str) -> str:
    """A time as people read it, in the meeting's time zone and the active language."""
    local = timezone.localtime(moment, ZoneInfo(time_zone))
    return formats.date_format(local, "l j F Y, H:i")


def _name(participant: Participant) -> str:
    return participant.display_name


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


def _require_person(meeting: Meeting, by: Participant) -> None:
    if not meeting.involves(by):
        raise NotAllowed(_("Only the two people of this meeting can do that."))


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
                    ) % {"name": _name(person), "when": when}
                raise Conflict(message)


def _reminders_reset(meeting: Meeting, now: datetime) -> None:
    """A new time: reminders are due again, except those the confirmation email makes useless
    (a meeting confirmed 3 hours ahead gets no "tomorrow" reminder)."""
    lead = meeting.starts_at - now
    meeting.reminder_24h_sent_at = now if lead <= REMINDER_24H else None
    meeting.reminder_1h_sent_at = now if lead <= REMINDER_1H else None


@audit_exempt("pure: builds a link")
def meeting_page_url(meeting: Meeting) -> str:
    return program_url(connection.tenant, "meeting-detail", args=[meeting.pk])


def _invitation(meeting: Meeting, *, method: str, now: datetime) -> dict[str, str]:
    """The ICS attachment: stable UID, the meeting's SEQUENCE, the meeting page as location and
    link (never the video room)."""
    program = connection.tenant
    mentee, mentor = meeting.match.mentee, meeting.match.mentor
    organizer_name, organizer_email = parseaddr(settings.DEFAULT_FROM_EMAIL)
    page_url = meeting_page_url(meeting)
    with translation.override(program_settings().language or settings.LANGUAGE_CODE):
        summary = _("Mentoring meeting: %(mentee)s and %(mentor)s") % {
            "mentee": _name(mentee),
            "mentor": _name(mentor),
        }
        description = _(
            "%(program)s. The video meeting opens from the meeting page, 15 minutes before "
            "the start: %(url)s"
        ) % {"program": program.name, "url": page_url}
    content = invitation_ics(
        Invitation(
            uid=f"{meeting.uid}@{settings.BASE_DOMAIN}",
            sequence=meeting.sequence,
            method=method,
            starts_at=meeting.starts_at,
            ends_at=meeting.ends_at,
            summary=summary,
            description=description,
            page_url=page_url,
            organizer_email=organizer_email or "no-reply@binome.localhost",
            organizer_name=organizer_name or "Binôme",
            # An erased person is no attendee any more (their placeholder has no address).
            attendees=tuple((p.user.email, _name(p)) for p in (mentee, mentor) if not p.is_erased),
            stamp=now,
        )
    )
    return {
        "filename": "invitation.ics" if method == "REQUEST" else "annulation.ics",
        "content": content,
        "mimetype": f"text/calendar; method={method}; charset=utf-8",
    }


def _notify(
    meeting: Meeting,
    *,
    notice: str,
    to: Sequence[Participant],
    by: Participant | None = None,
    ics_method: str | None = None,
    now: datetime | None = None,
) -> None:
    """One email per recipient (template notifications/email/meeting.*), with the calendar
    invitation attached for a confirmed, moved or cancelled meeting. An erased person gets
    nothing."""
    to = [person for person in to if not person.is_erased]
    if not to:
        return
    attachments = []
    if ics_method:
        attachments.append(_invitation(meeting, method=ics_method, now=now or timezone.now()))
    slots = list(meeting.slots.filter(proposal_round=meeting.proposal_round))
    for person in to:
        email_queue(
            to=person.user.email,
            template="meeting",
            context={
                "notice": notice,
                "meeting": meeting,
                "recipient_name": person.user.first_name,
                "other_name": _name(meeting.other(person)),
                "by_name": _name(by) if by else "",
                "slots": slots,
                "page_url": meeting_page_url(meeting),
            },
            attachments=attachments,
            about=[meeting.match.mentee_id, meeting.match.mentor_id],
        )


# --- the state machine -----------------------------------------------------------------------


@audit_exempt(PAIR_ACTIVITY)
@transaction.atomic
def meeting_propose(
    *, match: Match, by: Participant, slots: Sequence[Slot], time_zone: str = DEFAULT_TIME_ZONE
) -> Meeting:
    """One of the two people of an active pair proposes one to three times; the other accepts
    one or declines."""
    now = timezone.now()
    match = Match.objects.select_related("mentee__user", "mentor__user").get(pk=match.pk)
    if not match.involves(by):
        raise NotAllowed(_("You can only propose a meeting to your own mentor or mentee."))
    if match.status != Match.Status.ACTIVE:
        raise Conflict(_("This pairing is not active."))
    _check_time_zone(time_zone)
    slots = _check_slots(slots, now=now)
    _lock_people(match)
    _check_overlaps(match=match, by=by, slots=slots, exclude_id=None, tz=time_zone)
    meeting = Meeting.objects.create(
        match=match, proposed_by=by, time_zone=time_zone, status=Meeting.Status.PROPOSED
    )
    MeetingSlot.objects.bulk_create(
        MeetingSlot(meeting=meeting, proposal_round=0, starts_at=s, ends_at=e) for s, e in slots
    )
    meeting = _locked(meeting)
    _notify(meeting, notice="proposed", to=[meeting.other(by)], by=by)
    return meeting


@audit_exempt(PAIR_ACTIVITY)
@transaction.atomic
def meeting_accept(*, meeting: Meeting, by: Participant, slot_id: int) -> Meeting:
    """The other person accepts one of the proposed times: the meeting is confirmed (or moved),
    both get the calendar invitation, and the video room is brought in line (made now if the
    join window is about to open, else later by the periodic job; a moved meeting's old room
    is deleted)."""
    now = timezone.now()
    meeting = _locked(meeting)
    _require_person(meeting, by)
    if meeting.status not in (Meeting.Status.PROPOSED, Meeting.Status.MOVE_PROPOSED):
        raise Conflict(_("This meeting is not waiting for an answer."))
    if by.pk == meeting.proposed_by_id:
        raise NotAllowed(_("The other person answers your proposal."))
    if meeting.match.status != Match.Status.ACTIVE:
        raise Conflict(_("This pairing is not active."))
    slot = meeting.slots.filter(pk=slot_id, proposal_round=meeting.proposal_round).first()
    if slot is None:
        raise ValidationFailed(_("Choose one of the proposed times."))
    if slot.starts_at <= now:
        raise ValidationFailed(_("This time has passed. Choose another one or decline."))
    _lock_people(meeting.match)
    _check_overlaps(
        match=meeting.match,
        by=by,
        slots=[(slot.starts_at, slot.ends_at)],
        exclude_id=meeting.pk,
        tz=meeting.time_zone,
    )
    is_move = meeting.status == Meeting.Status.MOVE_PROPOSED
    meeting.status = Meeting.Status.CONFIRMED
    meeting.starts_at, meeting.ends_at = slot.starts_at, slot.ends_at
    meeting.confirmed_at = now
    if is_move:
        meeting.sequence += 1
    _reminders_reset(meeting, now)
    meeting.save(
        update_fields=[
            "status",
            "starts_at",
            "ends_at",
            "confirmed_at",
            "sequence",
            "reminder_24h_sent_at",
            "reminder_1h_sent_at",
            "updated_at",
        ]
    )
    people = [meeting.match.mentee, meeting.match.mentor]
    _notify(
        meeting,
        notice="moved" if is_move else "confirmed",
        to=people,
        by=by,
        ics_method="REQUEST",
        now=now,
    )
    _room_sync_later(meeting)
    return meeting


@audit_exempt(PAIR_ACTIVITY)
@transaction.atomic
def meeting_decline(*, meeting: Meeting, by: Participant, reason: str = "") -> Meeting:
    """The other person declines: a proposal ends there; a proposed move is dropped and the
    confirmed time stands."""
    meeting = _locked(meeting)
    _require_person(meeting, by)
    if meeting.status not in (Meeting.Status.PROPOSED, Meeting.Status.MOVE_PROPOSED):
        raise Conflict(_("This meeting is not waiting for an answer."))
    if by.pk == meeting.proposed_by_id:
        raise NotAllowed(_("The other person answers your proposal."))
    proposer = meeting.other(by)
    meeting.decline_reason = reason.strip()
    if meeting.status == Meeting.Status.PROPOSED:
        meeting.status = Meeting.Status.DECLINED
        notice = "declined"
    else:
        meeting.status = Meeting.Status.CONFIRMED
        notice = "move_declined"
    meeting.save(update_fields=["status", "decline_reason", "updated_at"])
    _notify(meeting, notice=notice, to=[proposer], by=by)
    return meeting


@audit_exempt(PAIR_ACTIVITY)
@transaction.atomic
def meeting_move_propose(
    *, meeting: Meeting, by: Participant, slots: Sequence[Slot], time_zone: str | None = None
) -> Meeting:
    """Reschedule: either person proposes new times for a confirmed meeting that has not
    started. Until the other accepts one, the confirmed time stands."""
    now = timezone.now()
    meeting = _locked(meeting)
    _require_person(meeting, by)
    if meeting.status != Meeting.Status.CONFIRMED:
        raise Conflict(_("Only a confirmed meeting can be moved."))
    if meeting.starts_at <= now:
        raise Conflict(_("This meeting has started: it can no longer be moved."))
    time_zone = time_zone or meeting.time_zone
    _check_time_zone(time_zone)
    slots = _check_slots(slots, now=now)
    _lock_people(meeting.match)
    _check_overlaps(match=meeting.match, by=by, slots=slots, exclude_id=meeting.pk, tz=time_zone)
    meeting.status = Meeting.Status.MOVE_PROPOSED
    meeting.proposal_round += 1
    meeting.proposed_by = by
    meeting.time_zone = time_zone
    meeting.save(
        update_fields=["status", "proposal_round", "proposed_by", "time_zone", "updated_at"]
    )
    MeetingSlot.objects.bulk_create(
        MeetingSlot(meeting=meeting, proposal_round=meeting.proposal_round, starts_at=s, ends_at=e)
        for s, e in slots
    )
    _notify(meeting, notice="move_proposed", to=[meeting.other(by)], by=by)
    return meeting


@transaction.atomic
@audited
def meeting_cancel(*, meeting: Meeting, by: Participant, reason: str) -> Meeting:
    """Either person cancels, with a reason, a meeting that is not over. A meeting that had a
    time gets the calendar cancellation; its video room is deleted."""
    now = timezone.now()
    meeting = _locked(meeting)
    _require_person(meeting, by)
    if meeting.status not in (Meeting.Status.PROPOSED, *TIME_HOLDING):
        raise Conflict(_("This meeting can no longer be cancelled."))
    if meeting.ends_at is not None and meeting.ends_at <= now and meeting.has_time:
        raise Conflict(_("This meeting is over: say whether it took place instead."))
    if not reason.strip():
        raise ValidationFailed(
            _("Give a reason for the cancellation."),
            fields={"reason": [_("Give a reason for the cancellation.")]},
        )
    had_time = meeting.has_time
    meeting.status = Meeting.Status.CANCELLED
    meeting.cancel_reason = reason.strip()
    meeting.cancelled_by = by
    meeting.cancelled_at = now
    fields = ["status", "cancel_reason", "cancelled_by", "cancelled_at", "updated_at"]
    if had_time:
        meeting.sequence += 1
        fields.append("sequence")
    meeting.save(update_fields=fields)
    audit_record(action="meeting.cancelled", target=meeting, details={"had_time": had_time})
    if had_time:
        people = [meeting.match.mentee, meeting.match.mentor]
        _notify(meeting, notice="cancelled", to=people, by=by, ics_method="CANCEL", now=now)
        _room_sync_later(meeting)
    else:
        _notify(meeting, notice="cancelled", to=[meeting.other(by)], by=by)
    return meeting


@audit_exempt(PAIR_ACTIVITY)
@transaction.atomic
def meeting_outcome_set(*, meeting: Meeting, by: Participant, is_held: bool) -> Meeting:
    """Once it has started, either person says whether the meeting took place (and may correct
    it). Saying it again changes nothing."""
    now = timezone.now()
    meeting = _locked(meeting)
    _require_person(meeting, by)
    if meeting.status not in JOINABLE:
        raise Conflict(_("Only a confirmed meeting can be marked as held or not held."))
    if meeting.starts_at > now:
        raise Conflict(_("You can say whether the meeting took place once it has started."))
    status = Meeting.Status.HELD if is_held else Meeting.Status.NOT_HELD
    if meeting.status == status:
        return meeting
    meeting.status = status
    meeting.outcome_source = Meeting.Outcome.PARTICIPANT
    meeting.outcome_at = now
    meeting.save(update_fields=["status", "outcome_source", "outcome_at", "updated_at"])
    if is_held and meeting.video_meeting_id:
        _room_forget(meeting)  # it took place: its room is closed (deleted on commit)
    return meeting


@audit_exempt("a participant's private note; content is personal, not programme state")
@transaction.atomic
def meeting_note_save(*, meeting: Meeting, by: Participant, text: str) -> MeetingNote:
    """The person's private notes on the meeting (seen by nobody else, managers included)."""
    _require_person(meeting, by)
    note, _created = MeetingNote.objects.update_or_create(
        meeting=meeting, author=by, defaults={"text": text.strip()}
    )
    return note


@audit_exempt("a pair's shared notes; content is personal, not programme state")
@transaction.atomic
def meeting_next_steps_save(*, meeting: Meeting, by: Participant, text: str) -> Meeting:
    """The next steps the two people agreed on: shared, either can edit them."""
    meeting = _locked(meeting)
    _require_person(meeting, by)
    if meeting.status in (Meeting.Status.DECLINED, Meeting.Status.CANCELLED):
        raise Conflict(_("This meeting was cancelled."))
    meeting.next_steps = text.strip()
    meeting.next_steps_updated_at = timezone.now()
    meeting.save(update_fields=["next_steps", "next_steps_updated_at", "updated_at"])
    return meeting


# --- reminders and the periodic job ----------------------------------------------------------


@audit_exempt("scheduling job: queues reminders and video rooms for meetings already recorded")
def meetings_due_process(*, now: datetime | None = None) -> int:
    """In one programme: send the reminders that are due, create the video rooms of meetings
    whose join window is about to open (or still missing in it), and delete those of meetings
    that are over, cancelled or marked held.
    One query when nothing is due. Returns how many meetings were handled."""
    now = now or timezone.now()
    meeting_ids = meetings_due(now=now)
    for meeting_id in meeting_ids:
        meeting_reminder_send(meeting_id=meeting_id, now=now)
        try:
            meeting_room_sync(meeting_id=meeting_id, now=now)
        except WherebyError as exc:  # the reminders do not wait for Whereby
            logger.warning(
                "video room of meeting %s not synced: %s", meeting_id, type(exc).__name__
            )
    return len(meeting_ids)


@audit_exempt("delivery: emails a reminder for a meeting already recorded")
@transaction.atomic
def meeting_reminder_send(*, meeting_id: int, now: datetime | None = None) -> str | None:
    """Send the reminder due for one meeting, once: the row is locked and the sent time is
    written in the same transaction as the emails. Returns "24h", "1h" or None."""
    now = now or timezone.now()
    meeting = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("match__mentee__user", "match__mentor__user")
        .filter(pk=meeting_id, status__in=TIME_HOLDING, starts_at__gt=now)
        .first()
    )
    if meeting is None:
        return None
    lead = meeting.starts_at - now
    if lead <= REMINDER_1H and meeting.reminder_1h_sent_at is None:
        kind = "1h"
        meeting.reminder_1h_sent_at = now
        meeting.reminder_24h_sent_at = meeting.reminder_24h_sent_at or now
    elif lead <= REMINDER_24H and lead > REMINDER_1H and meeting.reminder_24h_sent_at is None:
        kind = "24h"
        meeting.reminder_24h_sent_at = now
    else:
        return None
    meeting.save(update_fields=["reminder_24h_sent_at", "reminder_1h_sent_at"])
    people = [meeting.match.mentee, meeting.match.mentor]
    _notify(meeting, notice=f"reminder_{kind}", to=people)
    return kind


# --- the video room --------------------------------------------------------------------------


ROOM_PREPARE_EVERY = 60  # seconds: how often a page may ask for a missing room


@audit_exempt("asks the task that makes the room; video rooms are not audited state")
def meeting_room_prepare(*, meeting: Meeting) -> None:
    """A join page found the window open and the room missing (the periodic job has not run
    yet, or gave up): ask for the room now — at most once a minute per meeting; the task is
    idempotent. Never fails the page."""
    if meeting.video_meeting_id:
        return
    if not cache.add(f"meeting-room-prepare:{meeting.pk}", True, ROOM_PREPARE_EVERY):
        return
    try:
        _room_sync_later(meeting)
    except Exception as exc:  # tasks run in-process locally: Whereby's errors surface here
        logger.warning("video room of meeting %s not prepared: %s", meeting.pk, type(exc).__name__)


def _room_sync_later(meeting: Meeting) -> None:
    from tenant_apps.meetings.tasks import sync_meeting_room_task

    enqueue_on_commit(sync_meeting_room_task, meeting_id=meeting.pk)


def _room_wanted(meeting: Meeting, now: datetime) -> datetime | None:
    """The endDate the meeting's room should have, or None when it should have none: a room
    exists only from a little before the join window opens (ROOM_CREATED_BEFORE the start) until
    the window closes, while the meeting may be joined (not once a participant marked it held)."""
    if not room_is_usable(meeting) or meeting.starts_at is None or meeting.ends_at is None:
        return None
    if now < meeting.starts_at - ROOM_CREATED_BEFORE:
        return None
    if now >= meeting.ends_at + JOIN_CLOSES_AFTER:
        return None
    return meeting.ends_at + ROOM_END_MARGIN


def _room_is_current(meeting: Meeting, wanted: datetime) -> bool:
    return bool(meeting.video_meeting_id) and meeting.video_room_end_at == wanted


def _room_forget(meeting: Meeting) -> None:
    """Drop the room from the meeting now; Whereby deletes it after commit."""
    video_meeting_id = meeting.video_meeting_id
    meeting.video_meeting_id = meeting.video_room_url = meeting.video_host_room_url = ""
    meeting.video_room_prefix = ""
    meeting.video_room_end_at = None
    meeting.save(
        update_fields=[
            "video_meeting_id",
            "video_room_url",
            "video_host_room_url",
            "video_room_prefix",
            "video_room_end_at",
        ]
    )
    _room_delete_later(video_meeting_id)


def _room_delete_later(video_meeting_id: str) -> None:
    from tenant_apps.video.tasks import delete_video_room_task

    if video_meeting_id:
        enqueue_on_commit(delete_video_room_task, video_meeting_id=video_meeting_id)


@audit_exempt("delivery: creates or deletes the Whereby room of a meeting already recorded")
def meeting_room_sync(*, meeting_id: int, now: datetime | None = None) -> None:
    """Bring the meeting's Whereby room in line with the meeting: create it, locked, when the
    join window is about to open (endDate = end + 15 min), replace it when the meeting moved,
    delete it when the meeting is cancelled, marked held or over.

    No row lock is held while Whereby answers (up to a minute with the retries): accepting,
    moving or cancelling the meeting never waits for it. Three steps:
    1. a short transaction records the intent (`video_room_prefix`, unique to the meeting and
       its time) — a run that crashes or loses Whereby's answer after this finds its room by
       that prefix next time instead of making a second one;
    2. Whereby is called outside any transaction;
    3. a short transaction stores the room if the meeting still wants exactly it, and otherwise
       deletes the room just made (the meeting was cancelled or moved meanwhile, or a
       concurrent run stored another room first).
    Idempotent, including when run twice at once."""
    now = now or timezone.now()
    # Step 1 (short): decide, and record which room we are about to ask for.
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().filter(pk=meeting_id).first()
        if meeting is None:
            return
        wanted = _room_wanted(meeting, now)
        if wanted is None:
            if meeting.video_meeting_id:
                _room_forget(meeting)
            return
        if _room_is_current(meeting, wanted):
            return
        prefix = room_name_prefix(
            schema_name=connection.schema_name, key=f"m{meeting.pk}s{meeting.sequence}"
        )
        may_exist = meeting.video_room_prefix == prefix
        if not may_exist:
            meeting.video_room_prefix = prefix
            meeting.save(update_fields=["video_room_prefix"])
    # Step 2: Whereby, outside any transaction (no lock held).
    with whereby_client() as client:
        room = client.meeting_create(
            end_date=wanted, room_name_prefix=prefix, is_locked=True, adopt_existing=may_exist
        )
    # Step 3 (short): keep the room if the meeting still wants it, else delete it.
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().filter(pk=meeting_id).first()
        if meeting is not None and meeting.video_meeting_id == room.meeting_id:
            return  # a concurrent run stored this very room
        still_wanted = meeting is not None and _room_wanted(meeting, now) == wanted
        if (
            meeting is None
            or not still_wanted
            or meeting.video_room_prefix != prefix
            or _room_is_current(meeting, wanted)
        ):
            logger.info("video room %s no longer wanted: deleted", room.meeting_id)
            _room_delete_later(room.meeting_id)
            return
        previous = meeting.video_meeting_id
        meeting.video_meeting_id = room.meeting_id
        meeting.video_room_url = room.room_url
        meeting.video_host_room_url = room.host_room_url
        meeting.video_room_end_at = wanted
        meeting.save(
            update_fields=[
                "video_meeting_id",
                "video_room_url",
                "video_host_room_url",
                "video_room_end_at",
            ]
        )
        logger.info("video room %s ready for meeting %s", room.meeting_id, meeting.pk)
        if previous:
            _room_delete_later(previous)


# --- what Whereby tells us -------------------------------------------------------------------


@audit_exempt("pure: computes an identifier")
def external_id_for(participant: Participant) -> str:
    """What the join page passes to Whereby as `externalId`: an internal number, no name."""
    return f"p{participant.pk}"


def _participant_for(meeting: Meeting, event: VideoEvent) -> int | None:
    people = {external_id_for(p): p.pk for p in (meeting.match.mentee, meeting.match.mentor)}
    if event.external_id in people:
        return people[event.external_id]
    if event.role_name in ("host", "owner"):
        return meeting.match.mentor_id  # the host URL is only given to the mentor
    return None


@audit_exempt(
    "records attendance reported by a signed video webhook; the attendance row is the record"
)
def meeting_video_event_handle(*, event: VideoEvent) -> None:
    """WHEREBY_EVENT_HANDLER: record who joined or left the video room (called once per event,
    in the programme's schema, inside the transaction that records the event id). When both
    people have joined, the meeting counts as held."""
    kinds = {
        "room.client.joined": MeetingAttendance.Kind.JOINED,
        "room.client.left": MeetingAttendance.Kind.LEFT,
    }
    if event.type not in kinds:
        return
    meeting = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("match")
        .filter(video_meeting_id=event.meeting_id)
        .first()
    )
    if meeting is None:
        return
    MeetingAttendance.objects.create(
        meeting=meeting,
        participant_id=_participant_for(meeting, event),
        kind=kinds[event.type],
        occurred_at=event.created_at,
    )
    if kinds[event.type] != MeetingAttendance.Kind.JOINED or meeting.status not in TIME_HOLDING:
        return
    joined = set(
        meeting.attendance.filter(kind=MeetingAttendance.Kind.JOINED).values_list(
            "participant_id", flat=True
        )
    )
    if {meeting.match.mentee_id, meeting.match.mentor_id} <= joined:
        meeting.status = Meeting.Status.HELD
        meeting.outcome_source = Meeting.Outcome.VIDEO
        meeting.outcome_at = timezone.now()
        meeting.save(update_fields=["status", "outcome_source", "outcome_at", "updated_at"])


@audit_exempt("a step of participant erasure, audited by the erasure (privacy.erased)")
@transaction.atomic
def meetings_person_erase(*, participant: Participant) -> None:
    """Erasure of a person (tenant_apps.privacy, once their row is marked erased): their
    meetings that are not over are cancelled by the cancellation service — the other person
    gets the usual email and calendar cancellation (next SEQUENCE), naming the person
    "Participant·e supprimé·e" — and their rooms deleted; the free text of their meetings is
    blanked and their private notes go; times, statuses and attendance stay as anonymous
    statistics."""
    now = timezone.now()
    matches = Match.objects.filter(mentee=participant) | Match.objects.filter(mentor=participant)
    with translation.override(program_settings().language or settings.LANGUAGE_CODE):
        reason = _("The other person has left the programme.")
    live = Meeting.objects.filter(
        match__in=matches, status__in=(Meeting.Status.PROPOSED, *TIME_HOLDING)
    )
    for meeting in live.order_by("pk"):
        if meeting.has_time and meeting.ends_at <= now:
            continue  # over: the other person still says whether it took place
        meeting_cancel(meeting=meeting, by=participant, reason=reason)
    for meeting in Meeting.objects.select_for_update().filter(match__in=matches):
        meeting.decline_reason = meeting.next_steps = ""
        if meeting.cancel_reason != reason:  # free text, possibly about the person
            meeting.cancel_reason = ""
        meeting.save(update_fields=["decline_reason", "cancel_reason", "next_steps"])
        if meeting.video_meeting_id:
            _room_forget(meeting)
    MeetingNote.objects.filter(author=participant).delete()
