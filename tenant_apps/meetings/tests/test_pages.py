"""The meeting pages people use: proposing (times read in the chosen time zone, stored in UTC),
answering, cancelling, notes and next steps; "my meetings"; the managers' list, which shows
neither notes nor video."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext, override
from django_tenants.utils import tenant_context

from conftest import logged_in
from saas.core.tenancy import connection
from tenant_apps.meetings.models import Meeting, MeetingNote
from tenant_apps.meetings.services.room import meeting_room_sync
from tenant_apps.meetings.tests.factories import confirmed, person, proposed
from tenant_apps.participants.models import Participant


def fr(msgid: str) -> str:
    with override("fr"):
        return escape(gettext(msgid))


def next_january_15() -> date:
    return date(timezone.now().year + 1, 1, 15)


def last_sunday_of_march() -> date:
    day = date(timezone.now().year + 1, 3, 31)
    return day - timedelta(days=(day.weekday() + 1) % 7)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("zone", "utc_hour"),
    [("Europe/Paris", 13), ("Indian/Reunion", 10), ("UTC", 14)],
)
def test_proposed_times_are_read_in_the_chosen_time_zone_and_stored_in_utc(pair, zone, utc_hour):
    # given Léa on the proposal page
    client = logged_in(pair.program, "lea.martin@a.example")
    day = next_january_15()

    # when she proposes 14:00 on 15 January (winter) in a time zone, for 45 minutes
    response = client.post(
        "/rendez-vous/proposer/",
        {
            "match": pair.match.pk,
            "time_zone": zone,
            "duration": 45,
            "slot_1": f"{day.isoformat()}T14:00",
        },
    )

    # then the meeting page opens and the slot is stored in UTC
    with tenant_context(pair.program):
        meeting = Meeting.objects.get()
        (slot,) = meeting.slots.all()
    connection.set_schema_to_public()
    assert response.status_code == 302
    assert response["Location"] == f"/rendez-vous/{meeting.pk}/"
    assert meeting.time_zone == zone
    assert slot.starts_at == datetime(day.year, 1, 15, utc_hour, 0, tzinfo=UTC)
    assert slot.ends_at - slot.starts_at == timedelta(minutes=45)


@pytest.mark.django_db
def test_a_time_skipped_by_the_clock_change_is_refused_in_that_zone_only(pair):
    client = logged_in(pair.program, "lea.martin@a.example")
    day = last_sunday_of_march()  # 02:00 → 03:00 in Paris, nothing in UTC

    def propose(zone):
        return client.post(
            "/rendez-vous/proposer/",
            {
                "match": pair.match.pk,
                "time_zone": zone,
                "duration": 60,
                "slot_1": f"{day.isoformat()}T02:30",
            },
        )

    in_paris, in_utc = propose("Europe/Paris"), propose("UTC")

    assert in_paris.status_code == 200
    assert fr("This time does not exist in this time zone.") in in_paris.content.decode()
    assert in_utc.status_code == 302
    with tenant_context(pair.program):
        (slot,) = Meeting.objects.get().slots.all()
    connection.set_schema_to_public()
    assert slot.starts_at == datetime(day.year, 3, day.day, 2, 30, tzinfo=UTC)


@pytest.mark.django_db
def test_an_overlapping_proposal_shows_the_reason_on_the_form(pair):
    with tenant_context(pair.program):
        taken = confirmed(pair)
        local = timezone.localtime(taken.starts_at).strftime("%Y-%m-%dT%H:%M")
    connection.set_schema_to_public()
    client = logged_in(pair.program, "lea.martin@a.example")

    response = client.post(
        "/rendez-vous/proposer/",
        {"match": pair.match.pk, "time_zone": "Europe/Paris", "duration": 60, "slot_1": local},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert 'role="alert"' in page
    with override("fr"):
        start = gettext("You already have another meeting at %(when)s.").split("%(when)s")[0]
    assert escape(start) in page
    assert page.count(escape(start)) == 1  # shown once, not twice
    with tenant_context(pair.program):
        assert Meeting.objects.count() == 1
    connection.set_schema_to_public()


@pytest.mark.django_db
def test_the_other_person_accepts_from_the_meeting_page(pair, whereby_fake):
    with tenant_context(pair.program):
        meeting = proposed(pair, slots=3)
        chosen = list(meeting.slots.all())[1]
    connection.set_schema_to_public()
    lea = logged_in(pair.program, "lea.martin@a.example")
    hugo = logged_in(pair.program, "hugo.bernard@a.example")

    # the proposer waits; the other sees one button per time
    assert (
        f'action="/rendez-vous/{meeting.pk}/accepter/"'
        not in lea.get(f"/rendez-vous/{meeting.pk}/").content.decode()
    )
    page = hugo.get(f"/rendez-vous/{meeting.pk}/").content.decode()
    assert page.count('name="slot"') == 3

    # an unknown slot is refused with a message, then a real one is accepted
    refused = hugo.post(f"/rendez-vous/{meeting.pk}/accepter/", {"slot": "999999"}, follow=True)
    assert fr("Choose one of the proposed times.") in refused.content.decode()
    hugo.post(f"/rendez-vous/{meeting.pk}/accepter/", {"slot": chosen.pk})
    with tenant_context(pair.program):
        meeting = Meeting.objects.get(pk=meeting.pk)
    connection.set_schema_to_public()
    assert meeting.status == Meeting.Status.CONFIRMED
    assert meeting.starts_at == chosen.starts_at


@pytest.mark.django_db
def test_cancelling_needs_a_reason(pair):
    with tenant_context(pair.program):
        meeting = confirmed(pair)
    connection.set_schema_to_public()
    lea = logged_in(pair.program, "lea.martin@a.example")

    empty = lea.post(f"/rendez-vous/{meeting.pk}/annuler/", {"reason": ""})
    done = lea.post(f"/rendez-vous/{meeting.pk}/annuler/", {"reason": "Formation ce jour-là"})

    assert empty.status_code == 200
    assert done.status_code == 302
    with tenant_context(pair.program):
        meeting = Meeting.objects.get(pk=meeting.pk)
    connection.set_schema_to_public()
    assert (meeting.status, meeting.cancel_reason) == ("cancelled", "Formation ce jour-là")


@pytest.mark.django_db
def test_saying_whether_it_took_place_before_the_start_is_refused(pair):
    with tenant_context(pair.program):
        meeting = confirmed(pair)
    connection.set_schema_to_public()
    lea = logged_in(pair.program, "lea.martin@a.example")

    response = lea.post(f"/rendez-vous/{meeting.pk}/bilan/", {"outcome": "held"}, follow=True)

    assert fr("You can say whether the meeting took place once it has started.") in (
        response.content.decode()
    )
    with tenant_context(pair.program):
        assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.CONFIRMED
    connection.set_schema_to_public()


@pytest.mark.django_db
def test_private_notes_stay_private_and_next_steps_are_shared(pair):
    with tenant_context(pair.program):
        meeting = confirmed(pair)
    connection.set_schema_to_public()
    lea = logged_in(pair.program, "lea.martin@a.example")
    hugo = logged_in(pair.program, "hugo.bernard@a.example")

    # when Léa writes a private note and Hugo the next steps
    lea.post(f"/rendez-vous/{meeting.pk}/notes/", {"note-text": "Mon idée secrète"})
    hugo.post(f"/rendez-vous/{meeting.pk}/suites/", {"steps-text": "Relire le CV"})

    # then Léa sees both, Hugo only the next steps
    lea_page = lea.get(f"/rendez-vous/{meeting.pk}/").content.decode()
    hugo_page = hugo.get(f"/rendez-vous/{meeting.pk}/").content.decode()
    assert "Mon idée secrète" in lea_page and "Relire le CV" in lea_page
    assert "Mon idée secrète" not in hugo_page and "Relire le CV" in hugo_page
    with tenant_context(pair.program):
        assert MeetingNote.objects.get().author_id == pair.mentee.pk
    connection.set_schema_to_public()


@pytest.mark.django_db
def test_my_meetings_lists_upcoming_and_past(pair):
    import time_machine

    with tenant_context(pair.program):
        soon = confirmed(pair, starts_in=timedelta(days=1))
        old = confirmed(pair, starts_in=timedelta(hours=3))
        waiting = proposed(pair, starts_in=timedelta(days=3))
        from tenant_apps.meetings.services.cancelling import meeting_cancel

        called_off = meeting_cancel(
            meeting=confirmed(pair, starts_in=timedelta(days=6)), by=pair.mentor, reason="Congés"
        )
    connection.set_schema_to_public()

    with time_machine.travel(old.ends_at + timedelta(hours=1)):
        lea = logged_in(pair.program, "lea.martin@a.example")
        page = lea.get("/rendez-vous/").content.decode()

    upcoming, past = page.split('id="past-title"')
    upcoming, cancelled = upcoming.split('id="called-off-title"')
    assert f"/rendez-vous/{soon.pk}/" in upcoming and f"/rendez-vous/{waiting.pk}/" in upcoming
    assert f"/rendez-vous/{old.pk}/" in past
    # a cancelled meeting whose time is still to come is neither upcoming nor past
    assert f"/rendez-vous/{called_off.pk}/" in cancelled
    assert f"/rendez-vous/{called_off.pk}/" not in upcoming + past
    assert "Hugo Bernard" in upcoming
    assert 'href="/rendez-vous/proposer/"' in page


@pytest.mark.django_db
def test_a_participant_without_pair_cannot_propose(world, password):
    client = logged_in(world.program_a, world.mentee_a.email)

    page = client.get("/rendez-vous/proposer/")

    assert page.status_code == 200
    assert 'name="slot_1"' not in page.content.decode()


@pytest.mark.django_db
def test_the_manager_sees_who_meets_when_but_neither_notes_nor_video(
    pair, world, whereby_fake, django_assert_max_num_queries
):
    from tenant_apps.meetings.services.notes import meeting_next_steps_save, meeting_note_save

    # given meetings of two pairs, one with a room, notes and next steps
    with tenant_context(pair.program):
        meeting = confirmed(pair, starts_in=timedelta(minutes=10))
        meeting_room_sync(meeting_id=meeting.pk)
        meeting_note_save(meeting=meeting, by=pair.mentee, text="Note très privée")
        meeting_next_steps_save(meeting=meeting, by=pair.mentor, text="Étapes convenues")
        from tenant_apps.matching.services import match_create_manual

        zoe = person("zoe.petit@a.example", Participant.Role.MENTEE, "Zoé", "Petit")
        other = match_create_manual(mentee=zoe, mentor=pair.mentor)
        for days in (2, 3, 4):
            from tenant_apps.meetings.services.proposing import meeting_propose
            from tenant_apps.meetings.tests.factories import slot

            meeting_propose(match=other, by=zoe, slots=[slot(timedelta(days=days))])
    connection.set_schema_to_public()
    manager = logged_in(world.program_a, world.manager_a.email, second_factor=True)

    # when the manager opens the programme's meetings
    manager.get("/gestion/rendez-vous/")  # warm the per-host caches
    with django_assert_max_num_queries(6):
        response = manager.get("/gestion/rendez-vous/")

    # then every meeting is listed with the two people, nothing private
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("<tr>") == 1 + 4
    assert "Léa Martin" in page and "Zoé Petit" in page and "Hugo Bernard" in page
    assert "Note très privée" not in page and "Étapes convenues" not in page
    assert "whereby" not in page and f"/rendez-vous/{meeting.pk}/visio" not in page
    # and the meeting page itself is not theirs to open; nor the list to a participant
    assert manager.get(f"/rendez-vous/{meeting.pk}/").status_code == 404
    # and their reading of it is in the audit log
    from audit.models import AuditEvent

    with tenant_context(pair.program):
        viewed = AuditEvent.objects.filter(action="meetings.list_viewed").latest("pk")
    connection.set_schema_to_public()
    assert viewed.actor_user_id == world.manager_a.pk
    assert viewed.details == {"status": "", "rows": 4}
    lea = logged_in(pair.program, "lea.martin@a.example")
    assert lea.get("/gestion/rendez-vous/").status_code == 403


@pytest.mark.django_db
def test_my_meetings_costs_the_same_queries_with_one_meeting_or_many(pair):
    from django.db import connection as db_connection
    from django.test.utils import CaptureQueriesContext

    from saas.core.tenancy import connection

    lea = logged_in(pair.program, "lea.martin@a.example")

    def queries() -> int:
        lea.get("/rendez-vous/")  # warm the per-host caches
        with CaptureQueriesContext(db_connection) as captured:
            assert lea.get("/rendez-vous/").status_code == 200
        return len(captured)

    with tenant_context(pair.program):
        confirmed(pair, starts_in=timedelta(days=1))
    connection.set_schema_to_public()
    with_one = queries()
    with tenant_context(pair.program):
        for days in (2, 3, 4):
            proposed(pair, starts_in=timedelta(days=days), slots=2)
        confirmed(pair, starts_in=timedelta(days=5))
    connection.set_schema_to_public()

    assert queries() == with_one <= 7
