"""The dashboard's feedback figures on hand-built data with known answers: pairs at risk for a
low check-in, the score distributions (charts, tables, "< 5" by dimension) and the secondary
suppression of the breakdowns. January 2026 in programme A, as in test_kpis."""

import pytest
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from saas.core.tenancy import connection
from tenant_apps.outcomes.selectors import pairs_at_risk, program_kpis, suppression
from tenant_apps.outcomes.tests.factories import at, branch_question, person
from tenant_apps.outcomes.tests.test_kpis import END, START, january
from tenant_apps.surveys.models import Survey
from tenant_apps.surveys.services import survey_answer, survey_update
from tenant_apps.surveys.tests.factories import invite

pytestmark = pytest.mark.django_db

JANUARY = {"start": "2026-01-01", "end": "2026-01-31"}


def checkin(participant, score, *, when, match=None, occasion=None):
    survey = Survey.objects.get(kind=Survey.Kind.CHECKIN)
    occasion = occasion or f"checkin:{match.pk if match else 't'}:{when.isoformat()}"
    invitation = invite(survey, participant, occasion, match=match)
    survey_answer(invitation=invitation, raw_answers={"retour-point-note": str(score)}, now=when)


def rate(kind, key, participant, score, *, when, occasion):
    survey = Survey.objects.get(kind=kind)
    survey_answer(
        invitation=invite(survey, participant, occasion),
        raw_answers={key: str(score)},
        now=when,
    )


def named_checkins():
    survey_update(survey=Survey.objects.get(kind=Survey.Kind.CHECKIN), data={"is_anonymous": False})


def low_checkin_data(question):
    """P1: the mentee's latest check-in is 4 (an earlier 1 no longer counts); P2: the mentor's
    latest is 2; P3: mentee 1 and mentor 2; P4 (ended): mentee 1; another pair scored 3."""
    people, pairs = january(question)
    p = pairs
    checkin(p["P1"].mentee, 1, when=at("02-01"), match=p["P1"])
    checkin(p["P1"].mentee, 4, when=at("02-10"), match=p["P1"])
    checkin(p["P2"].mentor, 2, when=at("02-11"), match=p["P2"])
    checkin(p["P2"].mentee, 5, when=at("02-11"), match=p["P2"])
    checkin(p["P3"].mentee, 1, when=at("02-12"), match=p["P3"])
    checkin(p["P3"].mentor, 2, when=at("02-12"), match=p["P3"])
    checkin(p["P4"].mentee, 1, when=at("01-20"), match=p["P4"])
    checkin(p["P5"].mentee, 3, when=at("02-20"), match=p["P5"])
    return people, pairs


def test_pairs_at_risk_for_a_low_latest_check_in(world, manager_client):
    with tenant_context(world.program_a):
        named_checkins()
        _people, pairs = low_checkin_data(branch_question())
        risk = pairs_at_risk(now=at("03-01"))
    assert risk["checkins_named"] is True
    # the lowest first; only the latest answer of each person counts; ended pairs never
    assert [item["match"].pk for item in risk["low_checkins"]] == [pairs["P3"].pk, pairs["P2"].pk]
    assert [(role, score) for role, score, _day in risk["low_checkins"][0]["scores"]] == [
        ("mentee", 1),
        ("mentor", 2),
    ]
    assert [(role, score) for role, score, _day in risk["low_checkins"][1]["scores"]] == [
        ("mentor", 2)
    ]
    # the page lists them with links to both people
    page = manager_client.get("/espace/").content.decode()
    assert "Binômes dont le dernier point d’étape a reçu une note de 2 ou moins sur 5" in page
    for pair in (pairs["P3"], pairs["P2"]):
        assert f'href="/gestion/participants/{pair.mentee_id}/"' in page
        assert f'href="/gestion/participants/{pair.mentor_id}/"' in page
    assert "mentoré(e) 1/5" in page and "mentor 2/5" in page


