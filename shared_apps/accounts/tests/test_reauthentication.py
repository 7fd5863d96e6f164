"""Sensitive account changes need a fresh proof (issue 10, finding 4), and 2FA cannot be
turned off while any of the person's programmes or roles requires it; django-otp's throttling
is reported as what it is (finding 12)."""

import re
import time

import pytest
from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore
from django.core.cache import caches
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import tenant_context

from conftest import host_client, http_login
from saas.core.tenancy import connection
from shared_apps.accounts.middleware import SESSION_REAUTH_AT
from shared_apps.accounts.models import RecoveryCode
from shared_apps.accounts.otp import recovery_codes_generate
from shared_apps.accounts.tests.test_two_factor import _set_up_totp, totp_now
from tenant_apps.programs.models import ProgramSettings


def _age_proof(program, client, *, seconds_ago: int) -> None:
    """The person proved who they are `seconds_ago` (the session itself stays alive)."""
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    with tenant_context(program):
        session = SessionStore(session_key=key)
        session[SESSION_REAUTH_AT] = int(time.time()) - seconds_ago
        session.save()
    connection.set_schema_to_public()


def _has_two_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_turning_two_factor_off_needs_the_password_and_a_code_from_the_last_minutes(
    world, password
):
    # given a participant with an authenticator, whose proof is six minutes old
    client = host_client(world.program_a)
    http_login(client, world.mentee_a.email, password)
    device, _codes = _set_up_totp(client)
    _age_proof(world.program_a, client, seconds_ago=6 * 60)
    # when something in the session asks to switch 2FA off
    response = client.post("/compte/double-authentification/desactiver/")
    # then it is sent to "confirm it's you", and nothing changed
    assert response.status_code == 302
    assert response["Location"] == "/compte/confirmer/?next=%2Fcompte%2F"
    assert _has_two_factor(world.mentee_a)
    # the password alone is not enough for someone who has a second factor
    page = client.post("/compte/confirmer/?next=/compte/", {"password": password, "token": ""})
    assert page.status_code == 200
    wrong = client.post(
        "/compte/confirmer/?next=/compte/", {"password": "not the password", "token": "123456"}
    )
    assert "Mot de passe ou code incorrect." in wrong.content.decode()
    assert client.post("/compte/double-authentification/desactiver/").status_code == 302
    assert _has_two_factor(world.mentee_a)
    # with the password and a fresh code, the person comes back and can switch it off
    device.refresh_from_db()
    device.throttle_reset()
    confirmed = client.post(
        "/compte/confirmer/",
        {"password": password, "token": totp_now(device, steps_ahead=1), "next": "/compte/"},
    )
    assert confirmed.status_code == 302 and confirmed["Location"] == "/compte/"
    client.post("/compte/double-authentification/desactiver/")
    assert not _has_two_factor(world.mentee_a)


@pytest.mark.django_db
def test_password_change_and_new_recovery_codes_need_a_recent_proof(world, password):
    client = host_client(world.program_a)
    http_login(client, world.mentee_a.email, password, second_factor=True)
    codes_before = set(RecoveryCode.objects.filter(device__user=world.mentee_a))
    _age_proof(world.program_a, client, seconds_ago=6 * 60)
    # new recovery codes: refused, the old ones stay
    renew = client.post("/compte/double-authentification/codes/")
    assert renew["Location"].startswith("/compte/confirmer/")
    assert set(RecoveryCode.objects.filter(device__user=world.mentee_a)) == codes_before
    # the password page: sent to confirm first, then brought back to it
    page = client.get("/compte/mot-de-passe/")
    assert page.status_code == 302
    assert page["Location"] == "/compte/confirmer/?next=%2Fcompte%2Fmot-de-passe%2F"
    new = "une phrase toute neuve et solide"
    client.post(
        "/compte/mot-de-passe/",
        {"old_password": password, "new_password": new, "new_password_confirm": new},
    )
    world.mentee_a.refresh_from_db()
    assert world.mentee_a.check_password(password)
    # with the password and one of the recovery codes, the person comes back to the page
    fresh = recovery_codes_generate(user=world.mentee_a)[0]
    back = client.post(
        "/compte/confirmer/",
        {"password": password, "token": fresh, "next": "/compte/mot-de-passe/"},
    )
    assert back["Location"] == "/compte/mot-de-passe/"
    assert client.get("/compte/mot-de-passe/").status_code == 200


