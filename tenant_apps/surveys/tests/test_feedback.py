"""Feedback that measures the programme: one question after each held meeting, answerable from
the email (GET shows, only POST stores), check-ins at day 30 then every 60 days, the survey at
the end of a pair (matching's signal) and of the programme, at most two reminders."""

import re
from datetime import time, timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from audit.models import AuditEvent
from conftest import PASSWORD, host_client, http_login
from tenant_apps.matching.models import Match
from tenant_apps.meetings.services import meeting_outcome_set
from tenant_apps.meetings.tests.factories import confirmed, person
from tenant_apps.notifications.models import Email
from tenant_apps.participants.models import Participant
from tenant_apps.surveys.models import Survey, SurveyInvitation, SurveyResponse
from tenant_apps.surveys.services import checkin_round
from tenant_apps.surveys.tasks import process_surveys_task
from tenants.tasks import process_surveys_everywhere_task

LINK = re.compile(r"https?://[^/\s]+(/retours/lien/[^/\s]+/)\?note=(\d)")


def logged_in(program, email, **options):
    client = host_client(program)
    http_login(client, email, PASSWORD, **options)
    return client


def held_meeting(pair):
    """A meeting held yesterday (inside tenant_context)."""
    meeting = confirmed(pair, starts_in=timedelta(days=1))
    with time_machine.travel(meeting.ends_at + timedelta(minutes=5)):
        meeting_outcome_set(meeting=meeting, by=pair.mentee, is_held=True)
    return meeting


def run_job():
    """The beat task, from the public schema: one task per open programme with something due
    (eager here). Returns how many were sent."""
    connection.set_schema_to_public()
    return process_surveys_everywhere_task.apply().get()


@pytest.mark.django_db
def test_a_held_meeting_asks_each_person_once_with_one_link_per_score(pair):
    with tenant_context(pair.program):
        meeting = held_meeting(pair)

    # when the job runs twice after the meeting
    with time_machine.travel(meeting.ends_at + timedelta(hours=1)):
        assert run_job() == 1  # A only: B has nothing due
        assert run_job() == 0  # both were asked: nothing due any more

    # then each person got one feedback email with the question and five links, nothing else
    with tenant_context(pair.program):
        emails = list(Email.objects.filter(template="meeting_feedback").order_by("to"))
        invitations = SurveyInvitation.objects.filter(occasion=f"meeting:{meeting.pk}")
        assert invitations.count() == 2
    connection.set_schema_to_public()
    assert [e.to for e in emails] == ["hugo.bernard@a.example", "lea.martin@a.example"]
    for email in emails:
        assert "Ce rendez-vous vous a-t-il été utile ?" in email.body_text
        assert [score for _path, score in LINK.findall(email.body_text)] == list("12345")
        assert email.has_secret  # the link answers without logging in: emptied once sent
        assert "whereby" not in email.body_text.lower() and "visio" not in email.body_text
        assert "Hugo" not in email.body_text.replace("Bonjour Hugo", "")  # no other name


@pytest.mark.django_db
def test_the_link_shows_the_score_and_only_the_post_stores_it(pair):
    with tenant_context(pair.program):
        meeting = held_meeting(pair)
    with time_machine.travel(meeting.ends_at + timedelta(hours=1)):
        run_job()
    with tenant_context(pair.program):
        body = Email.objects.get(template="meeting_feedback", to="lea.martin@a.example").body_text
    connection.set_schema_to_public()
    path = dict((score, p) for p, score in LINK.findall(body))["4"]
    client = host_client(pair.program)  # not logged in: the email's link is enough

    # when Léa clicks "4" (a mail scanner may do the same): a page, nothing stored
    page = client.get(f"{path}?note=4")
    client.get(f"{path}?note=4")
    assert page.status_code == 200
    html = page.content.decode()
    assert re.search(r'value="4"[^>]*checked', html), html
    with tenant_context(pair.program):
        assert SurveyResponse.objects.count() == 0
        assert SurveyInvitation.objects.get(participant=pair.mentee).answered_at is None
    connection.set_schema_to_public()

    # when she confirms with a comment
    response = client.post(
        f"{path}?note=4",
        {"q_retour-rdv-utile": "4", "q_retour-rdv-commentaire": "Très concret"},
    )

    # then the answer is stored without any link to her (the survey is aggregated-only)
    assert response.status_code == 200
    with tenant_context(pair.program):
        stored = SurveyResponse.objects.get()
        invitation = SurveyInvitation.objects.get(participant=pair.mentee)
        assert stored.answers == {"retour-rdv-utile": 4, "retour-rdv-commentaire": "Très concret"}
        assert (stored.participant, stored.match, stored.meeting) == (None, None, None)
        assert stored.submitted_at is None and stored.submitted_on.day == 1
        assert stored.role == "mentee"
        assert invitation.answered_at is not None
        assert timezone.localtime(invitation.answered_at).time() == time(0)  # the day only
    connection.set_schema_to_public()
    # and answering twice stores nothing more
    client.post(path, {"q_retour-rdv-utile": "1"})
    with tenant_context(pair.program):
        assert SurveyResponse.objects.count() == 1
    connection.set_schema_to_public()


