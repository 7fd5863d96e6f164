"""The manager's space: invitations one by one and by CSV file."""

import re

import pytest
from django.core import mail
from django.db import connection
from django_tenants.utils import tenant_context

from conftest import host_client, http_login
from shared_apps.accounts.models import User
from tenant_apps.notifications.models import Email
from tenant_apps.participants.models import Participant

CSV_UTF8 = (
    "email;prénom;nom;rôle\n"
    "anne.dupont@a.example;Anne;Dupont;mentoré\n"
    "bruno.lefevre@a.example;Bruno;Lefèvre;mentor\n"
    "pas-une-adresse;Chloé;Roux;mentor\n"
    "david@a.example;David;Petit;stagiaire\n"
    "ANNE.DUPONT@a.example;Anne;Dupont;mentee\n"
    f"{'mentee-a@a.example'};Déjà;Là;mentee\n"
)


def _state(program):
    with tenant_context(program):
        state = (User.objects.count(), Participant.objects.count(), Email.objects.count())
    connection.set_schema_to_public()
    return state


def _upload(client, content: bytes, name="people.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        "/gestion/participants/import/",
        {"file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )


@pytest.mark.django_db
def test_import_preview_reports_every_line_and_writes_nothing(manager_client, world):
    before = _state(world.program_a)
    response = _upload(manager_client, CSV_UTF8.encode("utf-8-sig"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "2 acceptées, 3 refusées, 1 déjà dans le programme." in page
    assert "adresse email invalide « pas-une-adresse »" in page
    assert "rôle inconnu « stagiaire »" in page
    assert "même email que la ligne 2" in page
    assert _state(world.program_a) == before


@pytest.mark.django_db
def test_import_confirmed_invites_the_accepted_lines_once(
    manager_client, world, django_capture_on_commit_callbacks
):
    preview = _upload(manager_client, CSV_UTF8.encode("utf-8")).content.decode()
    payload = re.search(r'name="payload" value="([^"]+)"', preview).group(1)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post("/gestion/participants/import/", {"payload": payload})
    assert response.status_code == 200
    with tenant_context(world.program_a):
        imported = dict(
            Participant.objects.filter(joined_via="import").values_list("user__email", "role")
        )
    assert imported == {"anne.dupont@a.example": "mentee", "bruno.lefevre@a.example": "mentor"}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(imported)
    # importing the same file again adds nobody
    before = _state(world.program_a)
    again = _upload(manager_client, CSV_UTF8.encode("utf-8")).content.decode()
    assert "0 acceptées, 3 refusées, 3 déjà dans le programme." in again
    payload = re.search(r'name="payload" value="([^"]+)"', again)
    assert payload is None  # nothing to confirm
    assert _state(world.program_a) == before


@pytest.mark.django_db
def test_windows_1252_and_comma_files_are_read(manager_client, world):
    content = "Email,Prénom,Nom,Rôle\r\nzoe.herault@a.example,Zoé,Hérault,mentor\r\n"
    page = _upload(manager_client, content.encode("cp1252")).content.decode()
    assert "1 acceptées, 0 refusées, 0 déjà dans le programme." in page
    assert "zoe.herault@a.example" in page


@pytest.mark.django_db
def test_tampered_import_is_refused(manager_client, world):
    before = _state(world.program_a)
    response = manager_client.post(
        "/gestion/participants/import/", {"payload": "forged:payload"}, follow=True
    )
    assert "L’import a expiré" in response.content.decode()
    assert _state(world.program_a) == before


@pytest.mark.django_db
def test_file_without_the_needed_columns_is_refused(manager_client, world):
    page = _upload(manager_client, b"name;mail\nx;y\n").content.decode()
    assert "La première ligne doit nommer les colonnes" in page


@pytest.mark.django_db
def test_invite_one_person(manager_client, world, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(
            "/gestion/participants/inviter/",
            {"email": "Nina@A.example", "first_name": "Nina", "last_name": "Sy", "role": "mentor"},
        )
    assert response.status_code == 302
    assert mail.outbox[0].to == ["nina@a.example"]
    again = manager_client.post(
        "/gestion/participants/inviter/", {"email": world.mentee_a.email, "role": "mentor"}
    )
    assert "Cette personne participe déjà au programme." in again.content.decode()


@pytest.mark.django_db
def test_manager_deactivates_a_participant_whose_sessions_end(manager_client, world, password):
    session = host_client(world.program_a)
    http_login(session, world.mentee_a.email, password)
    with tenant_context(world.program_a):
        target = Participant.objects.get(user=world.mentee_a)
    connection.set_schema_to_public()
    response = manager_client.post(f"/gestion/participants/{target.pk}/desactiver/")
    assert response.status_code == 302
    assert session.get("/espace/").status_code == 302
    refused = host_client(world.program_a).post(
        "/connexion/", {"username": world.mentee_a.email, "password": password}
    )
    assert "Adresse email ou mot de passe incorrect." in refused.content.decode()


@pytest.mark.django_db
def test_participants_cannot_use_the_managers_space(world, password):
    client = host_client(world.program_a)
    http_login(client, world.mentee_a.email, password)
    for path in (
        "/gestion/participants/",
        "/gestion/participants/inviter/",
        "/gestion/participants/import/",
        "/gestion/parametres/",
    ):
        assert client.get(path).status_code == 403


@pytest.mark.django_db
def test_settings_refuse_personal_email_providers_and_keep_what_was_saved(manager_client, world):
    from tenant_apps.programs.models import ProgramSettings

    response = manager_client.post(
        "/gestion/parametres/",
        {
            "allowed_email_domains_text": "a.example\ngmail.com",
            "is_registration_open": "on",
            "registration_roles": "both",
            "two_factor_policy": "optional",
            "primary_color": "#123456",
            "language": "fr",
            "matching_mode": "choice",
            "matching_objective": "matches",
            "request_expiry_days": "5",
            "retention_inactive_warn_months": "22",
            "retention_inactive_erase_months": "24",
            "retention_after_end_months": "12",
            "retention_unverified_days": "7",
        },
    )
    assert "« gmail.com » est une messagerie personnelle" in response.content.decode()
    with tenant_context(world.program_a):
        assert ProgramSettings.objects.get().primary_color == "#1d4e89"
    ok = manager_client.post(
        "/gestion/parametres/",
        {
            "allowed_email_domains_text": "A.example\nb.example",
            "is_registration_open": "on",
            "registration_roles": "mentee",
            "two_factor_policy": "required",
            "primary_color": "#123456",
            "language": "fr",
            "matching_mode": "choice",
            "matching_objective": "matches",
            "request_expiry_days": "5",
            "retention_inactive_warn_months": "22",
            "retention_inactive_erase_months": "24",
            "retention_after_end_months": "12",
            "retention_unverified_days": "7",
        },
    )
    assert ok.status_code == 302
    with tenant_context(world.program_a):
        saved = ProgramSettings.objects.get()
    assert saved.allowed_email_domains == ["a.example", "b.example"]
    assert (saved.is_registration_open, saved.two_factor_policy) == (True, "required")
