"""Onboarding through the console's HTTP views, as a super-admin does it."""

import pytest
from django_tenants.utils import schema_exists, tenant_context

from conftest import host_client, http_login
from saas.core.tenancy import connection
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
    # 8, + 2 for the platform totals (programmes by status, latest snapshots): constant
    with django_assert_max_num_queries(10):
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

    console.post(f"{base}/archive/", {"reason": "Fin du programme"})
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


def _lifecycle(program) -> list[str]:
    from audit.models import AuditEvent

    return list(
        AuditEvent.objects.filter(program_id=program.pk, action__startswith="console.")
        .order_by("id")
        .values_list("action", flat=True)
    )


@pytest.mark.django_db
def test_pause_asks_first_saying_to_how_many_people(console, world):
    # given programme A with 3 active participants and its invited first manager
    program = world.program_a
    base = f"/console/programmes/{program.pk}"
    detail = console.get(f"{base}/").content.decode()
    # the detail offers a link to a confirmation page, not a one-click form
    assert f'href="{base}/pause/"' in detail
    assert f'action="{base}/pause/"' not in detail
    # when the super-admin opens it
    page = console.get(f"{base}/pause/").content.decode()
    # then it says what will happen and to how many people, and nothing changed yet
    assert "Mettre « Programme A » en pause ?" in page
    assert "ses 4 personnes (participant·es, responsables et personnes invitées)" in page
    assert "Personne ne reçoit d’email" in page
    assert Program.objects.get(pk=program.pk).status == Program.Status.READY
    # when they confirm
    response = console.post(f"{base}/pause/", follow=True)
    # then it is paused, the detail says since when and by whom, and the log has it
    page = response.content.decode()
    assert Program.objects.get(pk=program.pk).status == Program.Status.PAUSED
    assert "Le programme est en pause" in page
    assert f"par {world.staff.email}" in page
    assert "a mis le programme en pause" in page  # the history, in words
    assert _lifecycle(program)[-1] == "console.program_pause"


@pytest.mark.django_db
def test_archive_needs_a_reason_and_can_be_undone_for_30_days(console, world):
    from datetime import timedelta

    from django.utils import timezone

    program = world.program_b
    base = f"/console/programmes/{program.pk}"
    page = console.get(f"{base}/archive/").content.decode()
    assert "Un·e super-admin peut le restaurer pendant 30 jours" in page
    # an archive without a reason is refused and changes nothing
    refused = console.post(f"{base}/archive/", {"reason": "  "})
    assert refused.status_code == 400
    assert "Indiquez pourquoi le programme est archivé." in refused.content.decode()
    assert Program.objects.get(pk=program.pk).status == Program.Status.READY
    # with a reason it is archived; the detail shows the reason and until when it can be undone
    response = console.post(f"{base}/archive/", {"reason": "Programme terminé"}, follow=True)
    page = response.content.decode()
    archived = Program.objects.get(pk=program.pk)
    assert archived.status == Program.Status.ARCHIVED
    assert archived.archive_reason == "Programme terminé"
    assert archived.status_changed_by_user_id == world.staff.pk
    assert "Programme terminé" in page and "Peut être restauré jusqu’au" in page
    assert host_client(program).get("/").status_code == 410
    # a super-admin restores it: back to the status it had, the site answers again
    response = console.post(f"{base}/restore/", follow=True)
    assert Program.objects.get(pk=program.pk).status == Program.Status.READY
    assert "a restauré le programme archivé" in response.content.decode()
    assert host_client(program).get("/").status_code == 200
    # after 30 days, the archive is final
    console.post(f"{base}/archive/", {"reason": "Programme terminé"})
    Program.objects.filter(pk=program.pk).update(archived_at=timezone.now() - timedelta(days=31))
    page = console.get(f"{base}/").content.decode()
    assert f'action="{base}/restore/"' not in page
    response = console.post(f"{base}/restore/", follow=True)
    assert "ne peut plus être restauré" in response.content.decode()
    assert Program.objects.get(pk=program.pk).status == Program.Status.ARCHIVED
    assert _lifecycle(program)[-3:] == [
        "console.program_archive",
        "console.program_restored",
        "console.program_archive",
    ]


@pytest.mark.django_db
def test_console_audit_log_reads_in_words(console, world):
    from shared_apps.accounts.models import User

    User.objects.filter(pk=world.staff.pk).update(first_name="Claire", last_name="Dupont")
    console.post(f"/console/programmes/{world.program_a.pk}/pause/")
    page = console.get("/console/journal/").content.decode()
    assert "Claire Dupont a mis le programme en pause" in page
    assert "Quand (heure Europe/Paris)" in page
