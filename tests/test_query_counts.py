"""Query-count guards on every page a participant reaches: the number of queries a page costs
does not grow with the number of meetings, answers, mentors or requests it shows (an N+1 shows
up here as a difference between a small and a large set). Counted with Django's
CaptureQueriesContext, after one request that warms the per-host caches."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from conftest import PASSWORD, host_client, http_login
from saas.core.tenancy import connection
from tenant_apps.matching.services import match_create_manual, request_create
from tenant_apps.meetings.models import Meeting
from tenant_apps.meetings.services.answering import meeting_decline
from tenant_apps.meetings.services.cancelling import meeting_cancel
from tenant_apps.meetings.services.moving import meeting_move_propose
from tenant_apps.meetings.services.notes import meeting_next_steps_save, meeting_note_save
from tenant_apps.meetings.tests.factories import Pair, confirmed, person, proposed, slot
from tenant_apps.mentoring.services import goal_create, message_send
from tenant_apps.participants.models import Participant
from tenant_apps.participants.profiles import profile_save
from tenant_apps.programs.models import ProgramSettings
from tenant_apps.programs.questionnaire import question_save
from tenant_apps.programs.selectors import SETTINGS_CACHE_KEY


def queries(client: Client, url: str) -> int:
    """Queries of one GET of `url` (200), once the caches are warm."""
    assert client.get(url).status_code == 200, url
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    connection.set_schema_to_public()
    return len(captured)


def logged_in(program: object, email: str) -> Client:
    client = host_client(program)
    http_login(client, email, PASSWORD)
    return client


@pytest.fixture
def pair(world) -> Pair:
    with tenant_context(world.program_a):
        mentee = person("lea.martin@a.example", Participant.Role.MENTEE, "Léa", "Martin")
        mentor = person("hugo.bernard@a.example", Participant.Role.MENTOR, "Hugo", "Bernard")
        match = match_create_manual(mentee=mentee, mentor=mentor)
    connection.set_schema_to_public()
    return Pair(world.program_a, mentee, mentor, match)


def _meetings_of_every_kind(pair: Pair, count: int, *, from_day: int) -> None:
    """`count` more meetings of the pair, in every state a list shows, a day apart."""
    kinds = ("proposed", "confirmed", "moved", "declined", "cancelled")
    with tenant_context(pair.program):
        for index in range(count):
            starts_in = timedelta(days=from_day + index, hours=10)
            kind = kinds[index % len(kinds)]
            if kind == "proposed":
                proposed(pair, starts_in=starts_in, slots=3)
            elif kind == "declined":
                meeting_decline(meeting=proposed(pair, starts_in=starts_in), by=pair.mentor)
            else:
                meeting = confirmed(pair, starts_in=starts_in)
                if kind == "moved":
                    meeting_move_propose(
                        meeting=meeting,
                        by=pair.mentor,
                        slots=[slot(starts_in + timedelta(hours=3))],
                    )
                elif kind == "cancelled":
                    meeting_cancel(meeting=meeting, by=pair.mentee, reason="Empêchement")
    connection.set_schema_to_public()


@pytest.mark.django_db
def test_the_pages_of_a_pair_cost_the_same_with_1_or_20_meetings(pair):
    # given a pair with one confirmed meeting, with notes and next steps
    with tenant_context(pair.program):
        first = confirmed(pair, starts_in=timedelta(days=1))
        meeting_note_save(meeting=first, by=pair.mentee, text="Ma note")
        meeting_next_steps_save(meeting=first, by=pair.mentor, text="Prochaines étapes")
    connection.set_schema_to_public()
    pages = [
        "/",
        "/espace/",
        "/binome/",
        "/rendez-vous/",
        "/rendez-vous/proposer/",
        f"/rendez-vous/{first.pk}/",
        f"/rendez-vous/{first.pk}/acces-visio/",
        f"/rendez-vous/{first.pk}/deplacer/",
        f"/rendez-vous/{first.pk}/annuler/",
        "/espace/mes-donnees/",
        "/compte/",
    ]
    people = {
        "mentee": logged_in(pair.program, "lea.martin@a.example"),
        "mentor": logged_in(pair.program, "hugo.bernard@a.example"),
    }

    def costs() -> dict[str, int]:
        return {f"{who} {url}": queries(c, url) for who, c in people.items() for url in pages}

    with_one = costs()
    # when they have 19 more, in every state
    _meetings_of_every_kind(pair, 19, from_day=2)
    with tenant_context(pair.program):
        assert Meeting.objects.filter(match=pair.match).count() == 20
    connection.set_schema_to_public()
    # then every page costs the same
    assert costs() == with_one


@pytest.mark.django_db
def test_a_meeting_page_costs_the_same_with_1_or_3_proposed_times(pair):
    with tenant_context(pair.program):
        one = proposed(pair, starts_in=timedelta(days=3), slots=1)
        three = proposed(pair, starts_in=timedelta(days=5), slots=3)
    connection.set_schema_to_public()
    for email in ("lea.martin@a.example", "hugo.bernard@a.example"):
        client = logged_in(pair.program, email)
        assert queries(client, f"/rendez-vous/{one.pk}/") == queries(
            client, f"/rendez-vous/{three.pk}/"
        )


def _questions(count: int, *, first: int) -> None:
    kinds = ("text", "single", "multiple", "number", "yes_no")
    for index in range(first, first + count):
        kind = kinds[index % len(kinds)]
        question_save(
            question=None,
            data={
                "label": f"Question {index}",
                "kind": kind,
                "audience": "both",
                "is_required": False,
                "choices": (
                    [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]
                    if kind in ("single", "multiple")
                    else []
                ),
            },
        )


def _answer_everything(participant: Participant) -> None:
    from tenant_apps.participants.profiles import questions_for

    answers = {
        "text": "Une réponse",
        "single": "a",
        "multiple": ["a", "b"],
        "number": "3",
        "yes_no": "yes",
    }
    profile_save(
        participant=participant,
        raw_answers={q.key: answers[q.kind] for q in questions_for(participant=participant)},
    )


@pytest.mark.django_db
def test_the_profile_and_data_pages_cost_the_same_with_1_or_20_answers(pair):
    # given one question, answered
    with tenant_context(pair.program):
        _questions(1, first=0)
        _answer_everything(pair.mentee)
        _answer_everything(pair.mentor)
    connection.set_schema_to_public()
    people = [
        logged_in(pair.program, "lea.martin@a.example"),
        logged_in(pair.program, "hugo.bernard@a.example"),
    ]
    pages = ["/profil/", "/espace/mes-donnees/", "/espace/", "/binome/"]

    def costs() -> list[int]:
        return [queries(client, url) for client in people for url in pages]

    with_one = costs()
    # when the questionnaire has 20 questions, all answered
    with tenant_context(pair.program):
        _questions(19, first=1)
        _answer_everything(pair.mentee)
        _answer_everything(pair.mentor)
        assert pair.mentee.answers.count() == 20
    connection.set_schema_to_public()
    # then the pages cost the same
    assert costs() == with_one


def _mentee_choice_mode(program: object) -> None:
    with tenant_context(program):
        ProgramSettings.objects.filter(id=1).update(matching_mode="choice")
        cache.delete(SETTINGS_CACHE_KEY)
    connection.set_schema_to_public()


def _mentors(count: int, *, first: int) -> list[Participant]:
    return [
        person(f"mentor{index}@a.example", Participant.Role.MENTOR, f"Mentor{index}", "Dupont")
        for index in range(first, first + count)
    ]


@pytest.mark.django_db
def test_choosing_a_mentor_costs_the_same_with_1_or_20_mentors_and_requests(world):
    # given mentee-choice mode, a mentee, one mentor who can be chosen, one request sent
    _mentee_choice_mode(world.program_a)
    with tenant_context(world.program_a):
        mentee = person("ines.durand@a.example", Participant.Role.MENTEE, "Inès", "Durand")
        asked = _mentors(1, first=0)
        request_create(mentee=mentee, mentor=asked[0])
        _mentors(1, first=1)
    connection.set_schema_to_public()
    client = logged_in(world.program_a, "ines.durand@a.example")
    with_one = queries(client, "/binome/")
    # when 20 mentors have room and the mentee has sent every request allowed
    with tenant_context(world.program_a):
        more = _mentors(19, first=2)
        for mentor in more[:2]:
            request_create(mentee=mentee, mentor=mentor)
    connection.set_schema_to_public()
    # then the page costs the same
    assert queries(client, "/binome/") == with_one


@pytest.mark.django_db
def test_a_mentor_s_pages_cost_the_same_with_1_or_many_mentees_and_requests(world):
    # given mentee-choice mode, a mentor with one mentee and one request waiting
    _mentee_choice_mode(world.program_a)
    with tenant_context(world.program_a):
        mentor = _mentors(1, first=0)[0]
        Participant.objects.filter(pk=mentor.pk).update(capacity=10)
        mentor.refresh_from_db()
        mentees = [
            person(f"mentee{i}@a.example", Participant.Role.MENTEE, f"Mentee{i}", "Roux")
            for i in range(12)
        ]
        match_create_manual(mentee=mentees[0], mentor=mentor)
        request_create(mentee=mentees[1], mentor=mentor)
    connection.set_schema_to_public()
    client = logged_in(world.program_a, "mentor0@a.example")
    pages = ["/binome/", "/espace/", "/rendez-vous/", "/rendez-vous/proposer/"]
    with_one = [queries(client, url) for url in pages]
    # when they have five mentees and six requests waiting
    with tenant_context(world.program_a):
        for mentee in mentees[2:6]:
            match_create_manual(mentee=mentee, mentor=mentor)
        for mentee in mentees[6:11]:
            request_create(mentee=mentee, mentor=mentor)
    connection.set_schema_to_public()
    # then the pages cost the same
    assert [queries(client, url) for url in pages] == with_one


# Queries of each page the load test browses (bench/scale.py, bench/locustfile.py), caches
# warm: what a signed-in request costs before the view (the session comes from the cache, the
# programme's settings and questionnaire too; the person is one query, a manager's second
# factor one more) plus the page's own. Lower a budget when a page gets cheaper; a page that
# needs more must say why here (bench/README.md § Load).
LOAD_TEST_BUDGETS = {
    "mentee /espace/": 8,
    "mentee /binome/": 4,
    "mentee /binome/[id]/": 8,
    "mentee /binome/[id]/messages/": 4,
    "mentee /rendez-vous/": 7,
    "mentee /profil/": 3,
    "mentor /espace/": 9,
    "mentor /binome/": 4,
    "mentor /binome/[id]/": 8,
    "mentor /binome/[id]/messages/": 4,
    "mentor /rendez-vous/": 7,
    "mentor /profil/": 3,
    "manager /espace/": 19,
    "manager /gestion/participants/": 5,
    "manager /gestion/binomes/": 8,
    "manager /gestion/rendez-vous/": 6,
}


@pytest.mark.django_db
def test_the_pages_of_the_load_test_keep_to_their_query_budgets(pair, world):
    # given a pair with a meeting, messages and a goal, and a required question answered
    with tenant_context(pair.program):
        confirmed(pair, starts_in=timedelta(days=1))
        message_send(match=pair.match, by=pair.mentor, body="Bonjour")
        goal_create(match=pair.match, by=pair.mentee, title="Un objectif")
        question_save(
            question=None,
            data={
                "label": "Ville",
                "kind": "text",
                "audience": "both",
                "is_required": True,
                "choices": [],
            },
        )
        _answer_everything(pair.mentee)
    connection.set_schema_to_public()
    clients = {
        "mentee": logged_in(pair.program, "lea.martin@a.example"),
        "mentor": logged_in(pair.program, "hugo.bernard@a.example"),
        "manager": host_client(pair.program),
    }
    http_login(clients["manager"], world.manager_a.email, PASSWORD, second_factor=True)
    costs = {}
    for page in LOAD_TEST_BUDGETS:
        who, path = page.split(" ", 1)
        costs[page] = queries(clients[who], path.replace("[id]", str(pair.match.pk)))
    measured = "; ".join(f"{page}: {n}" for page, n in costs.items())
    assert costs == LOAD_TEST_BUDGETS, measured