def test_aggregated_only_check_ins_point_at_no_pair(world, manager_client):
    with tenant_context(world.program_a):
        low_checkin_data(branch_question())  # the check-in is aggregated-only by default
        risk = pairs_at_risk(now=at("03-01"))
    assert risk["checkins_named"] is False and risk["low_checkins"] == []
    page = manager_client.get("/espace/").content.decode()
    assert "ne peut pas être rattachée à un binôme" in page


def test_low_check_ins_keep_the_dashboard_at_a_fixed_number_of_queries(world, manager_client):
    with tenant_context(world.program_a):
        named_checkins()
        question = branch_question()
        low_checkin_data(question)
    connection.set_schema_to_public()
    params = {**JANUARY, "dimension": "branch"}
    manager_client.get("/espace/", params)
    with CaptureQueriesContext(connection) as small:
        assert manager_client.get("/espace/", params).status_code == 200
    with tenant_context(world.program_a):
        for _index in range(3):
            low_checkin_data(question)
    connection.set_schema_to_public()
    with CaptureQueriesContext(connection) as large:
        response = manager_client.get("/espace/", params)
    assert response.status_code == 200
    assert response.content.decode().count('href="/gestion/participants/') > 8
    assert len(large) == len(small) <= 32


def scores_data(question):
    """January: 6 usefulness answers (aggregated-only) 5, 5, 4, 3, 1, 5; 4 recommendations
    (aggregated-only: fewer than 5); named check-ins — north 6 answers (5, 4, 4, 3, 2, 5),
    south 5, no answer 2."""
    people, _pairs = january(question)
    north = [people[key] for key in ("m1", "m2", "m3", "m4", "m5")]
    south = [
        people["s1"],
        people["s2"],
        *[
            person("mentee", joined=at("01-03"), registered=at("01-04"), branch="south",
                   question=question)
            for _index in range(3)
        ],
    ]  # fmt: skip
    for index, score in enumerate([5, 5, 4, 3, 1, 5]):
        rate("meeting", "retour-rdv-utile", north[index % 5], score,
             when=at("01-20"), occasion=f"meeting:t{index}")  # fmt: skip
    for index, score in enumerate([10, 9, 3, 7]):
        rate("pair_end", "retour-fin-recommandation", north[index], score,
             when=at("01-21"), occasion=f"pair_end:t{index}")  # fmt: skip
    named_checkins()
    for index, score in enumerate([5, 4, 4, 3, 2, 5]):
        checkin(north[index % 5], score, when=at("01-22", minute=index))
    for index, score in enumerate([3, 3, 4, 2, 1]):
        checkin(south[index], score, when=at("01-23", minute=index))
    checkin(people["x1"], 1, when=at("01-24"))
    checkin(people["x1"], 2, when=at("01-25"))
    return people


def test_score_distributions_charts_tables_and_small_groups(world, manager_client):
    with tenant_context(world.program_a):
        scores_data(branch_question())
    response = manager_client.get("/espace/", {**JANUARY, "dimension": "branch"})
    page = response.content.decode()
    charts = {item["name"]: item for item in response.context["score_charts"]}
    usefulness = charts["usefulness"]
    assert usefulness["rows"] == [("1", 1), ("2", 0), ("3", 1), ("4", 1), ("5", 3)]
    assert usefulness["mean"] == 3.8 and usefulness["count"] == 6
    # the chart, its text alternative and its data table
    assert 'aria-labelledby="score-usefulness-title score-usefulness-desc"' in page
    assert "1: 1; 2: 0; 3: 1; 4: 1; 5: 3" in page
    assert [bar.value for bar in usefulness["chart"]["bars"]] == [1, 0, 1, 1, 3]
    # 4 recommendations: no distribution, no score
    nps = charts["nps"]
    assert nps["is_suppressed"] and nps["chart"] is None and nps["nps"] is None
    assert nps["rows"] == []
    assert 'id="score-nps-title"' not in page
    check_in = charts["check_in"]
    assert check_in["count"] == 13 and [n for _s, n in check_in["rows"]] == [2, 3, 3, 3, 2]
    # by branch: "no answer" (2 answers) is hidden, so the next smallest, south (5), is too;
    # north is shown; answers given without a name are never broken down
    groups = next(b for b in response.context["satisfaction_groups"] if b["name"] == "check_in")
    by_key = {group["key"]: group for group in groups["groups"]}
    assert by_key["north"]["suppressed"] is False
    assert by_key["north"]["count"] == 6 and by_key["north"]["mean"] == 3.8
    assert by_key["north"]["cells"] == [(1, 0), (2, 1), (3, 1), (4, 2), (5, 2)]
    assert by_key[""]["suppressed"] and by_key[""]["count"] is None
    assert by_key["south"]["suppressed"] and by_key["south"]["cells"] == []
    usefulness_groups = next(
        b for b in response.context["satisfaction_groups"] if b["name"] == "usefulness"
    )
    unnamed = {g["key"]: g for g in usefulness_groups["groups"]}["__unattributed__"]
    assert unnamed["count"] == 6 and not unnamed["suppressed"]


