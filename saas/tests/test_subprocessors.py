"""The subprocessors listed for the register and the legal pages follow the deployment's
settings: what is switched on is listed, what is not is not, and where each keeps data is
said honestly (Sentry's US metadata included)."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings
from django.utils import translation

from saas.core.observability.sentry import error_tracking_mode
from saas.core.subprocessors import DEFAULT_SCALEWAY_REGION, every_location_in_eea, subprocessors
from tests.infra.hcl_tree import TERRAFORM_ROOT, parse_file

EU_DSN = "https://public@o1.ingest.de.sentry.io/2"
TEM: dict[str, Any] = {
    "EMAIL_BACKEND": "anymail.backends.scaleway.EmailBackend",
    "ANYMAIL": {
        "SCALEWAY_SECRET_KEY": "k",
        "SCALEWAY_PROJECT_ID": "p",
        "SCALEWAY_REGION": "fr-par",
    },
}


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The texts are translated (French by default); the assertions read the English ones."""
    with translation.override("en"):
        yield


@override_settings(
    SENTRY_DSN="", WHEREBY_API_KEY="", EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"
)
def test_without_integrations_only_scaleway_hosting_and_database_are_listed():
    rows = subprocessors()
    assert [row.name for row in rows] == ["Scaleway SAS", "Scaleway SAS"]
    assert all(row.is_eu_only for row in rows)
    assert {str(row.location) for row in rows} == {"France (Paris, region fr-par)"}


@override_settings(SENTRY_DSN=EU_DSN, WHEREBY_API_KEY="whereby-key", **TEM)
def test_production_like_settings_list_scaleway_email_whereby_and_sentry():
    rows = subprocessors()
    names = [row.name for row in rows]
    assert names == [
        "Scaleway SAS",
        "Scaleway SAS",
        "Scaleway SAS",
        "Whereby AS",
        "Functional Software, Inc. (Sentry)",
    ]
    email = rows[2]
    assert "TEM" in str(email.service) and email.is_eu_only
    whereby = rows[3]
    assert whereby.is_eu_only and "EEA" in str(whereby.transfer_basis)
    sentry = rows[4]
    # Sentry keeps events in Frankfurt but some account metadata in the US: not EU-only
    assert not sentry.is_eu_only
    assert "Frankfurt" in str(sentry.location) and "United States" in str(sentry.location)
    assert "Standard contractual clauses" in str(sentry.transfer_basis)


@override_settings(SENTRY_DSN="https://public@o1.ingest.us.sentry.io/2")
def test_a_sentry_outside_its_eu_region_is_listed_as_in_the_united_states():
    (sentry,) = [row for row in subprocessors() if "Sentry" in row.name]
    assert str(sentry.location).startswith("United States")
    assert "o1.ingest.us.sentry.io" in str(sentry.location)


@override_settings(
    EMAIL_BACKEND=TEM["EMAIL_BACKEND"],
    ANYMAIL=TEM["ANYMAIL"] | {"SCALEWAY_REGION": "nl-ams"},
    SENTRY_DSN="",
)
def test_the_scaleway_region_follows_the_settings():
    rows = subprocessors()
    assert {str(row.location) for row in rows} == {"Netherlands (Amsterdam, region nl-ams)"}


@override_settings(
    EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    EMAIL_HOST="smtp.example-relay.com",
    SENTRY_DSN="",
)
def test_an_smtp_relay_that_is_not_described_is_listed_as_undocumented():
    (relay,) = [row for row in subprocessors() if row.name == "smtp.example-relay.com"]
    assert not relay.is_eu_only
    assert "Not documented" in str(relay.location)


@override_settings(
    EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="mailpit"
)
def test_a_local_mail_catcher_is_not_a_subprocessor():
    assert "mailpit" not in [row.name for row in subprocessors()]


def test_object_storage_is_listed_once_files_go_to_s3():
    from django.conf import settings

    storages = settings.STORAGES | {"default": {"BACKEND": "storages.backends.s3.S3Storage"}}
    with override_settings(STORAGES=storages):
        assert "File storage (Object Storage)" in [str(row.service) for row in subprocessors()]
    assert "File storage (Object Storage)" not in [str(row.service) for row in subprocessors()]


