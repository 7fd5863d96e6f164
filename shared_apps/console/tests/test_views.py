"""Onboarding through the console's HTTP views, as a super-admin does it."""

import pytest
from django.db import connection
from django_tenants.utils import schema_exists, tenant_context

from conftest import host_client, http_login
from shared_apps.accounts.models import ProgramMembership
from tenants.models import Client, Domain, Program


@pytest.fixture
def console(world, password):
    client = host_client(None)
    http_login(client, world.staff.email, password, second_factor=True)
    return client


def _counts() -> tuple[int, int, int]:
    return Client.objects.count(), Program.objects.count(), Domain.objects.count()


@pytest.mark.django_db
def test_super_admin_onboards_a_client_and_a_programme(console, django_capture_on_commit_callbacks):
    # given a super-admin in the console
    # when they create an organisation, then a programme for it
    response = console.post("/console/organisations/nouvelle/", {"name": "Caisse Nationale"})
    assert response.status_code == 302
    client = Client.objects.get(name="Caisse Nationale")
    with django_capture_on_commit_callbacks(execute=True):
        response = console.post(
            "/console/programmes/nouveau/",
            {
                "client": client.pk,
                "name": "Mentorat 2028",
                "slug": "Mentorat-2028",
                "manager_email": "Responsable@Caisse.example",
            },
        )
    # then the programme is ready on its own sub-domain, with its first manager invited
    program = Program.objects.get(slug="mentorat-2028")
    assert response.status_code == 302
    assert response["Location"] == f"/console/programmes/{program.pk}/"
    assert program.status == Program.Status.READY
    assert program.client == client
    assert program.schema_name.startswith("p_")
    assert schema_exists(program.schema_name)
    assert (
        Domain.objects.get(tenant=program).domain
        == f"mentorat-2028.{program.host.split('.', 1)[1]}"
    )
    with tenant_context(program):
        from tenant_apps.notifications.models import Email
        from tenant_apps.participants.models import Participant
        from tenant_apps.programs.models import ProgramSettings

        manager = Participant.objects.select_related("user").get()
        assert manager.role == Participant.Role.MANAGER
        assert manager.status == Participant.Status.INVITED
        assert manager.user.email == "responsable@caisse.example"
        assert ProgramSettings.objects.count() == 1
        email = Email.objects.get()
        assert email.to == "responsable@caisse.example"
        assert email.status == Email.Status.SENT
    connection.set_schema_to_public()
    assert ProgramMembership.objects.filter(program=program, is_active=False).count() == 1
    # and the console shows it with its status
    page = console.get(f"/console/programmes/{program.pk}/").content.decode()
    assert "Mentorat 2028" in page and "Prêt" in page
    listing = console.get("/console/").content.decode()
    assert "mentorat-2028." in listing


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("prog-a", "Ce sous-domaine est déjà utilisé par un autre programme."),
        ("www", "Ce sous-domaine est réservé."),
        ("console", "Ce sous-domaine est réservé."),
        ("-bad-", "Utilisez de 1 à 63 lettres minuscules"),
        ("with space", "Utilisez de 1 à 63 lettres minuscules"),
        ("é-accent", "Utilisez de 1 à 63 lettres minuscules"),
        ("a" * 64, "Utilisez de 1 à 63 lettres minuscules"),
    ],
)
def test_bad_subdomain_is_refused_with_a_clear_message(console, world, slug, message):
    client = Client.objects.get(name="Test organisation")
    before = _counts()
    response = console.post(
        "/console/programmes/nouveau/",
        {"client": client.pk, "name": "X", "slug": slug, "manager_email": "m@x.example"},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert _counts() == before


@pytest.mark.django_db
def test_unknown_client_and_invalid_email_are_refused(console):
    before = _counts()
    response = console.post(
        "/console/programmes/nouveau/",
        {"client": 999999, "name": "X", "slug": "valid-slug", "manager_email": "not-an-email"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Choisissez une organisation existante." in page
    assert "Saisissez une adresse email valide." in page
    assert _counts() == before


@pytest.mark.django_db
def test_duplicate_organisation_is_refused(console, world):
    before = _counts()
    response = console.post("/console/organisations/nouvelle/", {"name": "test ORGANISATION"})
    assert response.status_code == 200
    assert "Une organisation porte déjà ce nom." in response.content.decode()
    assert _counts() == before


@pytest.mark.django_db
def test_listing_shows_status_and_participant_counts(console, world, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = console.get("/console/")
    page = response.content.decode()
    assert response.status_code == 200
    # Programme A: mentee, manager and the shared person are active (the invited first manager
    # is not counted until they open their link)
    row_a = page.split("Programme A")[1].split("</tr>")[0]
    assert '<td class="num" data-label="Participants actifs">3</td>' in row_a
    row_b = page.split("Programme B")[1].split("</tr>")[0]
    assert '<td class="num" data-label="Participants actifs">2</td>' in row_b


@pytest.mark.django_db
def test_pause_resume_archive_from_the_console(console, world):
    program = world.program_a
    base = f"/console/programmes/{program.pk}"
    site = host_client(program)
    assert console.post(f"{base}/pause/").status_code == 302
    assert Program.objects.get(pk=program.pk).status == Program.Status.PAUSED
    paused = site.get("/")
    assert paused.status_code == 503
    assert "en pause" in paused.content.decode()
    assert site.get("/healthz").status_code == 200

    assert console.post(f"{base}/resume/").status_code == 302
    assert site.get("/").status_code == 200

    console.post(f"{base}/archive/")
    assert Program.objects.get(pk=program.pk).status == Program.Status.ARCHIVED
    assert site.get("/").status_code == 410
    # an archived programme cannot be resumed
    response = console.post(f"{base}/resume/", follow=True)
    assert "ne peut pas être modifié ainsi" in response.content.decode()
    assert Program.objects.get(pk=program.pk).status == Program.Status.ARCHIVED


@pytest.mark.django_db
def test_console_refuses_participants_and_anonymous(world, password):
    anonymous = host_client(None)
    assert anonymous.get("/console/").status_code == 302
    # a participant's password does not open the console
    response = anonymous.post(
        "/connexion/", {"username": world.mentee_a.email, "password": password}
    )
    assert response.status_code == 200
    assert anonymous.get("/console/").status_code == 302


@pytest.mark.django_db
def test_subdomain_help_shows_the_placeholder(console):
    # the help text names the placeholder instead of swallowing it as an HTML tag
    page = console.get("/console/programmes/nouveau/").content.decode()
    assert "&lt;sous-domaine&gt;." in page