@pytest.mark.django_db
def test_two_factor_stays_on_while_another_programme_requires_it(world, password):
    # given "both" is a mentor in A (2FA optional) and a mentee in B, where it is required
    with tenant_context(world.program_b):
        ProgramSettings.objects.filter(id=1).update(two_factor_policy="required")
        caches["default"].clear()
    connection.set_schema_to_public()
    client = host_client(world.program_a)
    http_login(client, world.both.email, password, second_factor=True)
    # when they try to switch it off on A's site (just signed in: the proof is fresh)
    response = client.post("/compte/double-authentification/desactiver/", follow=True)
    # then it is refused, saying which programme requires it
    page = response.content.decode()
    assert "La vérification en deux étapes ne peut pas être désactivée" in page
    assert "le programme « Programme B » l’exige de ses participants" in page
    assert RecoveryCode.objects.filter(device__user=world.both).exists()


@pytest.mark.django_db
def test_a_manager_elsewhere_keeps_two_factor_on(world, password):
    from tenant_apps.participants.models import Participant
    from tenant_apps.participants.services import participant_add

    with tenant_context(world.program_b):
        participant_add(user=world.mentee_a, role=Participant.Role.MANAGER)
    connection.set_schema_to_public()
    client = host_client(world.program_a)
    http_login(client, world.mentee_a.email, password, second_factor=True)
    response = client.post("/compte/double-authentification/desactiver/", follow=True)
    assert "vous gérez le programme « Programme B »" in response.content.decode()
    assert RecoveryCode.objects.filter(device__user=world.mentee_a).exists()


def _token_value(page: str) -> str:
    match = re.search(r'<input[^>]*name="token"[^>]*>', page)
    assert match is not None
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else ""


@pytest.mark.django_db
def test_a_right_code_after_a_wrong_one_is_told_to_wait_not_to_check_the_clock(
    world, password, settings
):
    settings.OTP_TOTP_THROTTLE_FACTOR = 30
    client = host_client(world.program_a)
    http_login(client, world.mentee_a.email, password)
    client.get("/compte/double-authentification/")
    connection.set_schema_to_public()
    device = TOTPDevice.objects.get(user=world.mentee_a, confirmed=False)
    right = totp_now(device)
    wrong = f"{(int(right) + 1) % 1000000:06d}"
    first = client.post("/compte/double-authentification/", {"token": wrong}).content.decode()
    assert "Ce code n’est pas valide" in first
    assert _token_value(first) == ""
    # when the right code comes next, within the delay django-otp imposes after a failure
    page = client.post("/compte/double-authentification/", {"token": right}).content.decode()
    # then the page says what happened: too many tries, wait N seconds; the field is empty
    assert re.search(r"Trop d’essais\. Patientez (29|30) secondes avant de réessayer\.", page)
    assert "Vérifiez l’heure" not in page
    assert _token_value(page) == ""
    device.refresh_from_db()
    assert not device.confirmed


@pytest.mark.django_db
def test_verification_page_reports_the_wait_too(world, password, settings):
    setup = host_client(world.program_a)
    http_login(setup, world.mentee_a.email, password)
    device, _codes = _set_up_totp(setup)
    settings.OTP_TOTP_THROTTLE_FACTOR = 30
    client = host_client(world.program_a)
    client.post("/connexion/", {"username": world.mentee_a.email, "password": password})
    device.refresh_from_db()
    right = totp_now(device, steps_ahead=1)
    client.post("/compte/verification/", {"token": f"{(int(right) + 1) % 1000000:06d}"})
    page = client.post("/compte/verification/", {"token": right}).content.decode()
    assert "Patientez" in page and _token_value(page) == ""
    assert client.get("/espace/").status_code == 302
