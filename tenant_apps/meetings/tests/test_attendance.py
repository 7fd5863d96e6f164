"""What Whereby's webhooks tell the meetings: who joined and left the room; a meeting both
people joined counts as held. Events come signed to the public host, as from the fake."""

import json
import time
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from conftest import host_client
from tenant_apps.meetings.models import Meeting, MeetingAttendance
from tenant_apps.meetings.services.reminders import meetings_due_process
from tenant_apps.meetings.services.room import meeting_room_sync
from tenant_apps.meetings.tests.factories import confirmed
from tenant_apps.video.tests.fixtures import WEBHOOK_SECRET
from tests.fakes.whereby import webhook_signature


@pytest.fixture
def meeting(pair, whereby_fake):
    with tenant_context(pair.program):
        meeting = confirmed(pair, starts_in=timedelta(minutes=5))
        meeting_room_sync(meeting_id=meeting.pk)
        meeting = Meeting.objects.get(pk=meeting.pk)
    connection.set_schema_to_public()
    return meeting


def deliver(fake, meeting, event_type, *, meeting_id=None, **data):
    """Post the event the fake would send about the meeting's room, signed."""
    room = fake.meetings[meeting.video_meeting_id]
    envelope = {
        "id": str(uuid.uuid4()),
        "apiVersion": "1.0",
        "createdAt": "2027-03-11T14:00:05.000Z",
        "type": event_type,
        "data": {
            "meetingId": meeting_id or room.meeting_id,
            "roomName": room.room_name,
            "subdomain": "binome",
            **data,
        },
    }
    body = json.dumps(envelope, ensure_ascii=False).encode()
    signature = webhook_signature(secret=WEBHOOK_SECRET, body=body, timestamp=int(time.time()))
    response = host_client(None).post(
        "/webhooks/whereby",
        data=body,
        content_type="application/json",
        HTTP_WHEREBY_SIGNATURE=signature,
    )
    assert response.status_code == 200
    return response.json()


def state(pair, meeting):
    with tenant_context(pair.program):
        meeting = Meeting.objects.get(pk=meeting.pk)
        rows = list(
            MeetingAttendance.objects.filter(meeting=meeting).values_list("participant_id", "kind")
        )
    connection.set_schema_to_public()
    return meeting, rows


@pytest.mark.django_db
def test_both_people_joining_makes_the_meeting_held(pair, meeting, whereby_fake):
    # when Léa joins, leaves, and Hugo joins (as the host)
    deliver(
        whereby_fake,
        meeting,
        "room.client.joined",
        externalId=f"p{pair.mentee.pk}",
        roleName="visitor",
    )
    after_lea = state(pair, meeting)[0].status
    deliver(
        whereby_fake,
        meeting,
        "room.client.left",
        externalId=f"p{pair.mentee.pk}",
        roleName="visitor",
    )
    deliver(
        whereby_fake,
        meeting,
        "room.client.joined",
        externalId=f"p{pair.mentor.pk}",
        roleName="host",
    )

    # then each event is recorded for the right person, and the meeting counts as held
    meeting, rows = state(pair, meeting)
    assert after_lea == Meeting.Status.CONFIRMED
    assert rows == [
        (pair.mentee.pk, "joined"),
        (pair.mentee.pk, "left"),
        (pair.mentor.pk, "joined"),
    ]
    assert meeting.status == Meeting.Status.HELD
    assert meeting.outcome_source == Meeting.Outcome.VIDEO


@pytest.mark.django_db
def test_the_host_without_external_id_is_the_mentor_and_strangers_do_not_count(
    pair, meeting, whereby_fake
):
    # when the host joins without an externalId, and a visitor nobody knows
    deliver(whereby_fake, meeting, "room.client.joined", roleName="host")
    deliver(whereby_fake, meeting, "room.client.joined", externalId="p999999", roleName="visitor")

    # then the mentor joined; the stranger is recorded as nobody; not held
    meeting, rows = state(pair, meeting)
    assert rows == [(pair.mentor.pk, "joined"), (None, "joined")]
    assert meeting.status == Meeting.Status.CONFIRMED


@pytest.mark.django_db
def test_events_of_other_rooms_and_types_change_nothing(pair, meeting, whereby_fake):
    # given an event about a room that is no meeting's, and a type we do not follow
    # when they arrive
    deliver(
        whereby_fake,
        meeting,
        "room.client.joined",
        meeting_id="1",
        externalId=f"p{pair.mentee.pk}",
    )
    deliver(whereby_fake, meeting, "room.session.started", numClients=2)

    # then nothing is recorded
    assert state(pair, meeting)[1] == []


@pytest.mark.django_db
def test_a_knock_at_the_door_is_no_attendance(pair, meeting, whereby_fake):
    # when Whereby reports Léa knocking at the locked room, then giving up
    for event_type in ("room.client.knocked", "room.client.knockCancelled"):
        answer = deliver(
            whereby_fake,
            meeting,
            event_type,
            externalId=f"p{pair.mentee.pk}",
            roleName="visitor",
            displayName="Léa Martin",
        )
        assert answer == {"status": "ok"}

    # then nobody joined: the meeting is still only confirmed
    meeting, rows = state(pair, meeting)
    assert (meeting.status, rows) == ("confirmed", [])


@pytest.mark.django_db
def test_a_meeting_held_because_both_joined_keeps_its_room_while_they_are_in_it(
    pair, meeting, whereby_fake, django_capture_on_commit_callbacks
):
    # given both joined (Whereby reports it): the meeting counts as held
    for person, role in ((pair.mentee, "visitor"), (pair.mentor, "host")):
        deliver(
            whereby_fake, meeting, "room.client.joined", externalId=f"p{person.pk}", roleName=role
        )
    assert state(pair, meeting)[0].status == "held"

    # when the periodic job runs during the meeting
    with django_capture_on_commit_callbacks(execute=True), tenant_context(pair.program):
        meetings_due_process()
    connection.set_schema_to_public()

    # then the room they are in is still there
    assert [m.meeting_id for m in whereby_fake.live_meetings()] == [meeting.video_meeting_id]
