"""Pages that do not grow (issue 17 point 4): the shared pagination and search component
(saas/core/pagination.py, templates/includes/pagination.html), through the pages that use it."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from audit.models import AuditEvent
from conftest import host_client, http_login
from saas.core.tenancy import connection
from tenants.models import Domain, Program
from tests.crowd import crowd_add

PROGRAMME = re.compile(r'href="/console/programmes/\d+/"')
ROW = re.compile(r'<th scope="row"><a href="/gestion/participants/\d+/">')


def _crowd(world, count: int) -> None:
    with tenant_context(world.program_a):
        crowd_add(program=world.program_a, count=count)
    connection.set_schema_to_public()


def _nav(body: str) -> str:
    found = re.search(r'<nav class="pagination" aria-label="[^"]+">.*?</nav>', body, re.S)
    assert found, "no pagination"
    return found.group(0)


def _current(body: str) -> str:
    found = re.search(r'<a href="([^"]+)" aria-current="page">', _nav(body))
    assert found
    return parse_qs(urlsplit(found.group(1)).query)["page"][0]


@pytest.mark.django_db
def test_the_participant_list_comes_by_pages_of_50(world, manager_client):
    # given 64 people in the programme (4 of the world, 60 more)
    _crowd(world, 60)
    # when the manager opens the list, then its second page
    first = manager_client.get("/gestion/participants/").content.decode()
    second = manager_client.get("/gestion/participants/?page=2").content.decode()
    # then 50 rows, then the rest, with an accessible navigation between them
    assert len(ROW.findall(first)) == 50
    assert len(ROW.findall(second)) == 64 - 50
    nav = _nav(first)
    assert 'aria-label="Pages des participants"' in nav
    assert _current(first) == "1" and _current(second) == "2"
    assert 'href="?page=2" rel="next"' in nav and "Page suivante" in nav
    assert "Lignes 1 à 50 sur 64" in nav


@pytest.mark.django_db
def test_a_page_out_of_range_is_the_last_and_the_page_size_is_bounded(world, manager_client):
    _crowd(world, 60)
    # a page past the end shows the last one; a page that is not a number, the first
    assert _current(manager_client.get("/gestion/participants/?page=999").content.decode()) == "2"
    assert _current(manager_client.get("/gestion/participants/?page=x").content.decode()) == "1"
    # the size asked for is held between 10 and 200
    huge = manager_client.get("/gestion/participants/?per_page=100000").content.decode()
    tiny = manager_client.get("/gestion/participants/?per_page=1").content.decode()
    assert len(ROW.findall(huge)) == 64
    assert len(ROW.findall(tiny)) == 10


@pytest.mark.django_db
def test_the_search_keeps_the_filters_across_pages_and_stays_in_the_programme(
    world, manager_client
):
    # given 60 more people: Prénom0 … Prénom59 (mentees the even ones)
    _crowd(world, 60)
    # when the manager searches "Prénom1" among mentors, 10 a page
    response = manager_client.get(
        "/gestion/participants/", {"q": "prénom1", "role": "mentor", "per_page": "10"}
    )
    body = response.content.decode()
    # then only the matching mentors: Prénom1, 11, 13, …, 19 (6 people), on one page
    names = sorted(re.findall(r">(Prénom\d+) Nom", body))
    assert names == sorted(f"Prénom{i}" for i in (1, 11, 13, 15, 17, 19))
    assert 'value="prénom1"' in body  # the search box keeps what was typed
    # and across pages the search and the filters are kept
    response = manager_client.get("/gestion/participants/", {"q": "prénom", "per_page": "10"})
    nav = _nav(response.content.decode())
    next_link = re.search(r'href="([^"]+)" rel="next"', nav).group(1)
    assert parse_qs(urlsplit(next_link.replace("&amp;", "&")).query) == {
        "q": ["prénom"],
        "per_page": ["10"],
        "page": ["2"],
    }
    # a person of programme B is never found from A
    body = manager_client.get("/gestion/participants/", {"q": "mentee-b"}).content.decode()
    assert ROW.findall(body) == []
    assert "0 résultat" in body


@pytest.mark.django_db
def test_the_console_lists_programmes_by_page_and_searches_them(world, password):
    console = host_client(None)
    http_login(console, world.staff.email, password, second_factor=True)
    console.get("/console/")  # the caches warm
    with CaptureQueriesContext(connection) as with_two:
        console.get("/console/")
    # given 120 more programmes (rows of public: what the list reads)
    client_row = world.program_a.client
    programs = Program.objects.bulk_create(
        Program(
            schema_name=f"page_{i}",
            client=client_row,
            name=f"Parcours {i:03d}",
            slug=f"parcours-{i}",
            status=Program.Status.READY,
        )
        for i in range(120)
    )
    Domain.objects.bulk_create(Domain(domain=p.host, tenant=p, is_primary=True) for p in programs)
    # when the super-admin opens the console, then searches
    with CaptureQueriesContext(connection) as with_many:
        body = console.get("/console/").content.decode()
    found = console.get("/console/", {"q": "parcours 11"}).content.decode()
    # then 50 programmes a page, and the search narrows them
    assert len(PROGRAMME.findall(body)) == 50
    assert 'aria-label="Pages des programmes"' in body
    assert len(PROGRAMME.findall(found)) == 11  # every word found: Parcours 011, 110 … 119
    assert "11 résultats" in found
    # and the page costs the same queries with 2 or 122 programmes
    assert len(with_many) == len(with_two)


@pytest.mark.django_db
def test_the_audit_log_pages_back_in_time_without_counting(world, manager_client):
    # given 250 entries in the programme's log
    with tenant_context(world.program_a):
        AuditEvent.objects.bulk_create(
            AuditEvent(action="participant.invited", actor_role="manager", target_id=str(i))
            for i in range(250)
        )
        newest = list(AuditEvent.objects.order_by("-pk").values_list("pk", flat=True))
    connection.set_schema_to_public()
    # when the manager reads the log, then follows "older entries"
    first = manager_client.get("/gestion/journal/").content.decode()
    older = re.search(r'<a href="([^"]+)" rel="next">', first).group(1).replace("&amp;", "&")
    second = manager_client.get("/gestion/journal/" + older).content.decode()
    # then the second page starts right after the first one, and leads back to the newest
    assert parse_qs(urlsplit(older).query)["avant"] == [str(newest[199])]
    assert first.count("<tr><td data-label") == 200
    assert second.count("<tr><td data-label") == len(newest) - 200
    assert "Entrées les plus récentes" in second and 'rel="next"' not in second


@pytest.mark.django_db
def test_a_long_thread_shows_its_latest_messages_and_links_to_older_ones(world, password):
    from tenant_apps.matching.services import match_create_manual
    from tenant_apps.mentoring.models import Message
    from tenant_apps.mentoring.selectors import THREAD_SHOWN
    from tenant_apps.participants.models import Participant

    # given a pair with 250 messages
    with tenant_context(world.program_a):
        mentee = Participant.objects.get(user=world.mentee_a)
        mentor = Participant.objects.get(user=world.both)
        match = match_create_manual(mentee=mentee, mentor=mentor)
        Message.objects.bulk_create(
            Message(match=match, author=mentee, body=f"Message n°{i}") for i in range(250)
        )
    connection.set_schema_to_public()
    client = host_client(world.program_a)
    http_login(client, world.mentee_a.email, password)
    # when the mentee opens the thread, then the older messages
    latest = client.get(f"/binome/{match.pk}/messages/").content.decode()
    older_link = re.search(r'<a href="(\?avant=\d+)" rel="prev">', latest).group(1)
    older = client.get(f"/binome/{match.pk}/messages/{older_link}").content.decode()
    # then the latest 200 first, then the 50 before them, oldest first, with a way back
    shown = [int(n) for n in re.findall(r"Message n°(\d+)<", latest)]
    assert shown == list(range(250 - THREAD_SHOWN, 250))
    assert [int(n) for n in re.findall(r"Message n°(\d+)<", older)] == list(range(50))
    assert "Messages plus anciens" in latest and 'rel="prev"' not in older
    assert "Derniers messages" in older
