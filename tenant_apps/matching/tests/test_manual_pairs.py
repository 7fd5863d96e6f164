"""The manager's manual pair (issue 17 point 4): a searched choice of the mentee and the mentor,
through the pages and the search endpoints, with and without JavaScript."""

import re

import pytest
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from conftest import PASSWORD, host_client, logged_in
from saas.core.tenancy import connection
from shared_apps.accounts.models import User
from tenant_apps.matching.models import Match
from tenant_apps.matching.selectors import PAIR_CHOICES
from tenant_apps.participants.models import Participant
from tenant_apps.participants.services import participant_add
from tests.crowd import crowd_add

MENTEES = "/gestion/binomes/chercher/mentores/"
MENTORS = "/gestion/binomes/chercher/mentors/"
HTMX = {"HX-Request": "true"}  # the search endpoints answer htmx; other requests see the page
PAGE = "/gestion/binomes/"


def _person(email: str, role: str, first: str, last: str, **fields) -> Participant:
    user = User.objects.create_user(
        email=email, password=PASSWORD, first_name=first, last_name=last
    )
    participant = participant_add(user=user, role=role)
    if fields:
        Participant.objects.filter(pk=participant.pk).update(**fields)
        participant.refresh_from_db()
    return participant


@pytest.fixture
def people(world):
    """Programme A: mentees Léa Martin (waiting), Max Martin (paired with Rita), Noé Martinez
    (waiting, a proposal with Ugo), Inès Marchal (invited, not active yet); mentors Rita Marin
    (capacity 1, full), Ugo Marais (capacity 3: a proposal, two places left); and in programme B
    a mentee and a mentor called Martin too."""
    with tenant_context(world.program_a):
        found = {
            "lea": _person("lea@a.example", "mentee", "Léa", "Martin"),
            "max": _person("max@a.example", "mentee", "Max", "Martin"),
            "noe": _person("noe@a.example", "mentee", "Noé", "Martinez", is_available=False),
            "ines": _person("ines@a.example", "mentee", "Inès", "Marchal", status="invited"),
            "rita": _person("rita@a.example", "mentor", "Rita", "Marin", capacity=1),
            "ugo": _person("ugo@a.example", "mentor", "Ugo", "Marais", capacity=3),
        }
        Match.objects.create(mentee=found["max"], mentor=found["rita"], status="active")
        Match.objects.create(mentee=found["noe"], mentor=found["ugo"], status="proposed")
    with tenant_context(world.program_b):
        found["b_mentee"] = _person("paul@b.example", "mentee", "Paul", "Martin")
        found["b_mentor"] = _person("zoe@b.example", "mentor", "Zoé", "Martin")
    connection.set_schema_to_public()
    return found


def _offered(html: str, role: str) -> list[int]:
    """The ids offered as radios for `role`, in order."""
    return [int(pk) for pk in re.findall(rf'name="{role}" value="(\d+)"', html)]


def _checked(html: str, role: str) -> list[int]:
    return [int(pk) for pk in re.findall(rf'name="{role}" value="(\d+)" required checked', html)]


def _pairs(program) -> set[tuple[str, str, str]]:
    with tenant_context(program):
        rows = set(
            Match.objects.values_list(
                "mentee__user__first_name", "mentor__user__first_name", "status"
            )
        )
    connection.set_schema_to_public()
    return rows


@pytest.mark.django_db
def test_search_offers_only_the_people_this_programme_may_pair(world, people, manager_client):
    # when the manager looks for "mart" among the mentees and "mar" among the mentors
    mentees = manager_client.get(MENTEES, {"mentee_q": "mart"}, headers=HTMX)
    mentors = manager_client.get(MENTORS, {"mentor_q": "mar"}, headers=HTMX)
    # then only Léa and Noé are offered: Max has a mentor, Inès has not activated her account,
    # and programme B's Paul Martin does not exist here; names starting with the search first
    assert mentees.status_code == 200 and mentors.status_code == 200
    html = mentees.content.decode()
    assert _offered(html, "mentee") == [people["lea"].pk, people["noe"].pk]
    assert "2 résultats" in html
    assert "a déjà une proposition" in html and "ne se dit pas disponible" in html
    assert "Paul" not in html and "paul@b.example" not in html
    # and among the mentors only Ugo, with his places left: Rita is full, Zoé is in B
    html = mentors.content.decode()
    assert _offered(html, "mentor") == [people["ugo"].pk]
    assert "2 places libres sur 3" in html and "1 résultat" in html
    assert "Zoé" not in html
    # a search by email address finds the person too
    found = manager_client.get(MENTEES, {"mentee_q": "lea@a.ex"}, headers=HTMX).content.decode()
    assert _offered(found, "mentee") == [people["lea"].pk]


