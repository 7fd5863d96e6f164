"""The other pages with lists stay within a fixed number of queries: the meeting page with the
pair's goals, the manager's goal templates, the mentors a mentee browses."""

from datetime import timedelta

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenant_apps.meetings.tests.factories import confirmed, person
from tenant_apps.mentoring.models import Goal, GoalTemplate, Profile
from tenant_apps.mentoring.tests.conftest import in_programme, logged_in
from tenant_apps.participants.models import Answer
from tenant_apps.programs.models import ProgramSettings, Question


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    connection.set_schema_to_public()
    return len(captured)


@pytest.mark.django_db
def test_the_meeting_page_with_goals(pair):
    meeting = in_programme(pair.program, lambda: confirmed(pair, starts_in=timedelta(days=2)))
    hugo = logged_in(pair.program, "hugo.bernard@a.example")
    url = f"/rendez-vous/{meeting.pk}/"
    in_programme(pair.program, lambda: Goal.objects.create(match=pair.match, title="0"))
    queries(hugo, url)
    one = queries(hugo, url)
    in_programme(
        pair.program,
        lambda: [Goal.objects.create(match=pair.match, title=str(i)) for i in range(1, 20)],
    )
    assert queries(hugo, url) == one


@pytest.mark.django_db
def test_the_goal_templates_page(world, manager_client):
    in_programme(world.program_a, lambda: GoalTemplate.objects.create(title="0"))
    queries(manager_client, "/gestion/objectifs/")  # the session's first page after login
    one = queries(manager_client, "/gestion/objectifs/")
    in_programme(
        world.program_a,
        lambda: [GoalTemplate.objects.create(title=str(i)) for i in range(1, 20)],
    )
    assert queries(manager_client, "/gestion/objectifs/") == one


@pytest.mark.django_db
def test_the_mentors_a_mentee_browses(world):
    def given():
        ProgramSettings.objects.filter(id=1).update(matching_mode="choice")
        question = Question.objects.create(
            key="metier",
            label="Métier",
            kind="single",
            criterion="same",
            choices=[{"value": "rh", "label": "RH"}],
            show_on_profile=True,
        )
        mentee = person("ines@a.example", "mentee", "Inès", "Morel")
        Answer.objects.create(participant=mentee, question=question, value="rh")
        return question

    question = in_programme(world.program_a, given)

    def mentors(first, count):
        def work():
            for index in range(first, first + count):
                mentor = person(f"m{index}@a.example", "mentor", "Mentor", str(index))
                Answer.objects.create(participant=mentor, question=question, value="rh")
                Profile.objects.create(participant=mentor, entity="Caisse", languages=["fr"])

        in_programme(world.program_a, work)

    caches["default"].clear()
    mentors(0, 1)
    ines = logged_in(world.program_a, "ines@a.example")
    queries(ines, "/binome/mentors/")  # caches warm
    one = queries(ines, "/binome/mentors/")
    mentors(1, 19)
    twenty = queries(ines, "/binome/mentors/")
    assert twenty == one, (one, twenty)