def test_suppression_rule():
    assert suppression([10, 2, 1]) == [False, True, True]  # two hidden: known only together
    assert suppression([10, 6, 2]) == [False, True, True]  # one hidden: the next smallest too
    assert suppression([10, 6, 2, 0]) == [False, True, True, True]  # an empty group hides none
    assert suppression([10, 6, 0]) == [False, False, True]  # nobody to reveal
    assert suppression([10, 7, 6]) == [False, False, False]
    assert suppression([3]) == [True]


def test_breakdown_hides_a_second_group_when_only_one_would_be_hidden(world, manager_client):
    with tenant_context(world.program_a):
        question = branch_question()
        january(question)  # north 10 people, south 2, no answer 1
        for _index in range(4):  # south: 6 people
            person("mentee", joined=at("01-03"), registered=at("01-04"), branch="south",
                   question=question)  # fmt: skip
        kpis = program_kpis(start=START, end=END, dimension=question)
    by_key = {group["key"]: group for group in kpis["groups"]}
    # "no answer" (1 person) alone would be hidden: total − north − south would give it
    assert by_key[""]["suppressed"] is True
    assert by_key["south"] == {"key": "south", "label": "South", "suppressed": True}
    assert by_key["north"]["suppressed"] is False and by_key["north"]["people"] == 10
    page = manager_client.get("/espace/", {**JANUARY, "dimension": "branch"}).content.decode()
    assert page.count('data-label="Personnes dans ce groupe">&lt; 5</td>') == 2


def test_weekly_activity_counts_messages(world, manager_client):
    from tenant_apps.mentoring.models import Message

    with tenant_context(world.program_a):
        _people, pairs = january(branch_question())
        for day in ("01-13", "01-14", "01-20"):
            message = Message.objects.create(
                match=pairs["P1"], author=pairs["P1"].mentee, body="Bonjour"
            )
            Message.objects.filter(pk=message.pk).update(created_at=at(day))
    response = manager_client.get("/espace/", JANUARY)
    weekly = response.context["weekly"]
    weeks = {row["week"]: row for row in weekly["rows"]}
    assert weekly["has_messages"] is True
    assert weeks["2026-01-12"]["messages"] == 2 and weeks["2026-01-19"]["messages"] == 1
    assert weeks["2026-01-12"]["meetings"] == 2
    assert len({bar.series for bar in weekly["chart"]["bars"]}) == 3
    assert "rendez-vous tenus, inscriptions et messages" in response.content.decode().lower()


def test_monthly_report_gives_the_satisfaction_from_five_answers(world):
    import datetime

    from tenant_apps.notifications.models import Email
    from tenant_apps.outcomes.services import monthly_report_send

    with tenant_context(world.program_a):
        scores_data(branch_question())
        monthly_report_send(today=datetime.date(2026, 2, 1))
        body = Email.objects.get(template="monthly_report", to="manager-a@a.example").body_text
    assert "Utilité des rendez-vous (1–5): 3,8" in body  # 6 answers
    assert "Net promoter score (NPS): —" in body  # 4 answers: not shown
