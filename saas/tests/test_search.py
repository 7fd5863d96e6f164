"""Search ignores accents as well as case (saas/core/search.py): the SQL function every list's
search goes through, and the lists themselves, through their pages."""

import re
import unicodedata

import pytest
from django.db import connection as db
from django_tenants.utils import tenant_context

from conftest import PASSWORD, host_client, http_login
from saas.core.search import fold
from saas.core.tenancy import connection
from shared_apps.accounts.models import User
from tenant_apps.participants.services import participant_add
from tenants.models import Client

ROW_NAME = re.compile(r'<th scope="row"><a href="/gestion/participants/\d+/">([^<]+)</a>')
LETTERS = "".join(
    chr(cp) for cp in range(0xC0, 0x180) if unicodedata.category(chr(cp)).startswith("L")
)


def _sql_fold(text: str) -> str:
    with db.cursor() as cursor:
        cursor.execute("SELECT public.binome_unaccent(%s)", [text])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_the_sql_function_folds_every_latin_letter_as_python_does(world):
    # every letter of Latin-1 Supplement and Latin Extended-A, folded by PostgreSQL and by
    # saas.core.search.fold, in one string and one at a time
    assert _sql_fold(LETTERS) == fold(LETTERS)
    assert [_sql_fold(letter) for letter in "ÉéœŒæß"] == ["E", "e", "oe", "OE", "ae", "ss"]
    # every letter that is a base letter plus accents loses its accents
    for letter in LETTERS:
        base = "".join(
            c for c in unicodedata.normalize("NFD", letter) if not unicodedata.combining(c)
        )
        if base != letter:
            assert fold(letter) == base, letter
    # and what has no accent is left as it was: ASCII, digits, punctuation, LIKE's wildcards
    plain = "Marie-Claire O'Neil 50%_\\ 2027 @ucanss.fr"
    assert _sql_fold(plain) == plain == fold(plain)


@pytest.mark.django_db
def test_the_function_answers_the_same_inside_a_programme(world):
    with tenant_context(world.program_a):
        assert _sql_fold("Hélène") == "Helene"  # schema-qualified: any search_path reaches it
    connection.set_schema_to_public()


@pytest.fixture
def accented(world):
    """Programme A: Hélène Œuvray, François Ségur and Helene Dupont (no accent); programme B:
    Hélène Bérard."""

    def person(email: str, first: str, last: str) -> None:
        user = User.objects.create_user(
            email=email, password=PASSWORD, first_name=first, last_name=last
        )
        participant_add(user=user, role="mentee")

    with tenant_context(world.program_a):
        person("helene.oeuvray@a.example", "Hélène", "Œuvray")
        person("francois@a.example", "François", "Ségur")
        person("helene.dupont@a.example", "Helene", "Dupont")
    with tenant_context(world.program_b):
        person("helene.berard@b.example", "Hélène", "Bérard")
    connection.set_schema_to_public()


def _found(manager_client, query: str) -> list[str]:
    body = manager_client.get("/gestion/participants/", {"q": query}).content.decode()
    return sorted(ROW_NAME.findall(body))


@pytest.mark.django_db
def test_a_manager_finds_people_whatever_the_accents_typed(world, accented, manager_client):
    # typed without accents, with them, in capitals: the same people, of this programme only
    helenes = ["Helene Dupont", "Hélène Œuvray"]
    assert _found(manager_client, "helene") == helenes
    assert _found(manager_client, "Hélène") == helenes
    assert _found(manager_client, "HELÈNE") == helenes
    assert _found(manager_client, "francois segur") == ["François Ségur"]
    assert _found(manager_client, "oeuvray") == ["Hélène Œuvray"]
    assert _found(manager_client, "berard") == []  # programme B's Hélène Bérard stays in B
    # LIKE's wildcards typed in the box are still plain characters
    assert _found(manager_client, "_") == [] and _found(manager_client, "%") == []


@pytest.mark.django_db
def test_the_pairing_search_ignores_accents(world, accented, manager_client):
    html = manager_client.get(
        "/gestion/binomes/chercher/mentores/",
        {"mentee_q": "helene"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert "Hélène" in html and "Helene" in html and "Bérard" not in html
    assert "2 résultats" in html


@pytest.mark.django_db
def test_the_console_finds_an_organisation_without_its_accents(world):
    Client.objects.create(name="Société Générale de Bâtiment")
    console = host_client(None)
    http_login(console, world.staff.email, second_factor=True)
    body = console.get(
        "/console/organisations/", {"q": "societe generale batiment"}
    ).content.decode()
    assert "Société Générale de Bâtiment" in body
    assert "1 résultat" in body
