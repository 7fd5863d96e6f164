"""Every KPI of the dashboard on hand-built data with known answers: January 2026 in
programme A (the shared fixtures' people joined later, outside the period)."""

import datetime

import pytest
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from saas.core.tenancy import connection
from tenant_apps.outcomes.selectors import SUPPRESSED, pairs_at_risk, program_kpis
from tenant_apps.outcomes.tests.factories import at, branch_question, meeting, pair, person

pytestmark = pytest.mark.django_db

START, END = at("01-01", 0), at("02-01", 0)


def january(question):
    """The data set of the module docstring of each assertion below."""

    def mentee(joined, registered, branch):
        return person(
            "mentee", joined=joined, registered=registered, branch=branch, question=question
        )

    def mentor():
        return person(
            "mentor", joined=at("01-02"), registered=at("01-02"), branch="north", question=question
        )

    people = {
        "m1": mentee(at("01-01", 0), at("01-02"), "north"),  # joined at the very start: in
        "m2": mentee(at("01-05"), at("01-06"), "north"),
        "m3": mentee(at("01-05"), at("01-06"), "north"),
        "m4": mentee(at("01-10"), at("01-11"), "north"),
        "m5": mentee(at("01-10"), at("01-11"), "north"),
        "m6": mentee(at("01-20"), at("02-05"), "north"),  # registered after the end
        "m7": mentee(at("01-20"), None, "north"),  # never registered
        "s1": mentee(at("01-03"), at("01-04"), "south"),
        "s2": mentee(at("01-03"), at("01-04"), "south"),
        "x1": mentee(at("01-15"), at("01-16"), None),  # no answer: questionnaire incomplete
        "old": mentee(at("01-01", 0) - datetime.timedelta(seconds=1), at("01-02"), "north"),
        "late": mentee(at("02-01", 0), at("02-01", 1), "north"),  # joined at the end: out
        "r1": mentor(), "r2": mentor(), "r3": mentor(),
    }  # fmt: skip
    p = people
    pairs = {
        "P1": pair(p["m1"], p["r1"], activated=at("01-03"), score=82),  # 1 day to match
        "P2": pair(p["m2"], p["r2"], activated=at("01-10"), score=55),  # 4 days
        "P3": pair(p["m4"], p["r3"], activated=at("01-21"), score=57),  # 10 days
        "P4": pair(p["old"], p["r1"], activated=at("01-02"), ended=at("01-25"), reason="Moved"),
        "P5": pair(p["s1"], p["r2"], activated=at("02-03")),  # after the end
    }  # 0 days for P4
    for day in ("01-05", "01-12", "01-19", "02-02"):
        meeting(pairs["P1"], starts=at(day))
    meeting(pairs["P2"], starts=at("01-15"))
    meeting(pairs["P2"], starts=at("01-16"), status="cancelled")
    meeting(pairs["P4"], starts=at("01-03"))
    return people, pairs


def stages(group, role):
    return {step["stage"]: step["count"] for step in group["funnel"][role]}


def test_funnel_counts_and_rates_with_period_boundaries(world):
    with tenant_context(world.program_a):
        january(branch_question())
        kpis = program_kpis(start=START, end=END)
    total = kpis["total"]
    assert stages(total, "mentee") == {
        "invited": 10, "registered": 8, "complete": 7, "matched": 3,
        "first_meeting": 2, "three_meetings": 1,
    }  # fmt: skip
    assert stages(total, "mentor") == {
        "invited": 3, "registered": 3, "complete": 3, "matched": 3,
        "first_meeting": 2, "three_meetings": 1,
    }  # fmt: skip
    rates = {step["stage"]: step["rate"] for step in total["funnel"]["mentee"]}
    assert rates["registered"] == 80.0
    assert rates["three_meetings"] == 10.0


def test_pairs_time_to_match_meetings_and_endings(world):
    with tenant_context(world.program_a):
        january(branch_question())
        kpis = program_kpis(start=START, end=END)
    assert kpis["total"]["pairs"] == {
        "active": 3,  # P1, P2, P3 (P4 ended on the 25th, P5 starts in February)
        "new": 4,
        "ended": 1,
        "meetings_held": 5,  # P1 ×3 + P2 + P4; not the cancelled one, not February's
        "meetings_per_active_pair": 1.67,
        "median_days_to_match": 2.5,  # median of 0, 1, 4, 10
    }
    # a reason given for fewer than 5 pairs is not shown in words
    assert [(r["reason"], r["count"]) for r in kpis["total"]["ended_by_reason"]] == [
        ("Autres motifs", 1)
    ]