@pytest.mark.django_db
def test_a_forged_or_foreign_link_opens_nothing(pair, world):
    with tenant_context(pair.program):
        meeting = held_meeting(pair)
    with time_machine.travel(meeting.ends_at + timedelta(hours=1)):
        run_job()
    with tenant_context(pair.program):
        body = Email.objects.get(template="meeting_feedback", to="lea.martin@a.example").body_text
    connection.set_schema_to_public()
    path, _score = LINK.findall(body)[0]

    forged = host_client(pair.program).get(path.replace("/lien/", "/lien/x"))
    foreign = host_client(world.program_b).get(path)  # the same token on programme B

    assert forged.status_code == 410 and foreign.status_code == 410


@pytest.mark.django_db
def test_a_participant_answers_only_their_own_survey_from_the_feedback_page(pair):
    with tenant_context(pair.program):
        meeting = held_meeting(pair)
    with time_machine.travel(meeting.ends_at + timedelta(hours=1)):
        run_job()
    with tenant_context(pair.program):
        mine = SurveyInvitation.objects.get(participant=pair.mentee)
        theirs = SurveyInvitation.objects.get(participant=pair.mentor)
    connection.set_schema_to_public()
    lea = logged_in(pair.program, "lea.martin@a.example")

    page = lea.get("/retours/").content.decode()
    assert f"/retours/{mine.pk}/" in page and f"/retours/{theirs.pk}/" not in page
    assert lea.get(f"/retours/{theirs.pk}/").status_code == 404
    assert lea.post(f"/retours/{theirs.pk}/", {"q_retour-rdv-utile": "1"}).status_code == 404
    # a missing answer is refused with the form, nothing stored
    refused = lea.post(f"/retours/{mine.pk}/", {"q_retour-rdv-commentaire": "?"})
    assert refused.status_code == 200 and "form-errors" in refused.content.decode()
    assert lea.post(f"/retours/{mine.pk}/", {"q_retour-rdv-utile": "5"}).status_code == 200
    with tenant_context(pair.program):
        assert list(SurveyResponse.objects.values_list("answers", flat=True)) == [
            {"retour-rdv-utile": 5}
        ]
    connection.set_schema_to_public()
    assert f"/retours/{mine.pk}/" not in lea.get("/retours/").content.decode()


def test_check_in_rounds_start_at_day_30_then_every_60_days():
    start = timezone.now()
    rounds = [
        checkin_round(activated_at=start, now=start + timedelta(days=d), first=30, every=60)
        for d in (0, 29, 30, 89, 90, 149, 150)
    ]
    assert rounds == [0, 0, 1, 1, 2, 2, 3]


@pytest.mark.django_db
def test_check_ins_follow_the_programmes_rhythm_and_are_asked_once(pair, world):
    # given the manager sets the first check-in at day 10, then every 20 days
    manager = logged_in(world.program_a, world.manager_a.email, second_factor=True)
    saved = manager.post(
        "/gestion/retours/reglages/",
        {
            "checkin_first_days": 10,
            "checkin_every_days": 20,
            "reminder_after_days": 4,
            "retention_months": 24,
        },
    )
    assert saved.status_code == 302
    start = pair.match.activated_at

    def asked() -> list[str]:
        with tenant_context(pair.program):
            rows = SurveyInvitation.objects.filter(survey__kind="checkin").values_list(
                "occasion", flat=True
            )
            return sorted(rows)

    # when the job runs on day 9, day 10 (twice), day 29 and day 30
    for day in (9, 10, 10, 29, 30):
        with time_machine.travel(start + timedelta(days=day, hours=1)):
            run_job()

    # then each person was asked at day 10 and day 30, once each
    m = pair.match.pk
    assert asked() == [f"checkin:{m}:1", f"checkin:{m}:1", f"checkin:{m}:2", f"checkin:{m}:2"]
    with tenant_context(pair.program):
        assert AuditEvent.objects.filter(action="surveys.settings_changed").count() == 1
    connection.set_schema_to_public()


@pytest.mark.django_db
def test_ending_a_pair_asks_both_people_for_the_end_of_relationship_survey(pair, world):
    manager = logged_in(world.program_a, world.manager_a.email, second_factor=True)

    # when the manager ends the pair
    manager.post(f"/gestion/binomes/{pair.match.pk}/terminer/", {"reason": "Objectifs atteints"})

    # then both people are asked, with the NPS question in the email's survey
    with tenant_context(pair.program):
        assert Match.objects.get(pk=pair.match.pk).status == Match.Status.ENDED
        invitations = SurveyInvitation.objects.filter(survey__kind="pair_end")
        assert sorted(invitations.values_list("participant_id", flat=True)) == sorted(
            [pair.mentee.pk, pair.mentor.pk]
        )
        assert Email.objects.filter(template="survey_invitation").count() == 2
        mine = invitations.get(participant=pair.mentee)
    connection.set_schema_to_public()
    lea = logged_in(pair.program, "lea.martin@a.example")
    page = lea.get(f"/retours/{mine.pk}/").content.decode()
    assert 'name="q_retour-fin-recommandation" value="10"' in page
    assert "q_retour-fin-objectifs" in page and "q_retour-fin-raison" in page
    answered = lea.post(
        f"/retours/{mine.pk}/",
        {
            "q_retour-fin-recommandation": "10",
            "q_retour-fin-objectifs": "oui",
            "q_retour-fin-raison": "les-objectifs-sont-atteints",
        },
    )
    assert answered.status_code == 200
    with tenant_context(pair.program):
        assert SurveyResponse.objects.get().answers["retour-fin-recommandation"] == 10
    connection.set_schema_to_public()


