"""Registration with a professional email, and the link to the secure space."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test import override_settings
from django_tenants.utils import tenant_context

from conftest import host_client
from shared_apps.accounts.models import User
from tenant_apps.notifications.models import Email
from tenant_apps.participants.models import Participant
from tenant_apps.programs.models import ProgramSettings

PASSWORD = "une phrase assez longue pour être sûre"


@pytest.fixture
def open_programme(world):
    """Programme A with registration open to ucanss.fr (sub-domains not accepted)."""
    with tenant_context(world.program_a):
        ProgramSettings.objects.filter(id=1).update(
            is_registration_open=True,
            allowed_email_domains=["ucanss.fr"],
            allow_email_subdomains=False,
            registration_roles="both",
        )
    connection.set_schema_to_public()
    return world.program_a


def _form(email="lea.martin@ucanss.fr", **extra):
    return {
        "first_name": "Léa",
        "last_name": "Martin",
        "email": email,
        "role": "mentee",
        "consent": "on",
        **extra,
    }


def _state(program):
    with tenant_context(program):
        state = (User.objects.count(), Participant.objects.count(), Email.objects.count())
    connection.set_schema_to_public()
    return state


def _link(message):
    return re.search(r"https?://[^/\s]+(/acces/[^\s/]+/)", message.body).group(1)


@pytest.mark.django_db
def test_register_then_follow_the_link_and_choose_a_password(
    open_programme, django_capture_on_commit_callbacks
):
    client = host_client(open_programme)
    assert client.get("/inscription/").status_code == 200
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/inscription/", _form())
    assert response.status_code == 302 and response["Location"] == "/inscription/envoyee/"
    with tenant_context(open_programme):
        participant = Participant.objects.get(user__email="lea.martin@ucanss.fr")
        assert participant.status == Participant.Status.INVITED
        assert participant.joined_via == Participant.JoinedVia.REGISTRATION
        assert participant.privacy_consent_at is not None
    (message,) = mail.outbox
    assert "Votre espace sécurisé" in message.subject
    path = _link(message)
    response = client.post(path, {"password": PASSWORD, "password_confirm": PASSWORD})
    assert response["Location"] == "/espace/"
    assert client.get("/espace/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "email",
    ["lea@gmail.com", "lea@paris.ucanss.fr", "lea@ucanss.fr.evil.example", "lea@xucanss.fr"],
)
def test_other_domains_are_refused_with_the_rule_not_the_list(open_programme, email):
    before = _state(open_programme)
    response = host_client(open_programme).post("/inscription/", _form(email=email))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Utilisez votre adresse email professionnelle" in page
    assert "ucanss.fr" not in page.replace(email, "")  # the allow-list is not revealed
    assert _state(open_programme) == before


@pytest.mark.django_db
def test_sub_domains_are_accepted_when_the_manager_allows_them(
    open_programme, django_capture_on_commit_callbacks
):
    with tenant_context(open_programme):
        ProgramSettings.objects.filter(id=1).update(allow_email_subdomains=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = host_client(open_programme).post(
            "/inscription/", _form(email="lea@paris.ucanss.fr")
        )
    assert response.status_code == 302


@pytest.mark.django_db
def test_closed_registration_refuses_and_creates_nothing(open_programme):
    with tenant_context(open_programme):
        ProgramSettings.objects.filter(id=1).update(is_registration_open=False)
    before = _state(open_programme)
    client = host_client(open_programme)
    page = client.get("/inscription/")
    assert page.status_code == 403
    assert "Les inscriptions sont fermées" in page.content.decode()
    assert client.post("/inscription/", _form()).status_code == 403
    assert _state(open_programme) == before


@pytest.mark.django_db
def test_missing_consent_and_unoffered_role_are_refused(open_programme):
    with tenant_context(open_programme):
        ProgramSettings.objects.filter(id=1).update(registration_roles="mentee")
    before = _state(open_programme)
    response = host_client(open_programme).post("/inscription/", _form(consent="", role="mentor"))
    page = response.content.decode()
    assert "Vous devez accepter la politique de confidentialité pour vous inscrire." in page
    assert "Choisissez un rôle proposé par ce programme." in page
    assert _state(open_programme) == before


@pytest.mark.django_db
def test_registering_twice_gives_the_same_answer_and_emails_the_owner(
    open_programme, world, django_capture_on_commit_callbacks
):
    # given an active participant of A, with a ucanss.fr address
    from tenant_apps.participants.services import participant_add

    with tenant_context(open_programme):
        known = User.objects.create_user(email="deja@ucanss.fr", password=PASSWORD)
        participant_add(user=known, role="mentee")
    before = _state(open_programme)
    mail.outbox.clear()
    # when someone registers with that address
    with django_capture_on_commit_callbacks(execute=True):
        response = host_client(open_programme).post("/inscription/", _form(email="Deja@ucanss.fr"))
    # then the answer is the one a new person gets, and the owner is told by email
    assert response.status_code == 302 and response["Location"] == "/inscription/envoyee/"
    users, participants, _emails = _state(open_programme)
    assert (users, participants) == before[:2]
    (message,) = mail.outbox
    assert message.to == ["deja@ucanss.fr"]
    assert "Vous avez déjà accès" in message.subject
    assert "/acces/" not in message.body


@pytest.mark.django_db
def test_person_from_another_programme_joins_with_their_password(
    world, password, django_capture_on_commit_callbacks
):
    # given programme B open to the domain of someone already in A
    with tenant_context(world.program_b):
        ProgramSettings.objects.filter(id=1).update(
            is_registration_open=True, allowed_email_domains=["a.example"]
        )
    mail.outbox.clear()
    client = host_client(world.program_b)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/inscription/", _form(email=world.mentee_a.email))
    path = _link(mail.outbox[0])
    assert "Vous avez déjà un compte Binôme" in client.get(path).content.decode()
    assert client.post(path, {"password": password})["Location"] == "/espace/"


@pytest.mark.django_db
def test_expired_link_page_offers_a_new_one(open_programme, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from tenant_apps.participants.models import AccessLink

    client = host_client(open_programme)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/inscription/", _form())
    path = _link(mail.outbox[-1])
    with tenant_context(open_programme):
        AccessLink.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    page = client.get(path)
    assert page.status_code == 410
    assert "Envoyez-moi un nouveau lien" in page.content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/acces/nouveau/", {"email": "lea.martin@ucanss.fr"})
    assert response.status_code == 302
    new_path = _link(mail.outbox[0])
    assert new_path != path
    assert client.get(new_path).status_code == 200
    # asking for someone unknown gives the same answer and sends nothing
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/acces/nouveau/", {"email": "nobody@ucanss.fr"})
    assert response.status_code == 302 and mail.outbox == []


@pytest.mark.django_db
@override_settings()
def test_registration_form_is_rate_limited_per_address(open_programme, monkeypatch):
    from tenant_apps.participants import views

    monkeypatch.setattr(views, "EMAIL_FORMS_PER_HOUR", 2)
    client = host_client(open_programme)
    for index in range(2):
        client.post("/inscription/", _form(email=f"p{index}@ucanss.fr"))
    before = _state(open_programme)
    response = client.post("/inscription/", _form(email="p9@ucanss.fr"))
    assert "Trop de tentatives depuis votre réseau" in response.content.decode()
    assert _state(open_programme) == before
