"""CSV import limits, through the manager's import page: a file too large, too many lines, a
cell too long (Python's csv module raises on a cell over 131,072 characters, which used to be a
500), a name longer than an account can hold, a malformed file. Each is refused with a clear
French message and nothing is written."""

import re

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from shared_apps.accounts.models import User
from tenant_apps.notifications.models import Email
from tenant_apps.participants.imports import MAX_BYTES, MAX_CELL_CHARS, MAX_LINES
from tenant_apps.participants.models import Participant

HEADER = "email;prénom;nom;rôle\n"


def _state(program):
    with tenant_context(program):
        state = (User.objects.count(), Participant.objects.count(), Email.objects.count())
    connection.set_schema_to_public()
    return state


def _upload(client, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        "/gestion/participants/import/",
        {"file": SimpleUploadedFile("people.csv", content, content_type="text/csv")},
    )


def _refused(response) -> str:
    """The page of a refused upload: 200, the form again with its error, nothing to confirm."""
    assert response.status_code == 200
    page = response.content.decode()
    assert re.search(r'name="payload"', page) is None
    return page


@pytest.mark.django_db
def test_a_cell_over_the_csv_modules_limit_is_refused_not_a_500(manager_client, world):
    # given a file whose second line has a 140,000-character name (over csv's 131,072)
    before = _state(world.program_a)
    content = HEADER + "ok@a.example;Anne;Dupont;mentee\n" + f"x@a.example;{'A' * 140_000};B;x\n"

    # when the manager uploads it
    page = _refused(_upload(manager_client, content.encode()))

    # then it is refused, saying which line and what the limit is; nothing was written
    assert f"Ligne 3 : une cellule dépasse {MAX_CELL_CHARS} caractères." in page
    assert _state(world.program_a) == before


@pytest.mark.django_db
def test_a_cell_over_the_import_limit_is_refused(manager_client, world):
    before = _state(world.program_a)
    content = HEADER + f"x@a.example;Anne;{'D' * (MAX_CELL_CHARS + 1)};mentor\n"

    page = _refused(_upload(manager_client, content.encode()))

    assert f"Ligne 2 : une cellule dépasse {MAX_CELL_CHARS} caractères." in page
    assert _state(world.program_a) == before


@pytest.mark.django_db
def test_a_name_longer_than_an_account_holds_is_a_line_error(manager_client, world):
    # given a line whose first name fits in a cell but not in an account (150 characters)
    content = HEADER + f"x@a.example;{'A' * 151};Dupont;mentor\nok@a.example;Anne;Dupont;mentee\n"

    # when it is uploaded
    response = _upload(manager_client, content.encode())

    # then that line is refused with the reason, the other one is accepted
    page = response.content.decode()
    assert "1 acceptées, 1 refusées, 0 déjà dans le programme." in page
    assert "prénom trop long (150 caractères au plus)" in page


@pytest.mark.django_db
def test_a_file_over_the_size_limit_is_refused_before_it_is_read(manager_client, world):
    before = _state(world.program_a)
    line = "someone@a.example;Anne;Dupont;mentee\n"
    content = (HEADER + line * (MAX_BYTES // len(line) + 10)).encode()
    assert len(content) > MAX_BYTES

    page = _refused(_upload(manager_client, content))

    assert "Le fichier dépasse 1 Mo." in page
    assert _state(world.program_a) == before


@pytest.mark.django_db
def test_a_file_with_too_many_lines_is_refused(manager_client, world):
    before = _state(world.program_a)
    content = HEADER + "".join(f"p{n}@a.example;A;B;mentee\n" for n in range(MAX_LINES + 1))

    page = _refused(_upload(manager_client, content.encode()))

    assert f"{MAX_LINES} lignes au plus par fichier." in page
    assert _state(world.program_a) == before


@pytest.mark.django_db
def test_a_malformed_file_is_refused_with_its_line(manager_client, world):
    # given a quoted cell that never ends (csv's "unexpected end of data" in strict mode)
    before = _state(world.program_a)
    content = HEADER + 'x@a.example;"Anne;Dupont;mentor\n'

    page = _refused(_upload(manager_client, content.encode()))

    assert "n’est pas un fichier CSV lisible" in page
    assert _state(world.program_a) == before