@pytest.mark.django_db
def test_the_manager_sends_the_end_of_programme_survey_once(pair, world):
    with tenant_context(world.program_a):
        survey = Survey.objects.get(kind="programme_end")
        active = Participant.objects.filter(status="active", role__in=["mentee", "mentor"]).count()
    connection.set_schema_to_public()
    manager = logged_in(world.program_a, world.manager_a.email, second_factor=True)

    manager.post(f"/gestion/retours/{survey.pk}/envoyer/", {"send_on": ""})
    manager.post(f"/gestion/retours/{survey.pk}/envoyer/", {"send_on": ""})

    with tenant_context(world.program_a):
        assert SurveyInvitation.objects.filter(survey=survey).count() == active >= 2
        events = AuditEvent.objects.filter(action="surveys.programme_end_sent")
        assert [e.details for e in events] == [{"people": active}]
        assert Survey.objects.get(pk=survey.pk).sent_at is not None
    connection.set_schema_to_public()


@pytest.mark.django_db
def test_a_scheduled_end_of_programme_survey_goes_out_on_its_day(pair, world):
    with tenant_context(world.program_a):
        survey = Survey.objects.get(kind="programme_end")
    connection.set_schema_to_public()
    manager = logged_in(world.program_a, world.manager_a.email, second_factor=True)
    day = (timezone.now() + timedelta(days=10)).date()

    manager.post(f"/gestion/retours/{survey.pk}/envoyer/", {"send_on": day.isoformat()})
    run_job()
    with tenant_context(world.program_a):
        assert SurveyInvitation.objects.filter(survey=survey).count() == 0
    connection.set_schema_to_public()
    with time_machine.travel(timezone.now() + timedelta(days=11)):
        run_job()
        run_job()
    with tenant_context(world.program_a):
        assert SurveyInvitation.objects.filter(survey=survey).count() >= 2
        assert AuditEvent.objects.filter(action="surveys.programme_end_scheduled").exists()
    connection.set_schema_to_public()


@pytest.mark.django_db
def test_unanswered_surveys_get_two_reminders_then_none(pair):
    with tenant_context(pair.program):
        meeting = held_meeting(pair)
        start = meeting.ends_at + timedelta(hours=1)
    with time_machine.travel(start):
        run_job()
    with tenant_context(pair.program):  # Hugo answers; Léa does not
        SurveyInvitation.objects.filter(participant=pair.mentor).update(answered_at=start)
    connection.set_schema_to_public()

    # when the job runs every day for three weeks, twice each time
    for day in range(1, 22):
        with time_machine.travel(start + timedelta(days=day)):
            run_job()
            with tenant_context(pair.program):
                process_surveys_task.apply()  # a duplicate delivery of the per-programme task
            connection.set_schema_to_public()

    # then Léa got exactly two reminders (days 4 and 8), Hugo none
    with tenant_context(pair.program):
        reminders = list(
            Email.objects.filter(template="survey_reminder").values_list("to", flat=True)
        )
        invitation = SurveyInvitation.objects.get(participant=pair.mentee)
    connection.set_schema_to_public()
    assert reminders == ["lea.martin@a.example"] * 2
    assert invitation.reminders_sent == 2


@pytest.mark.django_db
def test_the_job_runs_in_few_queries_when_nothing_is_due(pair, django_assert_max_num_queries):
    with tenant_context(pair.program), django_assert_max_num_queries(10):
        counts = process_surveys_task.apply().get()
    connection.set_schema_to_public()
    assert counts == {"meeting_feedback": 0, "checkins": 0, "programme_end": 0, "reminders": 0}


@pytest.mark.django_db
def test_an_inactive_person_is_not_asked(pair):
    with tenant_context(pair.program):
        meeting = held_meeting(pair)
        Participant.objects.filter(pk=pair.mentor.pk).update(status="deactivated")
        zoe = person("zoe.petit@a.example", "mentee", "Zoé", "Petit")
        assert zoe.status == "active"
    with time_machine.travel(meeting.ends_at + timedelta(hours=1)):
        run_job()
    with tenant_context(pair.program):
        assert list(SurveyInvitation.objects.values_list("participant_id", flat=True)) == [
            pair.mentee.pk
        ]
    connection.set_schema_to_public()
