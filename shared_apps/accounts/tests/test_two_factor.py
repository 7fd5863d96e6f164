"""Two-step verification with django-otp: TOTP set-up, recovery codes, enforcement."""

import re
import time

import pytest
from django.conf import settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import tenant_context

from conftest import host_client, http_login
from saas.core.tenancy import connection
from shared_apps.accounts.models import RecoveryCode
from shared_apps.accounts.otp import recovery_code_hash
from tenant_apps.programs.models import ProgramSettings


def totp_now(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows now (or `steps_ahead` periods later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def totp_of_step(device: TOTPDevice, step: int) -> str:
    """The code an authenticator app showed during time step `step` (django-otp's `last_t`)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = device.t0 + step * device.step
    return f"{totp.token():0{device.digits}d}"


def _set_up_totp(client) -> tuple[TOTPDevice, list[str]]:
    page = client.get("/compte/double-authentification/")
    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    connection.set_schema_to_public()
    device = TOTPDevice.objects.get(confirmed=False)
    response = client.post("/compte/double-authentification/", {"token": totp_now(device)})
    assert response.status_code == 200
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", response.content.decode())
    return device, codes


def _session_key(client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.mark.django_db
def test_participant_sets_up_totp_and_gets_ten_hashed_recovery_codes(world, password):
    client = host_client(world.program_a)
    http_login(client, world.mentee_a.email, password)
    # when they set up an authenticator
    device, codes = _set_up_totp(client)
    # then it is confirmed, and ten codes were shown once and stored only hashed
    device.refresh_from_db()
    assert device.confirmed
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = set(
        RecoveryCode.objects.filter(device__user=world.mentee_a).values_list("code_hash", flat=True)
    )
    assert stored == {recovery_code_hash(code) for code in codes}
    assert not stored & set(codes)
    # and the codes are not shown again
    assert codes[0] not in client.get("/compte/").content.decode()


@pytest.mark.django_db
def test_login_with_totp_rotates_the_session_and_a_code_works_once(world, password):
    # given a participant with an authenticator
    setup = host_client(world.program_a)
    http_login(setup, world.mentee_a.email, password)
    device, _codes = _set_up_totp(setup)
    device.refresh_from_db()
    # when they log in again on another device
    client = host_client(world.program_a)
    client.post("/connexion/", {"username": world.mentee_a.email, "password": password})
    after_password = _session_key(client)
    # then nothing is reachable before the code
    blocked = client.get("/espace/")
    assert blocked.status_code == 302 and blocked["Location"].startswith("/compte/verification/")
    # the code already used at set-up is refused (its own time step, whatever the time now: a
    # slow machine may have crossed into the next step since)
    token = totp_of_step(device, device.last_t)
    refused = client.post("/compte/verification/", {"token": token})
    assert "Ce code n’est pas valide" in refused.content.decode()
    # a fresh code (the next period), once the throttling delay after that failure has
    # passed, opens the space with a new session key
    device.refresh_from_db()
    device.throttle_reset()
    next_token = totp_now(device, steps_ahead=1)
    response = client.post("/compte/verification/", {"token": next_token})
    assert response.status_code == 302
    assert _session_key(client) != after_password
    assert client.get("/espace/").status_code == 200
    # and the same code cannot be used again elsewhere
    other = host_client(world.program_a)
    other.post("/connexion/", {"username": world.mentee_a.email, "password": password})
    again = other.post("/compte/verification/", {"token": next_token})
    assert "Ce code n’est pas valide" in again.content.decode()


@pytest.mark.django_db
def test_recovery_code_works_once(world, password):
    setup = host_client(world.program_a)
    http_login(setup, world.mentee_a.email, password)
    _device, codes = _set_up_totp(setup)
    first = host_client(world.program_a)
    first.post("/connexion/", {"username": world.mentee_a.email, "password": password})
    assert first.post("/compte/verification/", {"token": codes[3].upper()}).status_code == 302
    second = host_client(world.program_a)
    second.post("/connexion/", {"username": world.mentee_a.email, "password": password})
    assert second.post("/compte/verification/", {"token": codes[3]}).status_code == 200
    assert second.get("/espace/").status_code == 302


@pytest.mark.django_db
def test_manager_must_set_up_two_factor_before_anything_else(world, password):
    client = host_client(world.program_a)
    http_login(client, world.manager_a.email, password)
    for path in ("/espace/", "/gestion/participants/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/compte/double-authentification/")
    _set_up_totp(client)
    assert client.get("/gestion/participants/").status_code == 200


@pytest.mark.django_db
def test_programme_policy_decides_for_participants(world, password):
    with tenant_context(world.program_b):
        ProgramSettings.objects.filter(id=1).update(two_factor_policy="required")
    connection.set_schema_to_public()
    on_b = host_client(world.program_b)
    http_login(on_b, world.mentee_b.email, password)
    assert on_b.get("/espace/")["Location"].startswith("/compte/double-authentification/")
    # programme A's policy is optional: the same kind of participant goes straight in
    on_a = host_client(world.program_a)
    http_login(on_a, world.mentee_a.email, password)
    assert on_a.get("/espace/").status_code == 200


@pytest.mark.django_db
def test_super_admin_needs_a_second_factor_for_the_console(world, password):
    client = host_client(None)
    http_login(client, world.staff.email, password)
    response = client.get("/console/")
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/double-authentification/")


@pytest.mark.django_db
def test_required_two_factor_cannot_be_turned_off(world, password):
    client = host_client(world.program_a)
    http_login(client, world.manager_a.email, password, second_factor=True)
    client.post("/compte/double-authentification/desactiver/")
    assert RecoveryCode.objects.filter(device__user=world.manager_a).exists()
