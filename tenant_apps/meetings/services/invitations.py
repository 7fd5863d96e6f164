"""What the two people receive about a meeting: the emails (template notifications/email/
meeting.*) and the calendar invitation attached to them (tenant_apps.meetings.ics: stable UID,
the meeting's SEQUENCE, the meeting page as location and link, never the video room)."""

from collections.abc import Sequence
from datetime import datetime
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from audit.log import audit_exempt
from saas.core.tenancy import connection
from tenant_apps.meetings.ics import Invitation, invitation_ics
from tenant_apps.meetings.models import Meeting
from tenant_apps.notifications.services import email_queue
from tenant_apps.participants.models import Participant
from tenant_apps.programs.selectors import program_settings
from tenants.links import program_url


@audit_exempt("pure: formats a time")
def when_label(moment: datetime, time_zone: str) -> str:
    """A time as people read it, in the meeting's time zone and the active language."""
    local = timezone.localtime(moment, ZoneInfo(time_zone))
    return formats.date_format(local, "l j F Y, H:i")


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
            "mentee": mentee.display_name,
            "mentor": mentor.display_name,
        }
        description = _(
            "%(program)s. The video meeting opens from the meeting page, 15 minutes before "
            "the start: %(url)s"
        ) % {"program": program.name, "url": page_url}
    # Invitations go out for a time that holds: the meeting has one (meeting_confirmed_has_time).
    assert meeting.starts_at is not None and meeting.ends_at is not None
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
            attendees=tuple(
                (p.user.email, p.display_name) for p in (mentee, mentor) if not p.is_erased
            ),
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
                "other_name": meeting.other(person).display_name,
                "by_name": by.display_name if by else "",
                "slots": slots,
                "page_url": meeting_page_url(meeting),
            },
            attachments=attachments,
            about=[meeting.match.mentee_id, meeting.match.mentor_id],
        )
