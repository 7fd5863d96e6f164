"""/rendez-vous/<id>/visio: the room, embedded, for the two people of the meeting only, logged in
to this programme, from 15 minutes before the start to 30 minutes after the end. Everyone else
gets a refusal page — and no response ever carries the room's URL but that page's iframe."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.utils.html import escape
from django.utils.translation import gettext, override
from django_tenants.utils import tenant_context

from conftest import host_client, logged_in
from saas.core.tenancy import connection
from tenant_apps.meetings.models import Meeting
from tenant_apps.meetings.services.cancelling import meeting_cancel
from tenant_apps.meetings.services.outcome import meeting_outcome_set
from tenant_apps.meetings.services.room import meeting_room_sync
from tenant_apps.meetings.tests.factories import confirmed, person, proposed
from tenant_apps.participants.models import Participant


@pytest.fixture
def meeting(pair, whereby_fake):
    """Léa and Hugo meet in 10 minutes: the join window is open; the room exists."""
    with tenant_context(pair.program):
        meeting = confirmed(pair, starts_in=timedelta(minutes=10))
        meeting_room_sync(meeting_id=meeting.pk)
        meeting = Meeting.objects.get(pk=meeting.pk)
    connection.set_schema_to_public()
    assert meeting.video_room_url
    return meeting


def assert_no_room(response, fake) -> None:
    """Nothing in the response (body, headers) reveals a room: URL, host URL, name or key."""
    text = response.content.decode() + " ".join(f"{k}: {v}" for k, v in response.items())
    found = [secret for secret in fake.issued_urls() if secret in text or escape(secret) in text]
    assert found == []


def join_url(meeting) -> str:
    return f"/rendez-vous/{meeting.pk}/visio"


def expected_text(msgid: str) -> str:
    with override("fr"):
        return escape(gettext(msgid))


@pytest.mark.django_db
def test_the_mentee_gets_the_room_embedded_with_only_whereby_allowed_to_be_framed(
    pair, meeting, whereby_fake
):
    # given Léa, logged in to programme A
    client = logged_in(pair.program, "lea.martin@a.example")

    # when she opens the join page during the window
    response = client.get(join_url(meeting))

    # then the room (not the host URL) is in an iframe, with her name and French
    assert response.status_code == 200
    page = response.content.decode()
    src = page.split('class="video-room" src="')[1].split('"')[0].replace("&amp;", "&")
    parts = urlsplit(src)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == meeting.video_room_url
    query = parse_qs(parts.query)
    assert query == {
        "displayName": ["Léa Martin"],
        "externalId": [f"p{pair.mentee.pk}"],
        "lang": ["fr"],
    }
    assert 'allow="camera; microphone; fullscreen; display-capture; autoplay"' in page
    # and this page, only this one, may frame the fake's origin and use camera and microphone
    policy = response["Content-Security-Policy"]
    assert f"frame-src {whereby_fake.room_origin}" in policy
    assert "frame-src 'none'" not in policy
    assert f'camera=(self "{whereby_fake.room_origin}")' in response["Permissions-Policy"]
    assert f'microphone=(self "{whereby_fake.room_origin}")' in response["Permissions-Policy"]
    # every other browser feature stays off (saas.core.middleware.PermissionsPolicyMiddleware)
    assert "geolocation=()" in response["Permissions-Policy"]
    assert "payment=()" in response["Permissions-Policy"]
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"


@pytest.mark.django_db
def test_the_mentor_gets_the_host_url(pair, meeting):
    client = logged_in(pair.program, "hugo.bernard@a.example")

    response = client.get(join_url(meeting))

    assert response.status_code == 200
    page = response.content.decode().replace("&amp;", "&")
    src = page.split('class="video-room" src="')[1].split('"')[0]
    assert src.startswith(meeting.video_host_room_url + "&displayName=Hugo+Bernard")
    assert "roomKey=" in src


@pytest.mark.django_db
def test_other_pages_frame_nothing_and_do_not_open_the_camera(pair, meeting):
    client = logged_in(pair.program, "lea.martin@a.example")

    for path in (f"/rendez-vous/{meeting.pk}/", "/rendez-vous/"):
        response = client.get(path)
        assert response.status_code == 200
        assert "frame-src 'none'" in response["Content-Security-Policy"]
        assert "camera=()" in response["Permissions-Policy"]
        assert "microphone=()" in response["Permissions-Policy"]


def _visitor(kind, world):
    if kind == "another participant":
        with tenant_context(world.program_a):
            person("noe.autre@a.example", Participant.Role.MENTEE, "Noé", "Autre")
        connection.set_schema_to_public()
        return logged_in(world.program_a, "noe.autre@a.example"), 403
    if kind == "the manager":
        return logged_in(world.program_a, world.manager_a.email, second_factor=True), 403
    if kind == "anonymous":
        return host_client(world.program_a), 302
    if kind == "participant of B, session replayed":
        client = logged_in(world.program_b, world.mentee_b.email)
        client.defaults["HTTP_HOST"] = world.program_a.host
        return client, 302
    if kind == "participant of B, session forged in A":
        client = host_client(world.program_a)
        with tenant_context(world.program_a):
            client.force_login(
                world.mentee_b, backend="tenant_apps.participants.backends.ParticipantBackend"
            )
        connection.set_schema_to_public()
        return client, 302
    raise AssertionError(kind)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "kind",
    [
        "another participant",
        "the manager",
        "anonymous",
        "participant of B, session replayed",
        "participant of B, session forged in A",
    ],
)
def test_anyone_but_the_two_people_is_refused_without_the_room(world, meeting, whereby_fake, kind):
    # given someone who is not Léa or Hugo
    client, status = _visitor(kind, world)

    # when they open the join page (and the meeting page, and its join area)
    responses = [
        client.get(join_url(meeting)),
        client.get(f"/rendez-vous/{meeting.pk}/"),
        client.get(f"/rendez-vous/{meeting.pk}/acces-visio/"),
    ]

    # then they are refused (to log in, for outsiders) and see no room
    assert responses[0].status_code == status
    if status == 302:
        assert "/connexion/" in responses[0]["Location"]
    else:
        assert (
            expected_text("Only the two people of this meeting can join its video room.")
            in responses[0].content.decode()
        )
        assert [r.status_code for r in responses[1:]] == [404, 404]
    for response in responses:
        assert_no_room(response, whereby_fake)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("moment", "status", "msgid"),
    [
        (
            lambda m: m.starts_at - timedelta(minutes=16),
            403,
            "The video room opens 15 minutes before the start of the meeting.",
        ),
        (lambda m: m.starts_at - timedelta(minutes=15), 200, None),
        (lambda m: m.ends_at + timedelta(minutes=29), 200, None),
        (
            lambda m: m.ends_at + timedelta(minutes=30),
            403,
            "This meeting is over: its video room is closed.",
        ),
        (
            lambda m: m.ends_at + timedelta(days=1),
            403,
            "This meeting is over: its video room is closed.",
        ),
    ],
    ids=[
        "16 min before",
        "15 min before",
        "29 min after the end",
        "30 min after the end",
        "next day",
    ],
)
def test_the_room_opens_only_during_the_window(pair, meeting, whereby_fake, moment, status, msgid):
    # given Léa, at a moment around the meeting
    with time_machine.travel(moment(meeting)):
        client = logged_in(pair.program, "lea.martin@a.example")

        # when she opens the join page
        response = client.get(join_url(meeting))

    # then the room is there only inside the window
    assert response.status_code == status
    if msgid:
        assert expected_text(msgid) in response.content.decode()
        assert_no_room(response, whereby_fake)
    else:
        assert "video-room" in response.content.decode()


@pytest.mark.django_db
def test_a_cancelled_meeting_has_no_room(pair, meeting, whereby_fake):
    with tenant_context(pair.program):
        meeting_cancel(meeting=meeting, by=pair.mentor, reason="Imprévu")
    connection.set_schema_to_public()
    client = logged_in(pair.program, "lea.martin@a.example")

    response = client.get(join_url(meeting))

    assert response.status_code == 403
    assert expected_text("This meeting was cancelled: its video room is closed.") in (
        response.content.decode()
    )
    assert_no_room(response, whereby_fake)


@pytest.mark.django_db
def test_a_meeting_not_confirmed_yet_has_no_room(pair, whereby_fake):
    with tenant_context(pair.program):
        meeting = proposed(pair, starts_in=timedelta(minutes=5))
    connection.set_schema_to_public()
    client = logged_in(pair.program, "hugo.bernard@a.example")

    response = client.get(join_url(meeting))

    assert response.status_code == 403
    assert (
        expected_text("This meeting is not confirmed yet: its video room opens once it is.")
        in response.content.decode()
    )


@pytest.mark.django_db
def test_a_room_not_ready_yet_asks_to_come_back(
    pair, whereby_fake, django_capture_on_commit_callbacks
):
    with tenant_context(pair.program):
        meeting = confirmed(pair, starts_in=timedelta(minutes=5))  # no task has run
    connection.set_schema_to_public()
    client = logged_in(pair.program, "lea.martin@a.example")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(join_url(meeting))

    assert response.status_code == 409
    assert expected_text("The video room is being prepared. Try again in a minute.") in (
        response.content.decode()
    )
    assert_no_room(response, whereby_fake)
    # and the page asked for the room (the periodic job would make it too): it is there now
    assert len(whereby_fake.live_meetings()) == 1
    assert client.get(join_url(meeting)).status_code == 200


@pytest.mark.django_db
def test_the_join_button_appears_at_the_right_time_and_links_to_the_join_page(
    pair, meeting, whereby_fake
):
    # given Léa on the meeting page, an hour before, then during the window
    with time_machine.travel(meeting.starts_at - timedelta(hours=1)):
        client = logged_in(pair.program, "lea.martin@a.example")
        early = client.get(f"/rendez-vous/{meeting.pk}/acces-visio/")
    client = logged_in(pair.program, "lea.martin@a.example")
    page = client.get(f"/rendez-vous/{meeting.pk}/")
    now = client.get(f"/rendez-vous/{meeting.pk}/acces-visio/")

    # then the area polls and waits, then offers the button, which leads to the join page
    assert 'hx-trigger="every 20s"' in early.content.decode()
    assert join_url(meeting) not in early.content.decode()
    assert f'href="{join_url(meeting)}"' in page.content.decode()
    assert f'href="{join_url(meeting)}"' in now.content.decode()
    for response in (early, page, now):
        assert response.status_code == 200
        assert_no_room(response, whereby_fake)


@pytest.mark.django_db
def test_a_meeting_marked_held_has_no_room_any_more(pair, meeting, whereby_fake):
    # given Hugo said, after the start, that the meeting took place
    with (
        tenant_context(pair.program),
        time_machine.travel(meeting.starts_at + timedelta(minutes=1)),
    ):
        meeting_outcome_set(meeting=meeting, by=pair.mentor, is_held=True)
    connection.set_schema_to_public()
    client = logged_in(pair.program, "lea.martin@a.example")

    # when Léa opens the join page during the window
    with time_machine.travel(meeting.starts_at + timedelta(minutes=2)):
        response = client.get(join_url(meeting))

    # then the room is closed, and the page carries none of it
    assert response.status_code == 403
    assert expected_text("This meeting is over: its video room is closed.") in (
        response.content.decode()
    )
    assert_no_room(response, whereby_fake)
