"""After an erasure the participant row stays for the statistics, tied to an anonymous
placeholder account. It must never come back: shown as "Participant·e supprimé·e" (never the
placeholder's address), never reactivated, never matched nor counted as available; their future
meetings are cancelled with the usual email and calendar cancellation to the other person, which
does not name them; their pairs end with the reason "erasure"."""

from datetime import timedelta
from email import message_from_bytes

import pytest
from django.core import mail
from django_tenants.utils import tenant_context

from conftest import PASSWORD, logged_in
from saas.core.errors import Conflict
from saas.core.tenancy import connection
from shared_apps.accounts.models import ERASED_EMAIL_DOMAIN
from tenant_apps.matching.models import Match
from tenant_apps.matching.services import suggestions_for
from tenant_apps.meetings.models import Meeting
from tenant_apps.meetings.tests.factories import (
    confirmed,
    person,
    proposed,
)
from tenant_apps.participants.models import Participant
from tenant_apps.participants.services import participant_reactivate
from tenant_apps.privacy.services.erasure import participant_erase
from tenant_apps.programs.models import ProgramSettings

DELETED = "Participant·e supprimé·e"


@pytest.fixture
def manager(world):
    return logged_in(world.program_a, world.manager_a.email, second_factor=True)


def erase(program, participant) -> None:
    with tenant_context(program):
        participant_erase(participant=participant, by=None)
    connection.set_schema_to_public()


def message_texts(message) -> str:
    """A sent message as the recipient's mail client gets it: headers, bodies, attachments."""
    raw = message.message().as_bytes()
    texts = [raw.decode("utf-8", "replace")]
    for part in message_from_bytes(raw).walk():
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            texts.append(payload.decode(part.get_content_charset() or "utf-8", "replace"))
    return "\n".join(texts)


def calendar_of(message) -> str:
    for part in message_from_bytes(message.message().as_bytes()).walk():
        if part.get_content_type() == "text/calendar":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode()
    return ""


@pytest.mark.django_db
def test_erasure_cancels_future_meetings_with_the_usual_email_and_calendar_cancellation(
    pair, django_capture_on_commit_callbacks
):
    # given a confirmed meeting in two days and a proposal waiting for Hugo's answer
    with tenant_context(pair.program):
        meeting = confirmed(pair, starts_in=timedelta(days=2))
        waiting = proposed(pair, starts_in=timedelta(days=4))
    connection.set_schema_to_public()
    mail.outbox.clear()

    # when Léa erases herself from her space
    lea = logged_in(pair.program, "lea.martin@a.example")
    with django_capture_on_commit_callbacks(execute=True):
        response = lea.post(
            "/espace/mes-donnees/effacer/", {"password": PASSWORD, "confirm": "EFFACER"}
        )
    assert response.status_code == 302

    # then both meetings are cancelled through the cancellation service (SEQUENCE raised once)
    with tenant_context(pair.program):
        after = Meeting.objects.get(pk=meeting.pk)
        assert after.status == Meeting.Status.CANCELLED and after.sequence == meeting.sequence + 1
        assert Meeting.objects.get(pk=waiting.pk).status == Meeting.Status.CANCELLED
        # and the pair ended with the reason "erasure"
        match = Match.objects.get(pk=pair.match.pk)
        assert (match.status, match.end_reason) == (Match.Status.ENDED, "erasure")
    connection.set_schema_to_public()
    # Hugo got the usual cancellation emails, the confirmed one with the CANCEL invitation
    assert sorted(m.to[0] for m in mail.outbox) == ["hugo.bernard@a.example"] * 2
    with_calendar = [m for m in mail.outbox if calendar_of(m)]
    assert len(with_calendar) == 1
    ics = calendar_of(with_calendar[0]).replace("\r\n ", "")
    assert "METHOD:CANCEL" in ics and "STATUS:CANCELLED" in ics
    assert f"UID:{meeting.uid}@" in ics and f"SEQUENCE:{meeting.sequence + 1}" in ics
    # and none of what Hugo receives names Léa, nor shows the placeholder's address
    for message in mail.outbox:
        text = message_texts(message)
        assert DELETED in text
        for trace in ("Léa", "Martin", "lea.martin", "erased.invalid"):
            assert trace not in text, trace


@pytest.mark.django_db
def test_a_cancelled_future_meeting_is_not_listed_under_past(pair):
    # given a meeting in two days, cancelled by Léa's erasure
    with tenant_context(pair.program):
        meeting = confirmed(pair, starts_in=timedelta(days=2))
    connection.set_schema_to_public()
    erase(pair.program, pair.mentee)

    # when Hugo opens his meetings
    page = logged_in(pair.program, "hugo.bernard@a.example").get("/rendez-vous/").content
    upcoming, past = page.decode().split('id="past-title"')

    # then the cancelled meeting is shown as cancelled, not among the past ones
    assert f"/rendez-vous/{meeting.pk}/" not in past
    assert f"/rendez-vous/{meeting.pk}/" in upcoming and "Annulé" in upcoming


