"""Shared goals of a pair (to do / in progress / achieved / abandoned), revisited at each
meeting with a quick status update; goal templates offered by the manager (audited)."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from audit.models import AuditEvent
from tenant_apps.meetings.tests.factories import confirmed
from tenant_apps.mentoring.models import Goal, GoalTemplate
from tenant_apps.mentoring.tests.conftest import in_programme, logged_in


@pytest.mark.django_db
def test_a_pair_sets_a_goal_and_both_update_it(pair):
    lea = logged_in(pair.program, "lea.martin@a.example")
    hugo = logged_in(pair.program, "hugo.bernard@a.example")

    # when Léa adds a goal with a target date
    response = lea.post(
        f"/binome/{pair.match.pk}/objectifs/",
        {
            "goal-title": "Préparer l'entretien annuel",
            "goal-description": "Lister mes réussites",
            "goal-target_date": "2027-03-01",
        },
    )
    assert response.status_code == 302
    goal = in_programme(pair.program, lambda: Goal.objects.get())
    assert (goal.title, goal.status, str(goal.target_date)) == (
        "Préparer l'entretien annuel",
        "todo",
        "2027-03-01",
    )
    # then Hugo sees it on the pair page and moves it to "in progress"
    assert (
        escape("Préparer l'entretien annuel")
        in hugo.get(f"/binome/{pair.match.pk}/").content.decode()
    )
    hugo.post(f"/binome/objectifs/{goal.pk}/statut/", {"status": "in_progress"})
    # and Léa marks it achieved from its page
    lea.post(
        f"/binome/objectifs/{goal.pk}/",
        {"title": goal.title, "description": "", "target_date": "", "status": "achieved"},
    )
    goal = in_programme(pair.program, lambda: Goal.objects.get())
    assert goal.status == "achieved" and goal.target_date is None


@pytest.mark.django_db
def test_goals_are_revisited_on_the_meeting_page(pair):
    def given():
        goal = Goal.objects.create(match=pair.match, title="Prendre la parole en réunion")
        return goal, confirmed(pair, starts_in=timedelta(days=2))

    goal, meeting = in_programme(pair.program, given)
    hugo = logged_in(pair.program, "hugo.bernard@a.example")

    # the meeting page lists the goal with a status form that comes back to the meeting
    page = hugo.get(f"/rendez-vous/{meeting.pk}/").content.decode()
    assert "Prendre la parole en réunion" in page
    assert f'action="/binome/objectifs/{goal.pk}/statut/"' in page
    response = hugo.post(
        f"/binome/objectifs/{goal.pk}/statut/",
        {"status": "abandoned", "next": f"/rendez-vous/{meeting.pk}/"},
    )
    assert response["Location"] == f"/rendez-vous/{meeting.pk}/"
    assert in_programme(pair.program, lambda: Goal.objects.get()).status == "abandoned"
    # a "next" elsewhere is not followed
    response = hugo.post(
        f"/binome/objectifs/{goal.pk}/statut/", {"status": "todo", "next": "https://evil.example/"}
    )
    assert response["Location"] == f"/binome/{pair.match.pk}/#goals"


@pytest.mark.django_db
def test_someone_else_cannot_touch_the_goal(pair, world, manager_client):
    goal = in_programme(pair.program, lambda: Goal.objects.create(match=pair.match, title="A"))
    for client in (manager_client, logged_in(world.program_a, world.mentee_a.email)):
        assert (
            client.post(f"/binome/objectifs/{goal.pk}/statut/", {"status": "achieved"}).status_code
            == 404
        )
        assert (
            client.post(
                f"/binome/objectifs/{goal.pk}/", {"title": "B", "status": "todo"}
            ).status_code
            == 404
        )
        assert (
            client.post(f"/binome/{pair.match.pk}/objectifs/", {"goal-title": "C"}).status_code
            == 404
        )
    goals = in_programme(pair.program, lambda: list(Goal.objects.values_list("title", "status")))
    assert goals == [("A", "todo")]


@pytest.mark.django_db
def test_the_manager_offers_goal_templates_and_pairs_pick_them(pair, manager_client):
    # when the manager adds a template (audited), then edits and archives another
    response = manager_client.post(
        "/gestion/objectifs/", {"title": "Développer son réseau", "description": "3 contacts"}
    )
    assert response.status_code == 302
    manager_client.post("/gestion/objectifs/", {"title": "Ancien", "description": ""})
    old = in_programme(pair.program, lambda: GoalTemplate.objects.get(title="Ancien"))
    manager_client.post(
        f"/gestion/objectifs/{old.pk}/", {"title": "Ancien modèle", "action": "save"}
    )
    manager_client.post(f"/gestion/objectifs/{old.pk}/", {"action": "archive"})
    actions = in_programme(
        pair.program,
        lambda: list(
            AuditEvent.objects.filter(action__startswith="mentoring.goal_template")
            .order_by("pk")
            .values_list("action", flat=True)
        ),
    )
    assert actions == [
        "mentoring.goal_template_created",
        "mentoring.goal_template_created",
        "mentoring.goal_template_changed",
        "mentoring.goal_template_archived",
    ]

    # then the pair is offered the live template only, and picks it
    lea = logged_in(pair.program, "lea.martin@a.example")
    page = lea.get(f"/binome/{pair.match.pk}/").content.decode()
    assert "Développer son réseau" in page and "Ancien modèle" not in page
    template = in_programme(
        pair.program, lambda: GoalTemplate.objects.get(title="Développer son réseau")
    )
    lea.post(f"/binome/{pair.match.pk}/objectifs/", {"tpl-template": template.pk})
    # an archived template cannot be picked
    lea.post(f"/binome/{pair.match.pk}/objectifs/", {"tpl-template": old.pk})
    goals = in_programme(
        pair.program, lambda: list(Goal.objects.values_list("title", "description"))
    )
    assert goals == [("Développer son réseau", "3 contacts")]


@pytest.mark.django_db
def test_the_pair_page_reads_the_offered_templates_once(pair, manager_client):
    for title in ("Développer son réseau", "Préparer une mobilité", "Prendre la parole"):
        manager_client.post("/gestion/objectifs/", {"title": title, "description": ""})
    lea = logged_in(pair.program, "lea.martin@a.example")
    lea.get(f"/binome/{pair.match.pk}/")  # warm: settings and session cached

    with CaptureQueriesContext(connection) as captured:
        page = lea.get(f"/binome/{pair.match.pk}/").content.decode()

    statements = [q["sql"] for q in captured.captured_queries]
    assert sum('FROM "mentoring_goaltemplate"' in sql for sql in statements) == 1, statements
    assert not any(sql.startswith("DECLARE") for sql in statements), statements
    # the select offers them all, in order, and a choice from it is taken
    offered = in_programme(
        pair.program,
        lambda: list(GoalTemplate.objects.order_by("title").values_list("pk", "title")),
    )
    options = re.findall(r'<option value="(\d+)">([^<]+)</option>', page)
    assert [(int(pk), escape(title)) for pk, title in offered] == [
        (int(pk), title) for pk, title in options
    ]
    lea.post(f"/binome/{pair.match.pk}/objectifs/", {"tpl-template": offered[0][0]})
    assert in_programme(
        pair.program, lambda: list(Goal.objects.values_list("title", flat=True))
    ) == [offered[0][1]]


@pytest.mark.django_db
def test_goal_template_pages_are_for_managers(pair):
    lea = logged_in(pair.program, "lea.martin@a.example")
    assert lea.get("/gestion/objectifs/").status_code == 403
    assert lea.post("/gestion/objectifs/", {"title": "X"}).status_code == 403
    assert in_programme(pair.program, lambda: GoalTemplate.objects.count()) == 0
