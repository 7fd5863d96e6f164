"""Queries that do not grow (issue 17 point 4): every page of the programme URLconf costs, for
each person who may see it, no more queries with 500 participants in the programme than with 5.

The pages are not listed by hand: they are read from the resolver like the isolation walk
(tests/isolation.py), each id parameter filled with the rows of the model it names (like the
hostile walk). Each page is requested by an anonymous visitor, a mentee with a mentor, their
mentor, a mentee waiting for a mentor and a manager (and, in the mentee-choice matching mode,
by the two participants it changes), twice — the second request counted, once the per-host
caches are warm. Pages that no one of them can open (POST-only actions, token links, the API
with its own authentication...) are in EXCLUDED with the reason; the table is checked to be
exactly the pages that could not be measured, so a new page is guarded or explained.

The programme is measured with the hostile walk's data in every table (6 people: the world's
4, a second mentee and mentor), then with 494 more written by bulk inserts (tests/crowd.py):
"5" below stands for that small programme, 500 for the large one. All of it inside
one transaction rolled back at the end of the module, so the session's world is untouched and
the module costs a few seconds per hundred pages.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from conftest import host_client, http_login
from saas.core.tenancy import connection
from tests.crowd import crowd_add
from tests.isolation import SAMPLES, Endpoint, endpoints

# The measures are taken in a module fixture; the mark makes pytest-django set up the database.
pytestmark = pytest.mark.django_db

SMALL, LARGE = 5, 500
PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")
ALIASES = {"mentor": "participant", "request": "matchrequest"}  # names of the id parameters
CANDIDATES = 12  # rows tried per id parameter, until someone may open the page

# Pages of the programme URLconf that no visitor of this walk can GET (route → why). Checked
# to be exactly the routes left unmeasured: a stale or missing entry fails the test.
POST_ONLY = "POST-only (405 on GET): an action, then a redirect to a page guarded here"
TOKEN = "a one-time token link: the walk's sample token is refused; one person's form behind it"
API = "REST API / SCIM: token authentication (sessions get 401/403); cursor-paginated lists"
EXCLUDED: dict[str, str] = {
    "healthz": "health probe, not requested: no database query, and it ends the session",
    "readyz": "health probe, not requested: it ends the session (see the hostile walk)",
    "deconnexion/": "POST-only (Django's LogoutView)",
    "inscription/": "self-registration is closed in the walk's programme (the default); a form",
    "acces/<str:token>/": TOKEN,
    "mot-de-passe/nouveau/<str:token>/": TOKEN,
    "retours/lien/<str:token>/": TOKEN,
    "compte/lien-de-connexion/<str:token>/": TOKEN,
    "icones/<slug:name>.png": "manifest icons by fixed names (the sample name is a 404); no rows",
    "marque/logo.png": "the walk's programme has no logo (404); a file, no list",
    "profil/photo/<int:participant_id>/": "no photo in the walk's data (404); one file",
    "rendez-vous/<int:meeting_id>/visio": "refused until the video room opens near the meeting",
    "gestion/export/<slug:kind>.<slug:file_format>": (
        "a download of every row of the programme (CSV/XLSX): it grows by design; the sample "
        "slugs are a 404"
    ),
    "gestion/export/retours/<int:survey_id>.<slug:file_format>": (
        "a download of every answer of a survey (CSV/XLSX): it grows by design"
    ),
    "gestion/participants/<int:participant_id>/effacer/": POST_ONLY,
    "gestion/participants/<int:participant_id>/<slug:action>/": POST_ONLY,
    "gestion/questionnaire/<int:question_id>/<slug:action>/": POST_ONLY,
    "binome/demander/<int:mentor_id>/": POST_ONLY,
    "binome/demandes/<int:request_id>/<slug:answer>/": POST_ONLY,
    "gestion/binomes/lancer/": POST_ONLY,
    "gestion/binomes/ajouter/": POST_ONLY,
    "gestion/binomes/<int:match_id>/<slug:action>/": POST_ONLY,
    "rendez-vous/<int:meeting_id>/accepter/": POST_ONLY,
    "rendez-vous/<int:meeting_id>/refuser/": POST_ONLY,
    "rendez-vous/<int:meeting_id>/bilan/": POST_ONLY,
    "rendez-vous/<int:meeting_id>/notes/": POST_ONLY,
    "rendez-vous/<int:meeting_id>/suites/": POST_ONLY,
    "binome/<int:match_id>/objectifs/": POST_ONLY,
    "binome/objectifs/<int:goal_id>/statut/": POST_ONLY,
    "binome/objectifs/<int:goal_id>/supprimer/": POST_ONLY,
    "gestion/api/cles/<int:apikey>/revoquer/": POST_ONLY,
    "gestion/retours/<int:survey_id>/envoyer/": POST_ONLY,
    "compte/double-authentification/codes/": POST_ONLY,
    "compte/double-authentification/desactiver/": POST_ONLY,
    "compte/deconnexion-partout/": POST_ONLY,
    "api/v1/participants/": API,
    "api/v1/participants/<int:participant>/": API,
    "api/v1/participants/<int:participant>/deactivate/": API,
    "api/v1/pairs/": API,
    "api/v1/pairs/<int:match>/end/": API,
    "api/v1/meetings/": API,
    "api/v1/statistics/": API,
    "api/v1/surveys/": API,
    "api/v1/surveys/<int:survey>/results/": API,
    "scim/v2/Users": API,
    "scim/v2/Users/<int:participant>": API,
}
NOT_REQUESTED = {"healthz", "readyz"}

TENANT_ENDPOINTS = [e for e in endpoints(settings.ROOT_URLCONF)]


@dataclass
class Measures:
    """Per route: the URL measured and {visitor: queries} with 5 and with 500 people."""

    urls: dict[str, str] = field(default_factory=dict)
    small: dict[str, dict[str, int]] = field(default_factory=dict)
    large: dict[str, dict[str, int | str]] = field(default_factory=dict)
    participants: dict[int, int] = field(default_factory=dict)


def _count(client: Client, url: str) -> int | None:
    """Queries of a GET of `url`; None unless it answers 200. Both programme sizes request the
    same pages in the same order after the same cache flushes, so the caches are in the same
    state for each measure (no warm-up request per page: that would double the walk)."""
    with CaptureQueriesContext(connection) as captured:
        # as htmx asks: the routes that answer htmx with a fragment (the pairing form's
        # searches) are measured as they are used; every other page ignores the header
        response = client.get(url, headers={"HX-Request": "true"})
    connection.set_schema_to_public()
    return len(captured) if response.status_code == 200 else None


def _candidate_urls(endpoint: Endpoint, program: Any) -> Iterator[str]:
    """The endpoint's URL, its id parameter filled with the first rows of the model it names
    (the sample values of tests/isolation.py for the other parameters)."""
    ids = [(c, n) for c, n in PARAM.findall(endpoint.route) if c == "int"]
    if not ids:
        yield endpoint.url
        return
    assert len(ids) == 1, f"{endpoint.route}: teach the guard about two ids"
    name = ids[0][1].removesuffix("_id")
    model_name = ALIASES.get(name, name)
    models = [m for m in apps.get_models() if m._meta.model_name == model_name]
    assert len(models) == 1, f"{endpoint.route}: which model does {ids[0][1]} name?"
    with tenant_context(program):
        pks = list(models[0]._default_manager.order_by("pk").values_list("pk", flat=True))
    connection.set_schema_to_public()
    for pk in pks[:CANDIDATES]:

        def replace(match: re.Match[str], pk: Any = pk) -> str:
            conv = match.group("conv") or "str"
            return str(pk) if conv == "int" else SAMPLES[conv]

        yield "/" + PARAM.sub(replace, endpoint.route)


def _login(program: Any, email: str, password: str, *, second_factor: bool = False) -> Client:
    client = host_client(program)
    http_login(client, email, password, second_factor=second_factor)
    client.raise_request_exception = False
    return client


def _matching_mode(program: Any, mode: str, clients: dict[str, Client]) -> None:
    """The programme in `mode`, the caches emptied then warmed by each visitor's home page."""
    from tenant_apps.programs.models import ProgramSettings

    with tenant_context(program):
        ProgramSettings.objects.update(matching_mode=mode)
    connection.set_schema_to_public()
    for alias in ("default", "global"):
        caches[alias].clear()
    for client in clients.values():
        client.get("/")
    connection.set_schema_to_public()


