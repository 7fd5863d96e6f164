"""The surveys' part of the participant's home guide (tenant_apps.participants.home): a meeting's
feedback waiting for the person's answer is *the* next step (priority 80, before planning the
next meeting), the manager's latest announcement an information."""

from datetime import timedelta

import pytest
import time_machine
from django_tenants.utils import tenant_context

from tenant_apps.mentoring.tests.conftest import in_programme, logged_in
from tenant_apps.mentoring.tests.test_home import next_step
from tenant_apps.participants.models import Participant
from tenant_apps.surveys.models import SurveyInvitation
from tenant_apps.surveys.services import announcement_send
from tenant_apps.surveys.tests.test_feedback import held_meeting, run_job


@pytest.mark.django_db
def test_a_pending_meeting_feedback_is_the_guide_card(pair):
    # given a meeting Léa and Hugo held yesterday, and the feedback job has run
    with tenant_context(pair.program):
        meeting = held_meeting(pair)
    with time_machine.travel(meeting.ends_at + timedelta(hours=1)):
        run_job()
    invitation = in_programme(
        pair.program, lambda: SurveyInvitation.objects.get(participant=pair.mentee)
    )
    lea = logged_in(pair.program, "lea.martin@a.example")

    # when Léa opens her space
    page = lea.get("/espace/")

    # then the guide card asks for her feedback, with the answer page's link; planning the next
    # meeting (priority 50) is still listed, below
    assert page.status_code == 200
    step = next_step(page)
    assert "Votre rendez-vous vous a-t-il été utile ?" in step
    assert f'href="/retours/{invitation.pk}/"' in step
    assert "/rendez-vous/proposer/" not in step
    assert "/rendez-vous/proposer/" in page.content.decode()


@pytest.mark.django_db
def test_once_answered_the_feedback_leaves_the_guide(pair):
    # given Léa's pending feedback, which she answers on its page
    with tenant_context(pair.program):
        meeting = held_meeting(pair)
    with time_machine.travel(meeting.ends_at + timedelta(hours=1)):
        run_job()
    invitation = in_programme(
        pair.program, lambda: SurveyInvitation.objects.get(participant=pair.mentee)
    )
    lea = logged_in(pair.program, "lea.martin@a.example")
    answered = lea.post(f"/retours/{invitation.pk}/", {"q_retour-rdv-utile": "5"})
    assert answered.status_code in (200, 302)

    # when she opens her space, then the guide is back to the mentoring's next step
    step = next_step(lea.get("/espace/"))
    assert "Votre rendez-vous vous a-t-il été utile ?" not in step
    assert f"/retours/{invitation.pk}/" not in step


@pytest.mark.django_db
def test_the_latest_announcement_is_an_information_not_the_next_step(pair, world):
    # given the manager wrote to everyone
    def write():
        manager = Participant.objects.get(user=world.manager_a)
        return announcement_send(
            author=manager, title="Atelier <i>de mars</i>", body="Le 12 mars.", audience="both"
        )

    in_programme(pair.program, write)
    hugo = logged_in(pair.program, "hugo.bernard@a.example")

    # when Hugo opens his space
    page = hugo.get("/espace/")
    content = page.content.decode()

    # then the announcement is shown (escaped), outside the guide card
    assert "Atelier &lt;i&gt;de mars&lt;/i&gt;" in content
    assert "Atelier" not in next_step(page)
