"""French-aware password checks (issue 10, finding 11)."""

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django_tenants.utils import tenant_context

from conftest import host_client, http_login
from shared_apps.accounts.passwords import FrenchCommonPasswordValidator

COMMON_FR = "Ce mot de passe est l’un des plus utilisés en France"
NAMED = "construit sur le nom du programme ou de son organisation"


def _change(client, old: str, new: str) -> str:
    response = client.post(
        "/compte/mot-de-passe/",
        {"old_password": old, "new_password": new, "new_password_confirm": new},
    )
    return response.content.decode() if response.status_code == 200 else ""


@pytest.mark.django_db
def test_common_french_passwords_and_the_programme_name_are_refused(world, password):
    client = host_client(world.program_a)
    http_login(client, world.mentee_a.email, password)
    for weak in ("motdepasse123", "Azerty2024!!!", "M0tDeP@sse!2025", "123soleil456789"):
        assert COMMON_FR in _change(client, password, weak), weak
    # the programme's name ("Programme A") and its organisation's ("Test organisation")
    for weak in ("Programme A 2027!", "testorganisation2027"):
        assert NAMED in _change(client, password, weak), weak
    world.mentee_a.refresh_from_db()
    assert world.mentee_a.check_password(password)
    # a sentence with a common word inside is fine
    assert _change(client, password, "un tout nouveau mot de passe solide") == ""


@pytest.mark.django_db
def test_the_checks_are_part_of_every_password_validation(world):
    # registration, invitation and reset links all go through validate_password
    with tenant_context(world.program_a):
        with pytest.raises(ValidationError) as refused:
            password_validation.validate_password("programmea-2027")
        assert "password_organisation_name" in {e.code for e in refused.value.error_list}
    with pytest.raises(ValidationError):
        password_validation.validate_password("jetaime123456")
    password_validation.validate_password("le chat de la voisine chante faux")


def test_the_french_list_is_loaded_and_normalised():
    validator = FrenchCommonPasswordValidator()
    for weak in ("MotDePasse2024", "mot de passe 1234", "b0nj0ur!!2024", "Marseille13013"):
        with pytest.raises(ValidationError):
            validator.validate(weak)
    validator.validate("marseille en été sous la pluie")
