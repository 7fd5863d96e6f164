"""The link to the secure space: set a password once, or join with an existing identity."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from conftest import host_client
from tenant_apps.participants.models import AccessLink, Participant
from tenant_apps.participants.services import participant_invite, token_hash

NEW_PASSWORD = "une phrase assez longue pour être sûre"


def _invite(program, email, role=Participant.Role.MENTEE, *, capture):
    mail.outbox.clear()
    with capture(execute=True), tenant_context(program):
        participant_invite(email=email, role=role)
    connection.set_schema_to_public()
    (message,) = mail.outbox
    return re.search(r"https?://[^/\s]+(/acces/[^\s/]+/)", message.body).group(1)


@pytest.mark.django_db
def test_invited_person_sets_a_password_then_logs_in(world, django_capture_on_commit_callbacks):
    # given an invitation emailed to a new person
    path = _invite(
        world.program_a, "nouvelle@a.example", capture=django_capture_on_commit_callbacks
    )
    client = host_client(world.program_a)
    # when they open the link: the GET does not consume it
    page = client.get(path)
    assert page.status_code == 200
    assert "Choisissez le mot de passe" in page.content.decode()
    assert client.get(path).status_code == 200
    # and choose a password
    response = client.post(path, {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    # then they are logged in to their space, as an active participant
    assert response.status_code == 302 and response["Location"] == "/espace/"
    assert client.get("/espace/").status_code == 200
    with tenant_context(world.program_a):
        participant = Participant.objects.get(user__email="nouvelle@a.example")
        assert participant.status == Participant.Status.ACTIVE
    # and the link cannot be used again
    again = host_client(world.program_a).get(path)
    assert again.status_code == 410
    assert "Ce lien n’est plus valide" in again.content.decode()


@pytest.mark.django_db
def test_weak_or_mismatched_password_changes_nothing(world, django_capture_on_commit_callbacks):
    path = _invite(world.program_a, "faible@a.example", capture=django_capture_on_commit_callbacks)
    client = host_client(world.program_a)
    short = client.post(path, {"password": "court", "password_confirm": "court"})
    assert short.status_code == 200
    assert "trop court" in short.content.decode()
    differ = client.post(path, {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD + "x"})
    assert "Les deux mots de passe sont différents." in differ.content.decode()
    with tenant_context(world.program_a):
        participant = Participant.objects.select_related("user").get(user__email="faible@a.example")
        assert participant.status == Participant.Status.INVITED
        assert not participant.user.has_usable_password()
        assert AccessLink.objects.get(participant=participant).used_at is None


@pytest.mark.django_db
def test_existing_identity_joins_with_their_password(
    world, password, django_capture_on_commit_callbacks
):
    # given someone already in programme B, invited to A
    path = _invite(
        world.program_a, world.mentee_b.email, capture=django_capture_on_commit_callbacks
    )
    client = host_client(world.program_a)
    page = client.get(path).content.decode()
    assert "Vous avez déjà un compte Binôme" in page
    # a wrong password is refused and changes nothing
    wrong = client.post(path, {"password": "not my password at all"})
    assert "Mot de passe incorrect." in wrong.content.decode()
    # the right one joins them to A, without changing their password
    response = client.post(path, {"password": password})
    assert response.status_code == 302
    world.mentee_b.refresh_from_db()
    assert world.mentee_b.check_password(password)


@pytest.mark.django_db
def test_expired_link_is_refused(world, django_capture_on_commit_callbacks):
    path = _invite(world.program_a, "tard@a.example", capture=django_capture_on_commit_callbacks)
    token = path.split("/")[2]
    with tenant_context(world.program_a):
        AccessLink.objects.filter(token_hash=token_hash(token)).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
    client = host_client(world.program_a)
    assert client.get(path).status_code == 410
    response = client.post(path, {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert response.status_code == 410
    with tenant_context(world.program_a):
        assert Participant.objects.get(user__email="tard@a.example").status == "invited"


@pytest.mark.django_db
def test_token_is_stored_hashed_and_erased_from_the_outbox(
    world, django_capture_on_commit_callbacks
):
    from tenant_apps.notifications.models import Email

    path = _invite(world.program_a, "secret@a.example", capture=django_capture_on_commit_callbacks)
    token = path.split("/")[2]
    assert len(token) >= 43  # 256 bits, url-safe base64
    with tenant_context(world.program_a):
        link = AccessLink.objects.get(participant__user__email="secret@a.example")
        assert link.token_hash == token_hash(token) != token
        email = Email.objects.get(to="secret@a.example")
        assert email.status == Email.Status.SENT
        assert token not in email.body_text + email.body_html


@pytest.mark.django_db
def test_link_of_programme_a_does_nothing_on_programme_b(world, django_capture_on_commit_callbacks):
    path = _invite(
        world.program_a, "ailleurs@a.example", capture=django_capture_on_commit_callbacks
    )
    assert host_client(world.program_b).get(path).status_code == 410
