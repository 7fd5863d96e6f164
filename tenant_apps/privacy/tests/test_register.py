"""The processing register, the public pages and the DPO pack come from the live config."""

import pytest
from django.core.management import call_command
from django.db import connection
from django_tenants.utils import tenant_context

from conftest import PASSWORD, host_client, http_login
from tenant_apps.programs.models import ProgramSettings, Question

REQUIRED_SECTIONS = [
    "Responsable de traitement et sous-traitant",
    "Finalités et base légale",
    "Personnes concernées",
    "Catégories de données",
    "Destinataires",
    "Sous-traitants",
    "Transferts hors de l’Union européenne",
    "Conservation",
    "Mesures de sécurité",
]


@pytest.mark.django_db
def test_register_follows_the_configuration(world):
    with tenant_context(world.program_a):
        Question.objects.create(
            key="direction",
            label="Votre direction",
            kind="single",
            is_sensitive=True,
            criterion="same",
            choices=[{"value": "a", "label": "A"}, {"value": "b", "label": "B"}],
        )
        ProgramSettings.objects.filter(id=1).update(retention_inactive_erase_months=18)
    connection.set_schema_to_public()
    manager = host_client(world.program_a)
    http_login(manager, world.manager_a.email, PASSWORD, second_factor=True)
    markdown = manager.get("/gestion/registre/?format=md").content.decode()
    for section in REQUIRED_SECTIONS:
        assert f"## {section}" in markdown, section
    assert "Test organisation" in markdown  # the controller is the client
    assert "Votre direction" in markdown and "jamais affichée" in markdown
    assert "effacés après 18 mois" in markdown  # the retention the manager set
    assert "Scaleway" in markdown and "France" in markdown
    assert "Aucun transfert hors UE/EEE" in markdown  # no transfer outside the EU by default
    assert manager.get("/gestion/registre/").status_code == 200


@pytest.mark.django_db
def test_public_pages_are_generated_and_linked(world):
    with tenant_context(world.program_a):
        ProgramSettings.objects.filter(id=1).update(
            privacy_intro="Un mot du DPO de l’organisation."
        )
    connection.set_schema_to_public()
    visitor = host_client(world.program_a)
    privacy = visitor.get("/confidentialite/").content.decode()
    assert "Un mot du DPO de l’organisation." in privacy
    assert "Test organisation" in privacy and "Mesures de sécurité" in privacy
    assert "Scaleway" in visitor.get("/sous-traitants/").content.decode()
    assert visitor.get("/mentions-legales/").status_code == 200
    home = visitor.get("/").content.decode()
    for link in ("/confidentialite/", "/sous-traitants/", "/mentions-legales/"):
        assert f'href="{link}"' in home


@pytest.mark.django_db
def test_dpo_pack_for_the_demo_programmes(tmp_path, django_capture_on_commit_callbacks):
    import os

    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo_seed", "--force", stdout=open(os.devnull, "w"))  # noqa: SIM115
    connection.set_schema_to_public()
    call_command(
        "dpo_pack",
        "--program",
        "ucanss-2027",
        "--program",
        "banque-mentorat",
        "--output",
        str(tmp_path),
        stdout=open(os.devnull, "w"),  # noqa: SIM115
    )
    for slug in ("ucanss-2027", "banque-mentorat"):
        folder = tmp_path / slug
        assert sorted(p.name for p in folder.iterdir()) == [
            "register.docx",
            "register.md",
            "register.pdf",
            "retention.md",
            "security.md",
            "subprocessors.md",
        ]
        register = (folder / "register.md").read_text()
        for section in REQUIRED_SECTIONS:
            assert f"## {section}" in register, (slug, section)
        controller = {"ucanss-2027": "Ucanss", "banque-mentorat": "Banque Territoriale"}[slug]
        assert controller in register  # the controller: the client that owns the programme
        assert "Sujets que vous souhaitez travailler" in register  # the live questionnaire
        assert "Argon2" in (folder / "security.md").read_text()
    assert "ucanss-2027/register.md" in (tmp_path / "README.md").read_text()
    _check_documents(tmp_path)


def _docx_text(path) -> tuple[list[str], str]:
    import docx

    document = docx.Document(str(path))
    headings = [
        p.text
        for p in document.paragraphs
        if p.style is not None and p.style.name.startswith(("Heading", "Title"))
    ]
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return headings, "\n".join([p.text for p in document.paragraphs] + cells)


def _pdf_text(path) -> str:
    import pypdf

    data = path.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(str(path)).pages)


