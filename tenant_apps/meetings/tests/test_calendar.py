"""Calendar invitations: a confirmed, moved or cancelled meeting sends each person an email
with an ICS file (METHOD:REQUEST or CANCEL, one UID for the meeting's life, SEQUENCE raised
at each change) whose link is the meeting page — never the video room."""

from datetime import UTC, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils.translation import gettext, override
from django_tenants.utils import tenant_context
from icalendar import Calendar

from tenant_apps.meetings.services.answering import meeting_accept, meeting_decline
from tenant_apps.meetings.services.cancelling import meeting_cancel
from tenant_apps.meetings.services.moving import meeting_move_propose
from tenant_apps.meetings.tests.factories import proposed, slot


def invitations(outbox) -> list[tuple[str, str, Calendar]]:
    """(recipient, Content-Type, parsed calendar) of every ICS attachment sent."""
    found = []
    for message in outbox:
        for part in message.message().walk():
            if part.get_content_type() == "text/calendar":
                content = part.get_payload(decode=True).decode()
                found.append((message.to[0], part["Content-Type"], Calendar.from_ical(content)))
    return found


def event_of(calendar: Calendar):
    (event,) = calendar.walk("VEVENT")
    return event


@pytest.mark.django_db
def test_confirmed_moved_and_cancelled_meetings_send_ics_invitations(
    pair, whereby_fake, django_capture_on_commit_callbacks
):
    with tenant_context(pair.program):
        meeting = proposed(pair)
        mail.outbox.clear()
        page_url = f"http://{pair.program.host}/rendez-vous/{meeting.pk}/"
        uid = f"{meeting.uid}@binome.test"

        # when the mentor accepts
        with django_capture_on_commit_callbacks(execute=True):
            meeting = meeting_accept(
                meeting=meeting, by=pair.mentor, slot_id=meeting.slots.get().pk
            )

        # then both get a REQUEST, sequence 0, at the accepted time, linking to the meeting page
        sent = invitations(mail.outbox)
        assert sorted(to for to, _type, _cal in sent) == [
            "hugo.bernard@a.example",
            "lea.martin@a.example",
        ]
        for _to, content_type, calendar in sent:
            assert content_type.startswith("text/calendar") and 'method="REQUEST"' in content_type
            assert calendar["METHOD"] == "REQUEST"
            event = event_of(calendar)
            assert str(event["UID"]) == uid
            assert event["SEQUENCE"] == 0
            assert event.decoded("DTSTART") == meeting.starts_at.astimezone(UTC)
            assert event.decoded("DTEND") == meeting.ends_at.astimezone(UTC)
            assert str(event["URL"]) == str(event["LOCATION"]) == page_url
            assert str(event["STATUS"]) == "CONFIRMED"
            attendees = sorted(str(a) for a in event.get("ATTENDEE"))
            assert attendees == ["mailto:hugo.bernard@a.example", "mailto:lea.martin@a.example"]

        # when the mentee proposes a move and the mentor accepts it
        mail.outbox.clear()
        new_time = slot(timedelta(days=5))
        meeting = meeting_move_propose(meeting=meeting, by=pair.mentee, slots=[new_time])
        assert invitations(mail.outbox) == []  # nothing changes in calendars until accepted
        with django_capture_on_commit_callbacks(execute=True):
            meeting = meeting_accept(
                meeting=meeting, by=pair.mentor, slot_id=meeting.slots.get(proposal_round=1).pk
            )

        # then the same UID comes again, sequence 1, at the new time
        sent = invitations(mail.outbox)
        assert len(sent) == 2
        for _to, _type, calendar in sent:
            event = event_of(calendar)
            assert calendar["METHOD"] == "REQUEST"
            assert (str(event["UID"]), event["SEQUENCE"]) == (uid, 1)
            assert event.decoded("DTSTART") == new_time[0].astimezone(UTC)

        # when the mentor cancels
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            meeting_cancel(meeting=meeting, by=pair.mentor, reason="Réunion imprévue")

        # then a CANCEL for the same UID, sequence 2
        sent = invitations(mail.outbox)
        assert len(sent) == 2
        for _to, content_type, calendar in sent:
            event = event_of(calendar)
            assert 'method="CANCEL"' in content_type and calendar["METHOD"] == "CANCEL"
            assert (str(event["UID"]), event["SEQUENCE"], str(event["STATUS"])) == (
                uid,
                2,
                "CANCELLED",
            )
        # and the reason reached the mentee
        (to_mentee,) = [m for m in mail.outbox if m.to == ["lea.martin@a.example"]]
        assert "Réunion imprévue" in to_mentee.body
    connection.set_schema_to_public()


@pytest.mark.django_db
def test_proposals_and_declines_send_emails_without_calendar_files(
    pair, django_capture_on_commit_callbacks
):
    with tenant_context(pair.program):
        # given a proposal by the mentee
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            meeting = proposed(pair, slots=2)

        # then the mentor is asked, with the meeting page's link and no ICS
        (asked,) = mail.outbox
        assert asked.to == ["hugo.bernard@a.example"]
        with override("fr"):
            assert asked.subject == gettext("%(name)s proposes a meeting") % {"name": "Léa Martin"}
        assert f"/rendez-vous/{meeting.pk}/" in asked.body
        assert invitations(mail.outbox) == []

        # when the mentor declines
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            meeting_decline(meeting=meeting, by=pair.mentor, reason="Je suis en congés")

        # then the mentee is told, with the message, still without ICS
        (told,) = mail.outbox
        assert told.to == ["lea.martin@a.example"]
        assert "Je suis en congés" in told.body
        assert invitations(mail.outbox) == []
    connection.set_schema_to_public()


def test_the_ics_builder_refuses_an_unknown_method():
    from datetime import datetime

    from tenant_apps.meetings.ics import Invitation, invitation_ics

    now = datetime(2027, 3, 11, 13, 0, tzinfo=UTC)
    invitation = Invitation(
        uid="u@binome.test",
        sequence=0,
        method="PUBLISH",
        starts_at=now,
        ends_at=now + timedelta(hours=1),
        summary="s",
        description="d",
        page_url="https://p.binome.test/rendez-vous/1/",
        organizer_email="no-reply@binome.test",
        organizer_name="Binôme",
        attendees=(),
        stamp=now,
    )
    with pytest.raises(ValueError):
        invitation_ics(invitation)


@pytest.mark.django_db
def test_an_outbox_row_with_an_invitation_is_sent_once_with_its_attachment(pair):
    from tenant_apps.notifications.models import Email
    from tenant_apps.notifications.services import email_send

    with tenant_context(pair.program):
        # given a confirmed meeting's invitation in the outbox (not sent yet)
        meeting = proposed(pair)
        meeting_accept(meeting=meeting, by=pair.mentor, slot_id=meeting.slots.get().pk)
        row = Email.objects.filter(to="lea.martin@a.example").exclude(attachments=[]).get()
        mail.outbox.clear()

        # when the sending task runs twice
        email_send(email_id=row.pk)
        email_send(email_id=row.pk)

        # then one message went out, carrying the ICS file as stored
        assert len(mail.outbox) == 1
        ((to, content_type, calendar),) = invitations(mail.outbox)
        assert to == "lea.martin@a.example"
        assert content_type.startswith("text/calendar")
        assert calendar.to_ical().decode().replace("\r\n ", "") == (
            row.attachments[0]["content"].replace("\r\n ", "")
        )
        assert Email.objects.get(pk=row.pk).status == Email.Status.SENT
    connection.set_schema_to_public()
