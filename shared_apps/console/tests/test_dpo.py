"""The console's RGPD tools (issue 15.13–15.14): the organisation as controller (address,
DPO), the breach register, and the DPO's documents as DOCX and PDF."""

import io

import pytest
from django.test import override_settings

from audit.models import AuditEvent
from conftest import host_client, http_login
from shared_apps.platform_audit.models import Breach
from tenants.models import Client


@pytest.fixture
def console(world, password):
    client = host_client(None)
    http_login(client, world.staff.email, password, second_factor=True)
    return client


BREACH = {
    "discovered_at": "2027-03-01T09:30",
    "occurred_at": "2027-02-28T22:00",
    "nature": "Export CSV envoyé au mauvais destinataire <b>interne</b>",
    "people_affected": "Mentorés du programme A, environ 40",
    "data_affected": "Noms, emails professionnels",
    "consequences": "Faible : destinataire interne, email supprimé",
    "measures": "Demande de suppression confirmée ; contrôle ajouté avant envoi",
    "cnil_notified_at": "",
    "cnil_not_notified_reason": "Risque improbable (art. 33.1) : destinataire interne",
    "people_informed_at": "",
}


@pytest.mark.django_db
def test_a_super_admin_records_a_breach_and_it_is_audited(console):
    # when
    response = console.post("/console/violations/", BREACH)
    # then
    assert response.status_code == 302
    breach = Breach.objects.get()
    assert breach.nature.startswith("Export CSV") and breach.cnil_notified_at is None
    assert (breach.notification_deadline - breach.discovered_at).total_seconds() == 72 * 3600
    assert AuditEvent.objects.filter(
        action="console.breach_recorded", target_id=str(breach.pk)
    ).exists()
    page = console.get("/console/violations/").content.decode()
    assert "Export CSV envoyé au mauvais destinataire &lt;b&gt;interne&lt;/b&gt;" in page
    assert "Non notifiée" in page
    # later, the CNIL is notified after all
    edit = dict(BREACH, cnil_notified_at="2027-03-02T10:00", cnil_not_notified_reason="")
    assert console.post(f"/console/violations/{breach.pk}/", edit).status_code == 302
    breach.refresh_from_db()
    assert breach.cnil_notified_at is not None
    assert AuditEvent.objects.filter(action="console.breach_updated").count() == 1


@pytest.mark.django_db
def test_impossible_dates_are_refused_and_nothing_is_recorded(console):
    response = console.post(
        "/console/violations/", dict(BREACH, cnil_notified_at="2027-02-01T10:00")
    )
    assert response.status_code == 200
    assert "antérieure à la découverte" in response.content.decode()
    assert Breach.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="console.breach").exists()


@pytest.mark.django_db
def test_the_breach_register_is_for_super_admins_only(world):
    manager = host_client(None)
    manager.force_login(world.manager_a)  # signed in, but not a super-admin
    # refused (or sent to verify a second factor first): never the register
    assert manager.get("/console/violations/").status_code in (302, 403)
    assert manager.post("/console/violations/", BREACH).status_code in (302, 403)
    anonymous = host_client(None).get("/console/violations/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/connexion/")
    assert Breach.objects.count() == 0


@pytest.mark.django_db
def test_the_organisation_address_and_dpo_are_edited_and_reach_the_register(console, world):
    client_id = world.program_a.client_id
    response = console.post(
        f"/console/organisations/{client_id}/",
        {
            "name": "Test organisation",
            "address": "1 rue de la Paix\n75002 Paris",
            "dpo_name": "Claire Dupont",
            "dpo_email": "dpo@organisation.example",
        },
    )
    assert response.status_code == 302
    client = Client.objects.get(pk=client_id)
    assert (client.dpo_name, client.dpo_email) == ("Claire Dupont", "dpo@organisation.example")
    assert AuditEvent.objects.filter(action="console.client_updated").exists()
    assert "Claire Dupont" in console.get("/console/organisations/").content.decode()
    register = console.get(f"/console/registres/{world.program_a.pk}/").content.decode()
    assert "1 rue de la Paix, 75002 Paris" in register
    assert "Claire Dupont — dpo@organisation.example" in register


@pytest.mark.django_db
def test_a_bad_dpo_email_is_refused_and_nothing_changes(console, world):
    client_id = world.program_a.client_id
    response = console.post(
        f"/console/organisations/{client_id}/",
        {"name": "Test organisation", "address": "", "dpo_name": "X", "dpo_email": "pas-un-email"},
    )
    assert response.status_code == 200
    assert Client.objects.get(pk=client_id).dpo_name == ""
    assert not AuditEvent.objects.filter(action="console.client_updated").exists()


@pytest.mark.django_db
@override_settings(WHEREBY_API_KEY="whereby-key")
def test_the_console_gives_the_register_and_the_technical_faq_as_docx_and_pdf(console, world):
    import docx
    import pypdf

    page = console.get("/console/registres/").content.decode()
    assert "?format=docx" in page and "?format=pdf" in page and "/console/faq-technique/" in page
    register = console.get(f"/console/registres/{world.program_a.pk}/?format=docx")
    assert register["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="registre-prog-a.docx"' in register["Content-Disposition"]
    document = docx.Document(io.BytesIO(register.content))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Sous-traitants" in headings and "Transferts hors de l’Union européenne" in headings
    pdf = console.get(f"/console/registres/{world.program_a.pk}/?format=pdf").content
    assert pdf.startswith(b"%PDF-")
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "Registre des traitements" in text and "Whereby AS" in text
    faq = console.get("/console/faq-technique/?format=pdf")
    assert faq["Content-Type"] == "application/pdf"
    faq_text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(faq.content)).pages)
    assert "FAQ technique" in faq_text and "Whereby AS" in faq_text
    faq_docx = docx.Document(io.BytesIO(console.get("/console/faq-technique/?format=docx").content))
    assert "7. Volumes et incidents" in [p.text for p in faq_docx.paragraphs]