@pytest.mark.django_db
def test_search_answers_the_manager_only(world, people, password):
    # given a mentee, a mentor and an anonymous visitor of programme A
    mentee = logged_in(world.program_a, "lea@a.example")
    mentor = logged_in(world.program_a, "ugo@a.example")
    anonymous = host_client(world.program_a)
    for url, params in ((MENTEES, {"mentee_q": "mart"}), (MENTORS, {"mentor_q": "mar"})):
        # then neither participant gets the list, the visitor is sent to log in
        assert mentee.get(url, params, headers=HTMX).status_code == 403
        assert mentor.get(url, params, headers=HTMX).status_code == 403
        assert anonymous.get(url, params, headers=HTMX).status_code == 302
    # and programme B's manager, on B's site, finds nobody of A
    with tenant_context(world.program_b):
        _person("boss@b.example", "manager", "Bea", "Boss")
    connection.set_schema_to_public()
    b_manager = host_client(world.program_b)
    from conftest import http_login

    http_login(b_manager, "boss@b.example", password, second_factor=True)
    html = b_manager.get(MENTEES, {"mentee_q": "mart"}, headers=HTMX).content.decode()
    assert _offered(html, "mentee") == [people["b_mentee"].pk]
    assert "Léa" not in html


@pytest.mark.django_db
def test_search_needs_two_characters_and_keeps_the_chosen(world, people, manager_client):
    # when one character is typed
    html = manager_client.get(MENTEES, {"mentee_q": "m"}, headers=HTMX).content.decode()
    # then nobody is searched, and the live region says why
    assert _offered(html, "mentee") == []
    assert "Tapez au moins 2 caractères." in html
    assert 'id="pair-mentee-status" hx-swap-oob="innerHTML"' in html
    # the person already chosen stays offered, checked, whatever is typed
    kept = manager_client.get(
        MENTEES, {"mentee_q": "zzz", "mentee": people["lea"].pk}, headers=HTMX
    ).content.decode()
    assert _offered(kept, "mentee") == _checked(kept, "mentee") == [people["lea"].pk]
    assert "Personne ne correspond parmi les personnes que l’on peut mettre en binôme." in kept
    # but not once they can no longer be paired (Max has a mentor), nor a person of B
    for chosen in (people["max"].pk, people["b_mentee"].pk, "x1"):
        html = manager_client.get(
            MENTEES, {"mentee_q": "zzz", "mentee": chosen}, headers=HTMX
        ).content.decode()
        assert _offered(html, "mentee") == []


@pytest.mark.django_db
def test_search_shows_at_most_twenty_people(world, manager_client):
    # given 120 more people in programme A (about 30 mentees waiting, 60 mentors with room)
    with tenant_context(world.program_a):
        crowd_add(program=world.program_a, count=120)
    connection.set_schema_to_public()
    # when the manager searches what all of them share
    mentees = manager_client.get(MENTEES, {"mentee_q": "crowd"}, headers=HTMX).content.decode()
    mentors = manager_client.get(MENTORS, {"mentor_q": "Prénom"}, headers=HTMX).content.decode()
    # then twenty of each are offered, by name, and the manager is told to refine
    assert len(_offered(mentees, "mentee")) == PAIR_CHOICES
    assert len(_offered(mentors, "mentor")) == PAIR_CHOICES
    assert "Les 20 premiers résultats : précisez la recherche." in mentees
    names = re.findall(r"Prénom\d+ (Nom\d+)", mentees)
    assert names == sorted(names) and len(names) == PAIR_CHOICES


def _pair_form(html: str) -> str:
    return html.split('<form id="pair-form"')[1].split("</form>")[0]


@pytest.mark.django_db
def test_the_pairs_page_does_not_grow_with_the_programme(world, people, manager_client):
    searched = {"mentee_q": "crowd", "mentor_q": "crowd"}

    def measure(params: dict) -> tuple[str, int]:
        manager_client.get(PAGE, params)  # the caches warm
        with CaptureQueriesContext(connection) as queries:
            response = manager_client.get(PAGE, params)
        connection.set_schema_to_public()
        assert response.status_code == 200
        return _pair_form(response.content.decode()), len(queries)

    # given the pairs page of the small programme, without and with a search
    small_form, small_queries = measure({})
    small_search_form, small_search_queries = measure(searched)
    # when the programme grows to 500 people
    with tenant_context(world.program_a):
        crowd_add(program=world.program_a, count=494)
    connection.set_schema_to_public()
    large_form, large_queries = measure({})
    large_search_form, large_search_queries = measure(searched)
    # then the pairing form is the same without a search (nobody listed); the searches cost no
    # more queries (the page's paginated lists are guarded by tests/test_page_queries.py: here
    # they fill up, from empty); and a search shows at most twenty people per role
    assert len(large_form) == len(small_form) and _offered(large_form, "mentee") == []
    assert large_search_queries - large_queries <= small_search_queries - small_queries == 2
    assert len(_offered(large_search_form, "mentee")) == PAIR_CHOICES
    assert len(_offered(large_search_form, "mentor")) == PAIR_CHOICES
    assert len(large_search_form) < len(small_search_form) + 2 * PAIR_CHOICES * 400