@pytest.mark.django_db
def test_erased_people_are_shown_as_deleted_participant_and_never_by_address(world, pair, manager):
    # given Léa had a meeting with Hugo, then was erased
    with tenant_context(pair.program):
        meeting = confirmed(pair, starts_in=timedelta(days=2))
    connection.set_schema_to_public()
    erase(pair.program, pair.mentee)
    hugo = logged_in(pair.program, "hugo.bernard@a.example")

    # when Hugo and the manager open every page that shows her
    pages = {
        "hugo: meetings": hugo.get("/rendez-vous/"),
        "hugo: meeting": hugo.get(f"/rendez-vous/{meeting.pk}/"),
        "manager: participants": manager.get("/gestion/participants/"),
        "manager: participant": manager.get(f"/gestion/participants/{pair.mentee.pk}/"),
        "manager: pairs": manager.get("/gestion/binomes/"),
        "manager: meetings": manager.get("/gestion/rendez-vous/"),
    }

    # then she is "Participant·e supprimé·e" there, and the placeholder's address nowhere
    for name, response in pages.items():
        assert response.status_code == 200, name
        page = response.content.decode()
        assert DELETED in page, name
        assert "erased.invalid" not in page, name
        assert "Léa" not in page and "lea.martin" not in page, name


@pytest.mark.django_db
def test_an_erased_participant_cannot_be_reactivated(world, pair, manager):
    # given Léa was erased
    erase(pair.program, pair.mentee)

    # when the manager looks at the participants, then no reactivation is offered for her
    page = manager.get("/gestion/participants/").content.decode()
    assert f"/gestion/participants/{pair.mentee.pk}/reactiver/" not in page
    # and asking anyway is refused with a message, and changes nothing
    response = manager.post(f"/gestion/participants/{pair.mentee.pk}/reactiver/", follow=True)
    assert "ne peut pas être réactivé" in response.content.decode()
    with tenant_context(pair.program):
        erased = Participant.objects.get(pk=pair.mentee.pk)
        assert erased.status == Participant.Status.ERASED
        with pytest.raises(Conflict):
            participant_reactivate(participant=erased)
        assert Participant.objects.get(pk=pair.mentee.pk).status == Participant.Status.ERASED
    connection.set_schema_to_public()


@pytest.mark.django_db
def test_an_erased_mentee_is_never_proposed_by_a_matching_run(world, pair, manager):
    # given Léa was erased, another mentor has room, and the manager tried to reactivate her
    with tenant_context(pair.program):
        other_mentor = person("zoe@a.example", Participant.Role.MENTOR, "Zoé", "Durand")
    connection.set_schema_to_public()
    erase(pair.program, pair.mentee)
    manager.post(f"/gestion/participants/{pair.mentee.pk}/reactiver/")

    # when the manager runs the matching
    assert manager.post("/gestion/binomes/lancer/").status_code == 302

    # then Léa is in no proposal, and not offered for a manual pair
    with tenant_context(pair.program):
        assert not Match.objects.filter(mentee=pair.mentee, status="proposed").exists()
        assert Match.objects.filter(mentor=other_mentor).count() <= 1
    connection.set_schema_to_public()
    # (searched by the placeholder's address, or kept as the chosen one from an older page)
    for params in ({"mentee_q": ERASED_EMAIL_DOMAIN}, {"mentee_q": "x", "mentee": pair.mentee.pk}):
        offered = manager.get(
            "/gestion/binomes/chercher/mentores/", params, headers={"HX-Request": "true"}
        ).content.decode()
        assert 'name="mentee"' not in offered and DELETED not in offered


@pytest.mark.django_db
def test_an_erased_mentor_is_never_suggested_nor_counted_as_available(world, pair, manager):
    # given a programme where mentees choose, Hugo (mentor) erased and a reactivation tried
    with tenant_context(pair.program):
        ProgramSettings.objects.filter(id=1).update(matching_mode="choice")
        newcomer = person("noe@a.example", Participant.Role.MENTEE, "Noé", "Petit")
    connection.set_schema_to_public()
    erase(pair.program, pair.mentor)
    manager.post(f"/gestion/participants/{pair.mentor.pk}/reactiver/")

    # then Hugo is not among the newcomer's suggestions, and asking him is refused
    with tenant_context(pair.program):
        assert pair.mentor.pk not in {m.pk for m, _s in suggestions_for(mentee=newcomer)}
        erased = Participant.objects.get(pk=pair.mentor.pk)
        assert erased.status == Participant.Status.ERASED and not erased.is_available
    connection.set_schema_to_public()
    noe = logged_in(pair.program, "noe@a.example")
    noe.post(f"/binome/demander/{pair.mentor.pk}/")
    with tenant_context(pair.program):
        assert not Match.objects.filter(mentor=pair.mentor).exclude(status="ended").exists()
        from tenant_apps.matching.models import MatchRequest

        assert not MatchRequest.objects.filter(mentor=pair.mentor).exists()
    connection.set_schema_to_public()
    # and the manager's pairing form does not count him among the mentors with room
    for params in ({"mentor_q": ERASED_EMAIL_DOMAIN}, {"mentor_q": "x", "mentor": pair.mentor.pk}):
        offered = manager.get(
            "/gestion/binomes/chercher/mentors/", params, headers={"HX-Request": "true"}
        ).content.decode()
        assert 'name="mentor"' not in offered and DELETED not in offered
