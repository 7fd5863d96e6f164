"""The programme settings page: one true error at a time, examples that name no client."""

import pytest

from conftest import host_client, http_login

SETTINGS = {
    "is_registration_open": "on",
    "registration_roles": "both",
    "two_factor_policy": "optional",
    "primary_color": "#123456",
    "language": "fr",
    "matching_mode": "manager",
    "matching_objective": "matches",
    "request_expiry_days": "5",
    "retention_inactive_warn_months": "22",
    "retention_inactive_erase_months": "24",
    "retention_after_end_months": "12",
    "retention_unverified_days": "7",
}


@pytest.mark.django_db
def test_a_wrong_domain_is_the_only_error_shown(manager_client):
    # when the manager opens registration with a mistyped domain
    page = manager_client.post(
        "/gestion/parametres/", {**SETTINGS, "allowed_email_domains_text": "exemple"}
    ).content.decode()
    # then the page says the domain is wrong, not also that no domain was given
    assert "« exemple » n’est pas un nom de domaine." in page
    assert "au moins un domaine" not in page


@pytest.mark.django_db
def test_settings_help_uses_neutral_examples(manager_client):
    page = manager_client.get("/gestion/parametres/").content.decode()
    assert "exemple.fr" in page
    assert "ucanss" not in page.lower()


@pytest.mark.django_db
def test_help_text_typed_by_a_manager_is_shown_as_text(world, password):
    from django.db import connection
    from django_tenants.utils import tenant_context

    from tenant_apps.programs.models import Question

    # given a question whose help text contains markup
    with tenant_context(world.program_a):
        Question.objects.create(
            key="ville", label="Ville", kind="text", help_text="<b>gras</b> <sous-domaine>"
        )
    connection.set_schema_to_public()
    client = host_client(world.program_a)
    http_login(client, world.mentee_a.email, password)
    # when the participant opens their profile
    page = client.get("/profil/").content.decode()
    # then the help text is shown as typed, never interpreted as HTML
    assert "&lt;b&gt;gras&lt;/b&gt; &lt;sous-domaine&gt;" in page
    assert "<b>gras</b>" not in page