def _check_documents(folder) -> None:
    """The DOCX and PDF a DPO opens hold the same key sections as the Markdown."""
    # the register of each programme
    headings, text = _docx_text(folder / "ucanss-2027" / "register.docx")
    for section in REQUIRED_SECTIONS:
        assert section in headings, section
    assert "Ucanss" in text and "Scaleway SAS" in text
    pdf = _pdf_text(folder / "ucanss-2027" / "register.pdf")
    for section in ("Responsable de traitement", "Sous-traitants", "Mesures de sécurité"):
        assert section in pdf, section
    assert "Ucanss" in pdf
    # the technical FAQ answers the seed FAQ's questions
    faq_md = (folder / "faq-technique.md").read_text()
    headings, faq_docx = _docx_text(folder / "faq-technique.docx")
    for question in FAQ_SECTIONS:
        assert question in faq_md and question in headings, question
    assert "groupe iliad" in faq_docx and "Dassault" not in faq_docx
    assert "/reseau/" in faq_docx  # links the network requirements
    assert "mentors actifs" in faq_docx
    faq_pdf = _pdf_text(folder / "faq-technique.pdf")
    assert "Accès à la plateforme" in faq_pdf and "groupe iliad" in faq_pdf
    # the network requirements
    assert "Prérequis réseau" in _docx_text(folder / "reseau.docx")[0]
    assert _pdf_text(folder / "reseau.pdf").count("443") >= 1


FAQ_SECTIONS = [
    "1. Accès à la plateforme",
    "Teams est bloqué sur certains réseaux. Est-ce un problème ?",
    "2. Visioconférence",
    "3. Hébergement et stockage des données",
    "Transferts hors UE",
    "4. Documentation RGPD",
    "5. Mesures de sécurité",
    "6. Prérequis réseau",
    "7. Volumes et incidents",
]


@pytest.mark.django_db
def test_register_states_each_retention_rule_with_the_value_the_jobs_use(world, settings):
    # given unusual values for every period, per programme and platform-wide
    settings.WHEREBY_API_KEY = "configured"  # the Whereby line is stated where it is used
    settings.WHEREBY_WEBHOOK_EVENT_RETENTION_DAYS = 17
    settings.DATABASE_BACKUP_RETENTION_DAYS = 23
    with tenant_context(world.program_a):
        ProgramSettings.objects.filter(id=1).update(
            retention_invited_days=11,
            retention_deactivated_months=5,
            retention_outbox_days=33,
            retention_unverified_days=4,
            retention_after_end_months=9,
        )
    connection.set_schema_to_public()
    manager = host_client(world.program_a)
    http_login(manager, world.manager_a.email, PASSWORD, second_factor=True)
    # when
    markdown = manager.get("/gestion/registre/?format=md").content.decode()
    # then each rule is stated with its configured value
    retention = markdown.split("## Conservation", 1)[1].split("## ", 1)[0]
    for line in [
        "- Invitations jamais acceptées: effacées 11 jours après l’expiration de l’invitation",
        "- Personnes désactivées: effacées 5 mois après leur désactivation",
        "- Courriels de la boîte d’envoi, envoyés ou non (enveloppe comprise): "
        "supprimés après 33 jours",
        "- Inscriptions jamais confirmées: supprimées après 4 jours",
        "- Données du programme: anonymisées 9 mois après la fin du programme",
        "- Événements reçus de Whereby (webhooks): supprimés après 17 jours",
        "- Sessions de connexion: supprimées dès leur expiration (12 h au plus)",
        "- Sauvegardes de la base de données (Scaleway, fr-par, chiffrées): "
        "conservées 23 jours, puis supprimées",
    ]:
        assert line in retention, (line, retention)


def test_backup_retention_stated_is_the_one_terraform_configures():
    """The register's default is the Terraform default, and production hands the value to the
    application, so the statement cannot drift from what Scaleway applies."""
    from django.conf import settings

    from tests.infra.hcl_tree import TERRAFORM_ROOT, parse_file

    def default(path: str, name: str) -> int:
        document = parse_file(TERRAFORM_ROOT / path)
        (variable,) = [v[name] for v in document["variable"] if name in v]
        return int(variable["default"])

    module_default = default("modules/database/variables.tf", "backup_retention_days")
    production_default = default("environments/production/variables.tf", "db_backup_retention_days")
    assert settings.DATABASE_BACKUP_RETENTION_DAYS == module_default == production_default
    production = (TERRAFORM_ROOT / "environments/production/main.tf").read_text()
    assert "backup_retention_days = var.db_backup_retention_days" in production
    assert "DATABASE_BACKUP_RETENTION_DAYS = tostring(var.db_backup_retention_days)" in " ".join(
        production.split()
    )