@pytest.mark.django_db
def test_without_javascript_the_manager_searches_chooses_and_pairs(world, people, manager_client):
    lea, ugo = people["lea"], people["ugo"]
    # when the manager searches a mentee with the form's search button
    response = manager_client.post(
        "/gestion/binomes/ajouter/", {"action": "chercher", "mentee_q": "léa", "mentor_q": ""}
    )
    # then the page comes back with the results
    assert response.status_code == 302
    assert response["Location"] == f"{PAGE}?mentee_q=l%C3%A9a#add-title"
    page = manager_client.get(response["Location"]).content.decode()
    assert _offered(page, "mentee") == [lea.pk] and "1 résultat" in page
    assert 'value="léa"' in page
    # when they choose Léa and search a mentor, Léa stays chosen
    response = manager_client.post(
        "/gestion/binomes/ajouter/",
        {"action": "chercher", "mentee_q": "léa", "mentee": lea.pk, "mentor_q": "ugo", "now": "1"},
    )
    page = manager_client.get(response["Location"]).content.decode()
    assert _checked(page, "mentee") == [lea.pk]
    assert _offered(page, "mentor") == [ugo.pk]
    assert 'id="add-now" name="now" value="1" checked' in page
    # when they pair them, activated at once
    response = manager_client.post(
        "/gestion/binomes/ajouter/",
        {"action": "former", "mentee": lea.pk, "mentor": ugo.pk, "now": "1"},
        follow=True,
    )
    # then the pair is active, and the form is empty again
    assert "Binôme formé." in response.content.decode()
    assert response.redirect_chain[-1][0] == PAGE
    assert ("Léa", "Ugo", "active") in _pairs(world.program_a)
    with tenant_context(world.program_a):
        from audit.models import AuditEvent

        assert AuditEvent.objects.filter(
            action="matching.manual_pair_created", actor_user_id=world.manager_a.pk
        ).exists()
    connection.set_schema_to_public()


@pytest.mark.django_db
def test_a_refused_pair_says_why_and_keeps_the_other_choice(world, people, manager_client):
    lea, rita = people["lea"], people["rita"]
    before = _pairs(world.program_a)
    # when the manager, from a stale page, pairs Léa with Rita, who is full now
    response = manager_client.post(
        "/gestion/binomes/ajouter/",
        {"action": "former", "mentee_q": "léa", "mentee": lea.pk, "mentor": rita.pk, "now": "1"},
        follow=True,
    )
    # then nothing changed, the reason is shown, and Léa is still chosen
    page = response.content.decode()
    assert _pairs(world.program_a) == before
    assert "Ce mentor n’a plus de place." in page
    assert _checked(page, "mentee") == [lea.pk]
    # and a form sent without a mentor says what is missing, the mentee kept
    response = manager_client.post(
        "/gestion/binomes/ajouter/", {"action": "former", "mentee": lea.pk}, follow=True
    )
    page = response.content.decode()
    assert "Choisissez un(e) mentoré(e) et un mentor : cherchez chacun par son nom." in page
    assert _checked(page, "mentee") == [lea.pk]
    assert _pairs(world.program_a) == before
    # and a proposal for a mentee who has one already is refused with its reason
    response = manager_client.post(
        "/gestion/binomes/ajouter/",
        {"action": "former", "mentee": people["noe"].pk, "mentor": people["ugo"].pk},
        follow=True,
    )
    assert "Ces deux personnes ont déjà formé un binôme." in response.content.decode()
    assert _pairs(world.program_a) == before


@pytest.mark.django_db
def test_a_hostile_name_stays_text_in_the_results(world, manager_client):
    # given a mentee whose name is markup with an htmx attribute
    with tenant_context(world.program_a):
        hostile = _person("ho@a.example", "mentee", '"><b hx-get="/x">Hostile', "O'Brien & Fils")
    connection.set_schema_to_public()
    # when the manager finds her, through the endpoint and on the page
    for url, params in ((MENTEES, {"mentee_q": "hostile"}), (PAGE, {"mentee_q": "hostile"})):
        html = manager_client.get(url, params, headers=HTMX).content.decode()
        # then the name is escaped text, inside the results that carry hx-disable
        assert _offered(html, "mentee") == [hostile.pk]
        assert '<b hx-get="/x">' not in html
        assert "&quot;&gt;&lt;b hx-get=&quot;/x&quot;&gt;Hostile O&#x27;Brien &amp; Fils" in html
        results = html.split('id="pair-mentee-choices"')[1].split(">")[0]
        assert "hx-disable" in results


@pytest.mark.django_db
def test_the_search_opened_outside_htmx_shows_the_whole_page(world, people, manager_client):
    # when the search's address is opened directly (a new tab, a bookmark)
    response = manager_client.get(MENTEES, {"mentee_q": "mart", "mentee": people["lea"].pk})
    # then the pairs page answers, with the search and the choice kept
    assert response.status_code == 302
    assert response["Location"].startswith(PAGE + "?")
    page = manager_client.get(response["Location"]).content.decode()
    assert '<footer class="site-footer"' in page
    assert _checked(page, "mentee") == [people["lea"].pk]
