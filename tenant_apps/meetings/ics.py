"""Calendar invitations (RFC 5545 / iTIP) for a meeting, with the `icalendar` package. Pure: the
caller gives every value. The location and the link are the meeting's page on the platform,
never the video room (which opens only from that page, at meeting time)."""

from dataclasses import dataclass
from datetime import UTC, datetime

from icalendar import Calendar, Event, vCalAddress, vText

PRODID = "-//Binome//Meetings//FR"


@dataclass(frozen=True)
class Invitation:
    uid: str
    sequence: int
    method: str  # "REQUEST" (new or moved) or "CANCEL"
    starts_at: datetime
    ends_at: datetime
    summary: str
    description: str
    page_url: str
    organizer_email: str
    organizer_name: str
    attendees: tuple[tuple[str, str], ...]  # (email, name)
    stamp: datetime


def invitation_ics(invitation: Invitation) -> str:
    if invitation.method not in ("REQUEST", "CANCEL"):
        raise ValueError("method must be REQUEST or CANCEL")
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", invitation.method)
    event = Event()
    event.add("uid", invitation.uid)
    event.add("sequence", invitation.sequence)
    event.add("dtstamp", invitation.stamp.astimezone(UTC))
    event.add("dtstart", invitation.starts_at.astimezone(UTC))
    event.add("dtend", invitation.ends_at.astimezone(UTC))
    event.add("summary", invitation.summary)
    event.add("description", invitation.description)
    event.add("location", invitation.page_url)
    event.add("url", invitation.page_url)
    event.add("status", "CANCELLED" if invitation.method == "CANCEL" else "CONFIRMED")
    event.add("transp", "OPAQUE")
    organizer = vCalAddress(f"mailto:{invitation.organizer_email}")
    organizer.params["cn"] = vText(invitation.organizer_name)
    event.add("organizer", organizer)
    for email, name in invitation.attendees:
        attendee = vCalAddress(f"mailto:{email}")
        attendee.params["cn"] = vText(name or email)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("NEEDS-ACTION")
        attendee.params["rsvp"] = vText("FALSE")
        event.add("attendee", attendee, encode=False)
    calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")