def test_breakdown_suppresses_groups_of_fewer_than_five(world, manager_client):
    with tenant_context(world.program_a):
        question = branch_question()
        january(question)
        kpis = program_kpis(start=START, end=END, dimension=question)
    by_key = {group["key"]: group for group in kpis["groups"]}
    north = by_key["north"]
    assert north["people"] == 10  # 7 mentees + 3 mentors joined in January
    assert stages(north, "mentee") == {
        "invited": 7, "registered": 5, "complete": 5, "matched": 3,
        "first_meeting": 2, "three_meetings": 1,
    }  # fmt: skip
    assert north["pairs"]["active"] == 3 and north["pairs"]["meetings_held"] == 5
    # 2 people in the south, 1 without an answer: no figure at all
    assert by_key["south"] == {"key": "south", "label": "South", "suppressed": True}
    assert by_key[""]["suppressed"] is True
    # and the page shows "< 5" for them
    response = manager_client.get(
        "/espace/", {"start": "2026-01-01", "end": "2026-01-31", "dimension": "branch"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    suppressed = SUPPRESSED.replace("<", "&lt;")
    assert f'<td colspan="6" data-label="Personnes dans ce groupe">{suppressed}</td>' in page


def test_weekly_activity_and_scores(world):
    with tenant_context(world.program_a):
        january(branch_question())
        kpis = program_kpis(start=START, end=END)
    weeks = {week["week"]: week for week in kpis["weekly"]}
    assert next(iter(weeks)) == "2025-12-29"  # the Monday of the week the period starts in
    assert sum(w["meetings"] for w in kpis["weekly"]) == 5
    assert weeks["2026-01-12"]["meetings"] == 2
    # registrations: 8 January mentees + old + 3 mentors (m6 registered in February)
    assert sum(w["registrations"] for w in kpis["weekly"]) == 12
    scores = {band["band"]: band["count"] for band in kpis["scores"]}
    assert scores["80–90"] == 1 and scores["50–60"] == 2 and sum(scores.values()) == 3


def test_pairs_at_risk(world):
    now = at("03-01")
    with tenant_context(world.program_a):
        _people, pairs = january(branch_question())
        risk = pairs_at_risk(now=now)
    quiet = {match.pk for match in risk["quiet"]}
    # P1 met on Feb 2 (27 days before): fine; P2 last met Jan 15, P3 never; P5 paired Feb 3
    # without a meeting for 26 days: not yet
    assert quiet == {pairs["P2"].pk, pairs["P3"].pk}


def test_dashboard_is_the_managers_landing_page_with_a_fixed_number_of_queries(
    world, manager_client
):
    with tenant_context(world.program_a):
        question = branch_question()
        january(question)
    connection.set_schema_to_public()
    params = {"start": "2026-01-01", "end": "2026-01-31", "dimension": "branch"}
    manager_client.get("/espace/", params)  # the first request of a session writes more
    with CaptureQueriesContext(connection) as small:
        response = manager_client.get("/espace/", params)
    assert response.status_code == 200
    assert "Tableau de bord du programme" in response.content.decode()
    with tenant_context(world.program_a):
        for _index in range(3):
            january(question)  # three times more people, pairs and meetings
    connection.set_schema_to_public()
    with CaptureQueriesContext(connection) as large:
        response = manager_client.get("/espace/", params)
    assert response.status_code == 200
    assert len(large) == len(small) <= 30


def test_a_participant_still_lands_on_their_space(world):
    from conftest import host_client, http_login

    client = host_client(world.program_a)
    http_login(client, world.mentee_a.email)
    response = client.get("/espace/")
    assert response.status_code == 200
    assert "Tableau de bord du programme" not in response.content.decode()
    assert client.get("/gestion/export/participants.csv").status_code == 403


def test_demo_seed_makes_a_lively_dashboard(world, manager_client):
    from tenant_apps.outcomes.demo import outcomes_seed
    from tenant_apps.programs.models import Question

    with tenant_context(world.program_a):
        Question.objects.create(
            key="metier", label="Job", kind="single", audience="both",
            choices=[{"value": v, "label": v.upper()} for v in ("rh", "it", "gestion")],
        )  # fmt: skip
        added = outcomes_seed(
            domain="a.example", mentees=60, mentors=30, pairs=40, meetings=260,
            dimension_key="metier",
        )  # fmt: skip
        again = outcomes_seed(domain="a.example", mentees=60, mentors=30, pairs=40, meetings=260)
        kpis = program_kpis(
            start=timezone.now() - datetime.timedelta(days=365),
            end=timezone.now() + datetime.timedelta(days=1),
            dimension=Question.objects.get(key="metier"),
        )
    assert (added, again) == (90, 0)  # idempotent
    assert kpis["total"]["pairs"]["active"] > 20
    assert kpis["total"]["pairs"]["meetings_held"] > 100
    assert any(not group["suppressed"] for group in kpis["groups"])
    response = manager_client.get("/espace/", {"days": "365", "dimension": "metier"})
    assert response.status_code == 200
    # the feedback and messages make the new charts lively too
    charts = {item["name"]: item for item in response.context["score_charts"]}
    assert charts["usefulness"]["count"] >= 50 and charts["usefulness"]["chart"] is not None
    assert charts["check_in"]["count"] >= 20 and charts["check_in"]["chart"] is not None
    assert sum(row["messages"] for row in response.context["weekly"]["rows"]) > 100
    assert response.context["at_risk"]["checkins_named"] is True
    assert response.context["at_risk"]["low_checkins"]  # a few low check-ins point at pairs
    page = response.content.decode()
    assert 'id="score-usefulness-title"' in page and 'id="score-check_in-title"' in page
