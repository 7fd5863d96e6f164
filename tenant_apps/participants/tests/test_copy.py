"""The words people read: errors shown once, invitations outside the programme's allowed
domains refused with a clear message, re-invitations that say the old link stopped working."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django_tenants.utils import tenant_context

from conftest import host_client, http_login
from shared_apps.accounts.models import User
from tenant_apps.notifications.models import Email
from tenant_apps.participants.models import AccessLink, Participant
from tenant_apps.programs.models import ProgramSettings


@pytest.fixture
def allow_list(world):
    """Programme A accepts only a.example addresses."""
    with tenant_context(world.program_a):
        ProgramSettings.objects.filter(id=1).update(allowed_email_domains=["a.example"])
    connection.set_schema_to_public()


def _state(program):
    with tenant_context(program):
        state = (User.objects.count(), Participant.objects.count(), Email.objects.count())
    connection.set_schema_to_public()
    return state


@pytest.mark.django_db
def test_a_wrong_password_says_so_once(world):
    # given someone on the login page
    client = host_client(world.program_a)
    # when the password is wrong
    page = client.post(
        "/connexion/", {"username": world.mentee_a.email, "password": "not the password"}
    ).content.decode()
    # then the message is shown once, not twice
    assert page.count("Adresse email ou mot de passe incorrect.") == 1


@pytest.mark.django_db
def test_inviting_a_personal_address_outside_the_allowed_domains_is_refused(
    manager_client, world, allow_list
):
    before = _state(world.program_a)
    # when the manager invites a gmail address into a programme open to a.example only
    response = manager_client.post(
        "/gestion/participants/inviter/",
        {"email": "someone@gmail.com", "first_name": "Sam", "role": "mentee"},
    )
    # then it is refused on the form, in French, and nothing is written
    page = response.content.decode()
    assert response.status_code == 200
    assert "n’est pas dans les domaines autorisés de ce programme (a.example)" in page
    assert _state(world.program_a) == before


@pytest.mark.django_db
def test_import_rows_outside_the_allowed_domains_are_refused(manager_client, world, allow_list):
    content = "email;prénom;nom;rôle\nok@a.example;Ok;Ok;mentee\nperso@gmail.com;Per;So;mentee\n"
    # when the manager uploads a file with one address outside the allow-list
    page = manager_client.post(
        "/gestion/participants/import/",
        {"file": SimpleUploadedFile("p.csv", content.encode(), content_type="text/csv")},
    ).content.decode()
    # then that line is refused with the reason, the other accepted
    assert "1 acceptées, 1 refusées, 0 déjà dans le programme." in page
    assert "« perso@gmail.com » n’est pas dans les domaines autorisés" in page


@pytest.mark.django_db
def test_reinviting_says_the_previous_link_no_longer_works(manager_client, world):
    data = {"email": "nina@a.example", "first_name": "Nina", "role": "mentor"}
    first = manager_client.post(
        "/gestion/participants/inviter/", data, follow=True
    ).content.decode()
    assert "Invitation envoyée à nina@a.example." in first
    # when the manager invites the same person again
    again = manager_client.post(
        "/gestion/participants/inviter/", data, follow=True
    ).content.decode()
    # then the message says a new link was sent and the previous one stopped working
    assert "Nouvelle invitation envoyée à nina@a.example" in again
    assert "le lien précédent ne fonctionne plus" in again
    with tenant_context(world.program_a):
        links = AccessLink.objects.filter(participant__user__email="nina@a.example")
        assert [link.is_usable for link in links.order_by("pk")] == [False, True]
    connection.set_schema_to_public()


@pytest.mark.django_db
def test_the_home_page_greets_with_or_without_a_first_name(world, password):
    # given a participant who never gave a first name
    client = host_client(world.program_a)
    http_login(client, world.mentee_a.email, password)
    page = client.get("/").content.decode()
    # then the greeting reads well, without an empty name
    assert "Bienvenue, ." not in page
    assert "Bienvenue." in page