def _measure_small(
    visitors: dict[str, dict[str, Client]], program: Any, measures: Measures
) -> None:
    """Find, for each route, a URL someone may open (in the first matching mode that lets
    anyone), and its cost for each who may, in each mode."""
    for mode, clients in visitors.items():
        _matching_mode(program, mode, clients)
        for endpoint in TENANT_ENDPOINTS:
            if endpoint.route in NOT_REQUESTED:
                continue
            known = measures.urls.get(endpoint.route)
            candidates = [known] if known else list(_candidate_urls(endpoint, program))
            if endpoint.route in EXCLUDED:  # one try, to catch an exclusion gone stale
                candidates = candidates[:1]
            for url in candidates:
                costs = {f"{who} ({mode})": _count(client, url) for who, client in clients.items()}
                opened = {who: queries for who, queries in costs.items() if queries is not None}
                if opened:
                    measures.urls[endpoint.route] = url
                    measures.small.setdefault(endpoint.route, {}).update(opened)
                    break


def _measure_large(
    visitors: dict[str, dict[str, Client]], program: Any, measures: Measures
) -> None:
    for mode, clients in visitors.items():
        _matching_mode(program, mode, clients)
        for route, url in measures.urls.items():
            for who, client in clients.items():
                key = f"{who} ({mode})"
                if key in measures.small[route]:
                    queries = _count(client, url)
                    measures.large.setdefault(route, {})[key] = (
                        queries if queries is not None else "refused"
                    )


