"""The register rendered with production-like settings says nothing false about transfers
(issue 15, "done when"): with GlitchTip (the default, self-hosted), with Sentry SaaS, and with
Whereby configured. Rendered through the manager's download, in French, as a DPO reads it."""

import pytest
from django.test import override_settings
from django_tenants.utils import tenant_context

from conftest import PASSWORD, host_client, http_login
from saas.core.tenancy import connection
from tenant_apps.programs.models import Question
from tenants.models import Client

NO_TRANSFER = "Aucun transfert hors UE/EEE"
GLITCHTIP_DSN = "http://public@glitchtip.glitchtip.svc.cluster.local:8000/1"
SENTRY_EU_DSN = "https://public@o1.ingest.de.sentry.io/2"
PRODUCTION_LIKE = {
    "EMAIL_BACKEND": "anymail.backends.scaleway.EmailBackend",
    "ANYMAIL": {
        "SCALEWAY_SECRET_KEY": "k",
        "SCALEWAY_PROJECT_ID": "p",
        "SCALEWAY_REGION": "fr-par",
    },
    "WHEREBY_API_KEY": "whereby-key",
}


def _register(world) -> str:
    connection.set_schema_to_public()
    manager = host_client(world.program_a)
    http_login(manager, world.manager_a.email, PASSWORD, second_factor=True)
    response = manager.get("/gestion/registre/?format=md")
    assert response.status_code == 200
    return response.content.decode()


def _section(markdown: str, title: str) -> str:
    start = markdown.index(f"## {title}")
    end = markdown.find("\n## ", start + 3)
    return markdown[start : end if end != -1 else None]


@pytest.mark.django_db
@override_settings(**PRODUCTION_LIKE, SENTRY_DSN=GLITCHTIP_DSN, ERROR_TRACKING="glitchtip")
def test_with_glitchtip_and_whereby_no_transfer_and_the_aws_exposure_is_stated(world):
    markdown = _register(world)
    transfers = _section(markdown, "Transferts hors de l’Union européenne")
    assert NO_TRANSFER in transfers
    # Whereby's facts, truthfully
    subprocessors = _section(markdown, "Sous-traitants")
    assert "Whereby AS" in subprocessors
    assert "Norvège" in subprocessors and "Irlande" in subprocessors
    assert "Amazon Web Services" in subprocessors
    assert "enregistrement" in subprocessors  # recordings never enabled
    # the US group behind AWS is not hidden by "no transfer"
    assert "CLOUD Act" in transfers and "Amazon Web Services" in transfers
    # error tracking is GlitchTip on Scaleway, never Sentry
    assert "GlitchTip" in subprocessors
    assert "Sentry" not in markdown and "Functional Software" not in markdown


@pytest.mark.django_db
@override_settings(**PRODUCTION_LIKE, SENTRY_DSN=SENTRY_EU_DSN, ERROR_TRACKING="sentry")
def test_with_sentry_saas_the_transfer_to_the_united_states_is_listed(world):
    markdown = _register(world)
    transfers = _section(markdown, "Transferts hors de l’Union européenne")
    assert NO_TRANSFER not in markdown
    assert "transférées hors UE/EEE" in transfers
    assert "Functional Software, Inc. (Sentry)" in transfers
    assert "États-Unis" in transfers and "Clauses contractuelles types" in transfers
    assert "GlitchTip" not in markdown


@pytest.mark.django_db
@override_settings(
    SENTRY_DSN="",
    ERROR_TRACKING="",
    WHEREBY_API_KEY="",
    EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
)
def test_without_integrations_only_scaleway_and_no_transfer(world):
    markdown = _register(world)
    assert NO_TRANSFER in _section(markdown, "Transferts hors de l’Union européenne")
    assert "Whereby" not in markdown and "CLOUD Act" not in markdown


@pytest.mark.django_db
@override_settings(
    EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    EMAIL_HOST="smtp.example-relay.com",
    SENTRY_DSN="",
    WHEREBY_API_KEY="",
)
def test_an_undocumented_provider_withdraws_the_no_transfer_sentence(world):
    markdown = _register(world)
    assert NO_TRANSFER not in markdown
    assert "smtp.example-relay.com" in _section(markdown, "Transferts hors de l’Union européenne")


@pytest.mark.django_db
def test_controller_processor_purposes_art9_measures_and_breaches(world):
    # given the organisation's address and DPO, and a sensitive required question
    Client.objects.filter(pk=world.program_a.client_id).update(
        address="1 rue de la Paix\n75002 Paris",
        dpo_name="Claire Dupont",
        dpo_email="dpo@organisation.example",
    )
    with tenant_context(world.program_a):
        Question.objects.create(
            key="sante",
            label="Situation de handicap",
            kind="text",
            is_sensitive=True,
            is_required=True,
        )
    # when the register is rendered
    markdown = _register(world)
    # then
    controller = _section(markdown, "Responsable de traitement et sous-traitant")
    assert "Test organisation, 1 rue de la Paix, 75002 Paris" in controller
    assert "Claire Dupont — dpo@organisation.example" in controller
    assert "Sous-traitant: Binôme" in controller
    purposes = _section(markdown, "Finalités et base légale")
    bases = [line.split(" — ")[-1] for line in purposes.splitlines() if line.startswith("- ")]
    assert len(bases) == 5 and all(basis.count("art. 6.1.") == 1 for basis in bases)
    data = _section(markdown, "Catégories de données")
    assert "art. 9" in data and "“Situation de handicap”" in data
    assert "obligatoire" in data  # a required sensitive question is flagged
    assert "## Mesures organisationnelles" in markdown
    assert "72 heures" in _section(markdown, "Violations de données personnelles")


@pytest.mark.django_db
def test_privacy_notice_gives_the_dpo_and_the_right_to_complain_to_the_cnil(world):
    Client.objects.filter(pk=world.program_a.client_id).update(dpo_email="dpo@organisation.example")
    page = host_client(world.program_a).get("/confidentialite/").content.decode()
    assert "dpo@organisation.example" in page
    assert "CNIL" in page and "réclamation" in page
    assert "Binôme héberge le programme en tant que sous-traitant" in page  # the operator


@pytest.mark.django_db
@override_settings(**PRODUCTION_LIKE, SENTRY_DSN=GLITCHTIP_DSN, ERROR_TRACKING="glitchtip")
def test_public_subprocessors_page_states_the_transfers_and_the_us_group_exposure(world):
    page = host_client(world.program_a).get("/sous-traitants/").content.decode()
    assert NO_TRANSFER in page
    assert "CLOUD Act" in page and "Whereby AS" in page
