"""Account changes (password, second factor, recovery codes, log out everywhere) are written by
services with their audit row in one transaction: through the pages, each change lands with its
row, and when the row cannot be written the change does not land either (PostgreSQL refuses the
insert: nothing is mocked)."""

import re

import pytest
from django.db import DatabaseError
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import tenant_context

from audit.models import AuditEvent
from conftest import audit_rows_refused, host_client, http_login
from saas.core.tenancy import connection
from shared_apps.accounts.models import RecoveryCode, User
from shared_apps.accounts.tests.test_two_factor import _set_up_totp, totp_now

NEW_PASSWORD = "un tout nouveau mot de passe solide"


def _rows(program, action: str, user) -> int:
    with tenant_context(program):
        count = AuditEvent.objects.filter(
            action=action, target_type="accounts.user", target_id=str(user.pk)
        ).count()
    connection.set_schema_to_public()
    return count


def _codes(user) -> set[str]:
    return set(RecoveryCode.objects.filter(device__user=user).values_list("code_hash", flat=True))


@pytest.mark.django_db
def test_password_change_lands_with_its_audit_row(world, password):
    client = host_client(world.program_a)
    http_login(client, world.mentee_a.email, password)
    # when the participant changes their password
    response = client.post(
        "/compte/mot-de-passe/",
        {
            "old_password": password,
            "new_password": NEW_PASSWORD,
            "new_password_confirm": NEW_PASSWORD,
        },
    )
    # then the new password works and the programme's log has the row
    assert response.status_code == 302
    assert User.objects.get(pk=world.mentee_a.pk).check_password(NEW_PASSWORD)
    assert _rows(world.program_a, "auth.password_changed", world.mentee_a) == 1


@pytest.mark.django_db
def test_password_change_without_its_audit_row_changes_nothing(world, password):
    client = host_client(world.program_a)
    http_login(client, world.mentee_a.email, password)
    data = {
        "old_password": password,
        "new_password": NEW_PASSWORD,
        "new_password_confirm": NEW_PASSWORD,
    }
    # when the audit row cannot be written
    with audit_rows_refused(world.program_a), pytest.raises(DatabaseError):
        client.post("/compte/mot-de-passe/", data)
    # then the old password is still the one
    user = User.objects.get(pk=world.mentee_a.pk)
    assert user.check_password(password) and not user.check_password(NEW_PASSWORD)
    assert _rows(world.program_a, "auth.password_changed", world.mentee_a) == 0


@pytest.mark.django_db
def test_turning_two_factor_on_lands_with_its_audit_row(world, password):
    client = host_client(world.program_a)
    http_login(client, world.mentee_a.email, password)
    # when the participant confirms an authenticator
    device, codes = _set_up_totp(client)
    # then it is confirmed, ten codes exist, and one row says so
    device.refresh_from_db()
    assert device.confirmed and len(codes) == 10
    assert len(_codes(world.mentee_a)) == 10
    assert _rows(world.program_a, "2fa.enabled", world.mentee_a) == 1


@pytest.mark.django_db
def test_turning_two_factor_on_without_its_audit_row_changes_nothing(world, password):
    client = host_client(world.program_a)
    http_login(client, world.mentee_a.email, password)
    assert client.get("/compte/double-authentification/").status_code == 200
    device = TOTPDevice.objects.get(user=world.mentee_a, confirmed=False)
    # when the right code is given but the audit row cannot be written
    with audit_rows_refused(world.program_a), pytest.raises(DatabaseError):
        client.post("/compte/double-authentification/", {"token": totp_now(device)})
    # then no authenticator is confirmed and no recovery code exists
    assert not TOTPDevice.objects.filter(user=world.mentee_a, confirmed=True).exists()
    assert _codes(world.mentee_a) == set()
    assert _rows(world.program_a, "2fa.enabled", world.mentee_a) == 0


@pytest.mark.django_db
def test_new_recovery_codes_land_with_their_audit_row(world, password):
    client = host_client(world.program_a)
    http_login(client, world.mentee_a.email, password)
    _set_up_totp(client)
    before = _codes(world.mentee_a)
    # when the participant asks for new recovery codes
    response = client.post("/compte/double-authentification/codes/")
    # then ten new codes replace the old ones, shown once, with one row
    shown = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", response.content.decode())
    after = _codes(world.mentee_a)
    assert len(shown) == 10 and len(after) == 10 and not after & before
    assert _rows(world.program_a, "2fa.recovery_codes_renewed", world.mentee_a) == 1


