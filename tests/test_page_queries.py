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

The programme is measured with its 5 participants (the data of every table, as the hostile
walk writes it), then with 495 more written by bulk inserts (tests/crowd.py); all of it inside
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

SMALL, LARGE = 5, 500
PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")
ALIASES = {"mentor": "participant", "request": "matchrequest"}  # names of the id parameters
CANDIDATES = 12  # rows tried per id parameter, until someone may open the page

# Pages of the programme URLconf that no visitor of this walk can GET (route → why). Checked
# to be exactly the routes left unmeasured: a stale or missing entry fails the test.
EXCLUDED: dict[str, str] = {}

TENANT_ENDPOINTS = [e for e in endpoints(settings.ROOT_URLCONF)]


@dataclass
class Measures:
    """Per route: the URL measured and {visitor: queries} with 5 and with 500 people."""

    urls: dict[str, str] = field(default_factory=dict)
    small: dict[str, dict[str, int]] = field(default_factory=dict)
    large: dict[str, dict[str, int | str]] = field(default_factory=dict)
    participants: dict[int, int] = field(default_factory=dict)


def _count(client: Client, url: str) -> tuple[int, int]:
    """(status, queries) of the second GET of `url` (the first warms the caches)."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    connection.set_schema_to_public()
    return response.status_code, len(captured)


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


def _matching_mode(program: Any, mode: str) -> None:
    from tenant_apps.programs.models import ProgramSettings

    with tenant_context(program):
        ProgramSettings.objects.update(matching_mode=mode)
    connection.set_schema_to_public()
    for alias in ("default", "global"):
        caches[alias].clear()


def _measure_small(
    visitors: dict[str, dict[str, Client]], program: Any, measures: Measures
) -> None:
    """Find, for each route, a URL someone may open, and its cost for each who may."""
    for endpoint in TENANT_ENDPOINTS:
        if endpoint.name in ("healthz", "readyz"):  # they end the session (see hostile walk)
            continue
        for url in _candidate_urls(endpoint, program):
            costs = {}
            for mode, clients in visitors.items():
                _matching_mode(program, mode)
                for who, client in clients.items():
                    status, queries = _count(client, url)
                    if status == 200:
                        costs[f"{who} ({mode})"] = queries
            if costs:
                measures.urls[endpoint.route] = url
                measures.small[endpoint.route] = costs
                break


def _measure_large(
    visitors: dict[str, dict[str, Client]], program: Any, measures: Measures
) -> None:
    for route, url in measures.urls.items():
        costs: dict[str, int | str] = {}
        for mode, clients in visitors.items():
            _matching_mode(program, mode)
            for who, client in clients.items():
                key = f"{who} ({mode})"
                if key in measures.small[route]:
                    status, queries = _count(client, url)
                    costs[key] = queries if status == 200 else f"status {status}"
        measures.large[route] = costs


def _participants(program: Any) -> int:
    from tenant_apps.participants.models import Participant

    with tenant_context(program):
        count = Participant.objects.count()
    connection.set_schema_to_public()
    return count


@pytest.fixture(scope="module")
def measures(world: Any, django_db_blocker: Any) -> Iterator[Measures]:
    from tests.security.test_hostile_content import _programme_with_data

    password = "correct horse battery staple"
    program = world.program_a
    measures = Measures()
    with django_db_blocker.unblock(), transaction.atomic():
        for alias in ("default", "global"):
            caches[alias].clear()
        with tenant_context(program):
            _programme_with_data(world)
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
            "choice": {
                "mentor": participants["mentor"],
                "waiting mentee": participants["waiting mentee"],
            },
        }
        _measure_small(visitors, program, measures)
        with tenant_context(program):
            crowd_add(program=program, count=LARGE - measures.participants[SMALL])
        connection.set_schema_to_public()
        measures.participants[LARGE] = _participants(program)
        _measure_large(visitors, program, measures)
        _matching_mode(program, "manager")
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
    if route in ("healthz", "readyz"):
        pytest.skip("health probes: no database query, and they end the session")
    assert measures.participants == {SMALL: SMALL, LARGE: LARGE}
    assert route in measures.urls, f"{route}: no visitor could open it; exclude it with a reason"
    small, large = measures.small[route], measures.large[route]
    grown = {
        who: (small[who], large[who])
        for who in small
        if not isinstance(large[who], int) or large[who] > small[who]
    }
    assert grown == {}, f"{measures.urls[route]}: (queries with 5, with 500) {grown}"


def test_the_exclusions_are_exactly_the_pages_nobody_could_open(measures):
    routes = {e.route for e in TENANT_ENDPOINTS} - {"healthz", "readyz"}
    assert set(EXCLUDED) - routes == set(), "excluded routes that do not exist"
    assert {r for r in routes if r not in measures.urls} == set(EXCLUDED), (
        "EXCLUDED must list exactly the pages no visitor could open"
    )
    assert all(reason.strip() for reason in EXCLUDED.values())
    # and the walk measured most of the product, for the manager and the participants
    assert len(measures.urls) >= 50
    assert sum("manager (manager)" in costs for costs in measures.small.values()) >= 25
    assert sum("mentee (manager)" in costs for costs in measures.small.values()) >= 20
