"""The participant's home as a guide: the next step from the person's state, whose turn it is,
what is coming, unread messages; providers of other apps override it by priority."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from tenant_apps.meetings.tests.factories import confirmed, proposed
from tenant_apps.mentoring.services import goal_create, message_send
from tenant_apps.mentoring.tests.conftest import in_programme, logged_in
from tenant_apps.participants import home
from tenant_apps.programs.models import Question


def next_step(response) -> str:
    content = response.content.decode()
    start = content.index('id="next-step-title"')
    return content[start : content.index("</section>", start)]


@pytest.mark.django_db
def test_a_new_pair_is_told_to_propose_a_first_meeting_both_sides(pair):
    # given Léa and Hugo, just paired, nothing planned
    lea = logged_in(pair.program, "lea.martin@a.example")
    hugo = logged_in(pair.program, "hugo.bernard@a.example")

    # when each opens their space
    lea_step, hugo_step = next_step(lea.get("/espace/")), next_step(hugo.get("/espace/"))

    # then each is told to propose the first meeting to the other, with the proposal's link
    assert "Hugo Bernard" in lea_step and "/rendez-vous/proposer/" in lea_step
    assert "Léa Martin" in hugo_step and "/rendez-vous/proposer/" in hugo_step


@pytest.mark.django_db
def test_a_proposal_is_the_others_next_step_and_a_wait_for_its_author(pair):
    # given Léa proposed a meeting to Hugo
    meeting = in_programme(pair.program, lambda: proposed(pair))
    lea = logged_in(pair.program, "lea.martin@a.example")
    hugo = logged_in(pair.program, "hugo.bernard@a.example")

    # when both open their space
    hugo_page = hugo.get("/espace/")
    lea_page = lea.get("/espace/").content.decode()

    # then it is Hugo's turn (his next step, to the meeting page); Léa waits for him
    assert f"/rendez-vous/{meeting.pk}/" in next_step(hugo_page)
    waiting = lea_page[lea_page.index('id="waiting-title"') :]
    assert "Hugo Bernard" in waiting and f"/rendez-vous/{meeting.pk}/" in waiting
    assert "/rendez-vous/proposer/" not in next_step(lea.get("/espace/"))


@pytest.mark.django_db
def test_an_unanswered_required_question_comes_first(pair):
    # given a required question Léa has not answered, while the pair has nothing planned
    in_programme(
        pair.program,
        lambda: Question.objects.create(key="q-req", label="Métier", kind="text", is_required=True),
    )
    lea = logged_in(pair.program, "lea.martin@a.example")

    # when she opens her space, then the questionnaire is the next step
    step = next_step(lea.get("/espace/"))
    assert 'href="/profil/"' in step
    assert "/rendez-vous/proposer/" not in step


@pytest.mark.django_db
def test_a_higher_priority_provider_overrides_the_next_step(pair, monkeypatch):
    # given another app registers a "give your feedback" item (priority 80, the slot left free)
    def feedback(participant, now):
        return [
            {
                "kind": "next_step",
                "priority": 80,
                "title": "Donnez votre avis <b>sur</b> le rendez-vous",
                "body": "Une question.",
                "url": "/avis/1/",
                "action_label": "Répondre",
            }
        ]

    monkeypatch.setattr(home, "_providers", [*home.home_providers(), feedback])
    lea = logged_in(pair.program, "lea.martin@a.example")

    # when Léa opens her space
    page = lea.get("/espace/")

    # then feedback is the next step (escaped), and proposing a meeting is still listed
    step = next_step(page)
    assert escape("Donnez votre avis <b>sur</b> le rendez-vous") in step
    assert 'href="/avis/1/"' in step
    assert "/rendez-vous/proposer/" in page.content.decode()


@pytest.mark.django_db
def test_unread_messages_and_upcoming_meetings_are_on_the_home(pair):
    # given Hugo wrote twice and a meeting is confirmed
    def given():
        message_send(match=pair.match, by=pair.mentor, body="Bonjour")
        message_send(match=pair.match, by=pair.mentor, body="Vous êtes là ?")
        return confirmed(pair, starts_in=timedelta(days=3))

    meeting = in_programme(pair.program, given)
    lea = logged_in(pair.program, "lea.martin@a.example")

    # when Léa opens her space
    content = lea.get("/espace/").content.decode()

    # then she sees 2 unread messages (link to the thread) and the meeting
    assert f"/binome/{pair.match.pk}/messages/" in content
    assert "2 " in content
    assert f"/rendez-vous/{meeting.pk}/" in content

    # and once she read the thread, the count is gone
    lea.get(f"/binome/{pair.match.pk}/messages/")
    assert f"/binome/{pair.match.pk}/messages/" not in lea.get("/espace/").content.decode()


@pytest.mark.django_db
def test_the_home_reads_a_fixed_number_of_queries(pair):
    lea = logged_in(pair.program, "lea.martin@a.example")

    def add(first, count):
        def work():
            for index in range(first, first + count):
                message_send(match=pair.match, by=pair.mentor, body=f"Message {index}")
                goal_create(match=pair.match, by=pair.mentee, title=f"Objectif {index}")
                confirmed(pair, starts_in=timedelta(days=3 + index))

        in_programme(pair.program, work)

    def count_queries():
        lea.get("/espace/")  # the per-programme caches warm (settings, questionnaire)
        with CaptureQueriesContext(connection) as queries:
            assert lea.get("/espace/").status_code == 200
        connection.set_schema_to_public()
        return len(queries)

    # given one message, goal and meeting
    add(0, 1)
    one = count_queries()
    # when there are 20 of each
    add(1, 19)
    twenty = count_queries()
    # then the page reads as many queries
    assert twenty == one, (one, twenty)
    assert one <= 7  # tests/test_query_counts.py LOAD_TEST_BUDGETS: 8 with a required question