def test_default_region_is_the_one_terraform_deploys_to():
    variables = parse_file(TERRAFORM_ROOT / "environments" / "production" / "variables.tf")
    (region,) = [block["region"] for block in variables["variable"] if "region" in block]
    assert region["default"] == DEFAULT_SCALEWAY_REGION


# --- Error tracking: GlitchTip by default, Sentry SaaS as an option (issue 15.11) -----------

GLITCHTIP_DSN = "http://public@glitchtip.glitchtip.svc.cluster.local:8000/1"


@override_settings(SENTRY_DSN=GLITCHTIP_DSN, ERROR_TRACKING="glitchtip", WHEREBY_API_KEY="")
def test_glitchtip_is_listed_as_scaleway_in_the_region_and_adds_no_transfer():
    rows = subprocessors()
    tracking = [row for row in rows if "Error monitoring" in str(row.service)]
    assert len(tracking) == 1
    (glitchtip,) = tracking
    assert glitchtip.name == "Scaleway SAS" and "GlitchTip" in str(glitchtip.service)
    assert glitchtip.is_eu_only and str(glitchtip.location) == "France (Paris, region fr-par)"
    assert every_location_in_eea(rows)
    assert not [row for row in rows if "Sentry" in row.name]


@override_settings(SENTRY_DSN=GLITCHTIP_DSN, ERROR_TRACKING="")
def test_a_dsn_of_our_own_cluster_is_glitchtip_without_declaring_it():
    assert any("GlitchTip" in str(row.service) for row in subprocessors())


@override_settings(SENTRY_DSN="https://public@errors.elsewhere.example/1", ERROR_TRACKING="")
def test_an_error_tracker_that_is_neither_ours_nor_sentry_is_undocumented_and_not_eu():
    (row,) = [row for row in subprocessors() if row.name == "errors.elsewhere.example"]
    assert not row.is_eu_only and "Not documented" in str(row.location)


@override_settings(WHEREBY_API_KEY="whereby-key", SENTRY_DSN="")
def test_whereby_facts_norway_eea_aws_ireland_us_group_no_recording():
    (whereby,) = [row for row in subprocessors() if row.name == "Whereby AS"]
    assert "Norway" in str(whereby.location) and "Ireland" in str(whereby.location)
    assert "Amazon Web Services" in str(whereby.location)
    assert whereby.is_eu_only  # the data stays in the EEA...
    assert "CLOUD Act" in str(whereby.exposure)  # ...but its host belongs to a US group
    assert "United States" in str(whereby.group)
    assert "never enabled" in str(whereby.data)


@pytest.mark.parametrize(
    ("dsn", "declared", "expected"),
    [
        ("", "", "none"),
        ("", "glitchtip", "none"),  # declared, DSN not created yet: nothing is sent
        (EU_DSN, "", "sentry"),
        (EU_DSN, "sentry", "sentry"),
        (GLITCHTIP_DSN, "", "glitchtip"),
        ("https://k@errors.binome.example/1", "", "glitchtip"),
        ("https://k@errors.example.org/1", "glitchtip", "glitchtip"),
        ("https://k@errors.example.org/1", "", "other"),
    ],
)
def test_error_tracking_mode(dsn, declared, expected):
    assert error_tracking_mode(dsn=dsn, declared=declared, base_domain="binome.example") == (
        expected
    )


@pytest.mark.parametrize(
    ("dsn", "declared"),
    [
        (EU_DSN, "glitchtip"),  # "self-hosted" while events go to sentry.io: refused
        (GLITCHTIP_DSN, "sentry"),
        (EU_DSN, "none"),
        (EU_DSN, "datadog"),
    ],
)
def test_a_declaration_the_dsn_contradicts_is_refused(dsn, declared):
    with pytest.raises(ValueError):
        error_tracking_mode(dsn=dsn, declared=declared, base_domain="binome.example")


def test_settings_refuse_to_start_when_error_tracking_contradicts_the_dsn():
    import os
    import subprocess
    import sys

    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "saas.settings.test",
        "SENTRY_DSN": EU_DSN,
        "ERROR_TRACKING": "glitchtip",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "sentry.io" in result.stderr