def _participants(program: Any) -> int:
    from tenant_apps.participants.models import Participant

    with tenant_context(program):
        count = Participant.objects.count()
    connection.set_schema_to_public()
    return count


@pytest.fixture(scope="module")
def measures(world: Any, django_db_blocker: Any) -> Iterator[Measures]:
    from tenant_apps.matching.models import MatchRequest
    from tenant_apps.participants.models import Participant
    from tests.security.test_hostile_content import _programme_with_data

    password = "correct horse battery staple"
    program = world.program_a
    measures = Measures()
    # A signed-in session is written back at most once a minute (its idle clock): on a slow
    # machine the walk takes minutes, and that write (3 statements) would land on whichever
    # page comes at that second, in one walk and not the other. Not during the walk.
    with pytest.MonkeyPatch.context() as patch, django_db_blocker.unblock(), transaction.atomic():
        patch.setattr("shared_apps.accounts.middleware.TOUCH_EVERY_SECONDS", 10**9)
        for alias in ("default", "global"):
            caches[alias].clear()
        with tenant_context(program):
            _programme_with_data(world)
            # a mentor with room whom the waiting mentee has not asked yet, so that their
            # suggestions are not empty (an empty list skips queries: no comparison then)
            Participant.objects.filter(user=world.both).update(capacity=3)
            MatchRequest.objects.filter(mentee__user__email="mentee2@a.example").delete()
        connection.set_schema_to_public()
        measures.participants[SMALL] = _participants(program)
        participants = {
            "mentee": _login(program, world.mentee_a.email, password),
            "mentor": _login(program, world.both.email, password),
            "waiting mentee": _login(program, "mentee2@a.example", password),
        }
        anonymous = host_client(program)
        anonymous.raise_request_exception = False
        visitors = {
            "manager": {
                "anonymous": anonymous,
                **participants,
                "manager": _login(program, world.manager_a.email, password, second_factor=True),
            },
            # what the mode changes: a mentee without a mentor chooses among suggestions
            "choice": {"waiting mentee": participants["waiting mentee"]},
        }
        _measure_small(visitors, program, measures)
        with tenant_context(program):
            crowd_add(program=program, count=LARGE - measures.participants[SMALL])
        connection.set_schema_to_public()
        measures.participants[LARGE] = _participants(program)
        _measure_large(visitors, program, measures)
        transaction.set_rollback(True)
    connection.set_schema_to_public()
    for alias in ("default", "global"):
        caches[alias].clear()
    yield measures


@pytest.mark.parametrize(
    "route",
    [e.route for e in TENANT_ENDPOINTS if e.route not in EXCLUDED],
    ids=lambda route: route or "/",
)
def test_a_page_costs_no_more_queries_with_500_participants_than_with_5(measures, route):
    # the world's programme A holds 6 people with the hostile walk's data (its first manager
    # too), then 500
    assert measures.participants[SMALL] <= SMALL + 1 and measures.participants[LARGE] == LARGE
    assert route in measures.urls, f"{route}: no visitor could open it; exclude it with a reason"
    small, large = measures.small[route], measures.large[route]
    grown = {
        who: (small[who], large[who])
        for who in small
        if not isinstance(large[who], int) or large[who] > small[who]
    }
    assert grown == {}, f"{measures.urls[route]}: (queries with 5, with 500) {grown}"


def test_the_exclusions_are_exactly_the_pages_nobody_could_open(measures):
    routes = {e.route for e in TENANT_ENDPOINTS}
    assert set(EXCLUDED) - routes == set(), "excluded routes that do not exist"
    assert {r for r in routes if r not in measures.urls} == set(EXCLUDED), (
        "EXCLUDED must list exactly the pages no visitor could open"
    )
    assert all(reason.strip() for reason in EXCLUDED.values())
    # and the walk measured most of the product, for the manager and the participants
    assert len(measures.urls) >= 50
    assert sum("manager (manager)" in costs for costs in measures.small.values()) >= 25
    assert sum("mentee (manager)" in costs for costs in measures.small.values()) >= 20


def test_the_guard_sees_an_n_plus_1(world, password, monkeypatch):
    # given the manager's list of participants without its select_related: one more query per
    # person shown (their name is on their account)
    import tenant_apps.participants.views as participant_views

    listed = participant_views.participants_for_manager
    monkeypatch.setattr(
        participant_views,
        "participants_for_manager",
        lambda **filters: listed(**filters).select_related(None),
    )
    manager = _login(world.program_a, world.manager_a.email, password, second_factor=True)
    manager.get("/gestion/participants/")  # the caches warm
    people = _participants(world.program_a)
    small = _count(manager, "/gestion/participants/")
    # when the programme grows by 60 people
    with tenant_context(world.program_a):
        crowd_add(program=world.program_a, count=60)
    connection.set_schema_to_public()
    large = _count(manager, "/gestion/participants/")
    # then the walk's measure sees the page grow, by one query per row of the page
    assert small is not None and large is not None
    assert large - small == 50 - people