@pytest.mark.django_db
def test_new_recovery_codes_without_their_audit_row_keep_the_old_ones(world, password):
    client = host_client(world.program_a)
    http_login(client, world.mentee_a.email, password)
    _set_up_totp(client)
    before = _codes(world.mentee_a)
    # when the audit row cannot be written
    with audit_rows_refused(world.program_a), pytest.raises(DatabaseError):
        client.post("/compte/double-authentification/codes/")
    # then the old codes still stand
    assert _codes(world.mentee_a) == before and len(before) == 10
    assert _rows(world.program_a, "2fa.recovery_codes_renewed", world.mentee_a) == 0


@pytest.mark.django_db
def test_recovery_codes_are_not_made_for_someone_without_two_factor(world, password):
    client = host_client(world.program_a)
    http_login(client, world.mentee_a.email, password)
    # when a participant without an authenticator asks for recovery codes
    response = client.post("/compte/double-authentification/codes/")
    # then they are sent back to their account page, and nothing was written
    assert response.status_code == 302 and response["Location"] == "/compte/"
    assert _codes(world.mentee_a) == set()
    assert _rows(world.program_a, "2fa.recovery_codes_renewed", world.mentee_a) == 0


@pytest.mark.django_db
def test_turning_two_factor_off_lands_with_its_audit_row(world, password):
    client = host_client(world.program_a)
    http_login(client, world.mentee_a.email, password)
    _set_up_totp(client)
    # when the participant turns two-step verification off
    response = client.post("/compte/double-authentification/desactiver/")
    # then the authenticator and the codes are gone, with one row
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=world.mentee_a).exists()
    assert _codes(world.mentee_a) == set()
    assert _rows(world.program_a, "2fa.disabled", world.mentee_a) == 1


@pytest.mark.django_db
def test_turning_two_factor_off_without_its_audit_row_keeps_it_on(world, password):
    client = host_client(world.program_a)
    http_login(client, world.mentee_a.email, password)
    _set_up_totp(client)
    codes = _codes(world.mentee_a)
    # when the audit row cannot be written
    with audit_rows_refused(world.program_a), pytest.raises(DatabaseError):
        client.post("/compte/double-authentification/desactiver/")
    # then the authenticator and every code are still there
    assert TOTPDevice.objects.filter(user=world.mentee_a, confirmed=True).exists()
    assert _codes(world.mentee_a) == codes
    assert _rows(world.program_a, "2fa.disabled", world.mentee_a) == 0


@pytest.mark.django_db
def test_a_refused_two_factor_off_writes_nothing(world, password):
    # given a manager, whom the programme requires to keep two-step verification
    client = host_client(world.program_a)
    http_login(client, world.manager_a.email, password, second_factor=True)
    codes = _codes(world.manager_a)
    # when they try to turn it off
    response = client.post("/compte/double-authentification/desactiver/", follow=True)
    # then they are told why, the devices stay, and no row claims it happened
    assert "ne peut pas être désactivée" in response.content.decode()
    assert len(codes) == 10 and _codes(world.manager_a) == codes
    assert _rows(world.program_a, "2fa.disabled", world.manager_a) == 0


@pytest.mark.django_db
def test_logging_out_everywhere_lands_with_its_audit_row(world, password):
    client = host_client(world.program_a)
    http_login(client, world.mentee_a.email, password)
    version = User.objects.get(pk=world.mentee_a.pk).session_version
    # when the participant logs out everywhere
    response = client.post("/compte/deconnexion-partout/")
    # then every session is outdated, with one row
    assert response.status_code == 302
    assert User.objects.get(pk=world.mentee_a.pk).session_version == version + 1
    assert _rows(world.program_a, "auth.logout_everywhere", world.mentee_a) == 1


@pytest.mark.django_db
def test_logging_out_everywhere_without_its_audit_row_ends_no_session(world, password):
    client = host_client(world.program_a)
    http_login(client, world.mentee_a.email, password)
    version = User.objects.get(pk=world.mentee_a.pk).session_version
    # when the audit row cannot be written
    with audit_rows_refused(world.program_a), pytest.raises(DatabaseError):
        client.post("/compte/deconnexion-partout/")
    # then the sessions are as they were
    assert User.objects.get(pk=world.mentee_a.pk).session_version == version
    assert _rows(world.program_a, "auth.logout_everywhere", world.mentee_a) == 0
