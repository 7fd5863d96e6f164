"""Each action the issue lists leaves an audit row; the super-admin's cross-programme export
and erasure work and are audited."""

import json
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import tenant_context

from audit.models import AuditEvent
from conftest import PASSWORD, host_client, http_login
from saas.core.tenancy import connection
from shared_apps.accounts.models import User
from shared_apps.accounts.tests.tombstone import assert_identity_erased
from tenant_apps.participants.models import Participant


def _logged(program, since_id: int) -> set[str]:
    with tenant_context(program):
        actions = set(AuditEvent.objects.filter(id__gt=since_id).values_list("action", flat=True))
    connection.set_schema_to_public()
    return actions


def _last_id(program) -> int:
    with tenant_context(program):
        last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    connection.set_schema_to_public()
    return last


@pytest.mark.django_db
def test_every_listed_action_is_audited(world, django_capture_on_commit_callbacks):
    since = _last_id(world.program_a)
    # 2FA change by a participant
    mentee = host_client(world.program_a)
    http_login(mentee, world.mentee_a.email, PASSWORD)
    mentee.get("/compte/double-authentification/")
    device = TOTPDevice.objects.get(user=world.mentee_a, confirmed=False)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    mentee.post("/compte/double-authentification/", {"token": f"{totp.token():06d}"})
    # the manager: import, profile view, role/status change, export of the log
    manager = host_client(world.program_a)
    http_login(manager, world.manager_a.email, PASSWORD, second_factor=True)
    with django_capture_on_commit_callbacks(execute=True):
        preview = manager.post(
            "/gestion/participants/import/",
            {"file": SimpleUploadedFile("p.csv", b"email;role\nimp@a.example;mentor\n")},
        ).content.decode()
        payload = preview.split('name="payload" value="')[1].split('"')[0]
        manager.post("/gestion/participants/import/", {"payload": payload})
    with tenant_context(world.program_a):
        target = Participant.objects.get(user=world.mentee_a)
    connection.set_schema_to_public()
    manager.get(f"/gestion/participants/{target.pk}/")
    manager.post(f"/gestion/participants/{target.pk}/desactiver/")
    manager.get("/gestion/journal/?format=csv")
    host_client(world.program_a).post(
        "/connexion/", {"username": world.both.email, "password": "not it, surely"}
    )
    assert {
        "auth.login",
        "auth.login_failed",
        "2fa.enabled",
        "participants.imported",
        "participant.invited",
        "participant.profile_viewed",
        "participant.deactivated",
        "audit.exported",
    } <= _logged(world.program_a, since)


@pytest.mark.django_db
def test_super_admin_exports_and_erases_one_person_across_programmes(world):
    console = host_client(None)
    http_login(console, world.staff.email, PASSWORD, second_factor=True)
    page = console.get("/console/personnes/", {"email": world.both.email}).content.decode()
    assert "Programme A" in page and "Programme B" in page
    export = json.loads(
        console.get("/console/personnes/", {"email": world.both.email, "format": "json"}).content
    )
    assert set(export["programmes"]) == {"prog-a", "prog-b"}
    assert AuditEvent.objects.filter(action="console.person_exported").exists()
    console.post("/console/personnes/", {"email": world.both.email, "confirm": "non"})
    assert User.objects.filter(pk=world.both.pk).exists()
    console.post("/console/personnes/", {"email": world.both.email, "confirm": "EFFACER"})
    assert_identity_erased(world.both.pk, email=world.both.email)
    event = AuditEvent.objects.get(action="console.person_erased")
    assert world.both.email not in str(event.details)
    for program in (world.program_a, world.program_b):
        with tenant_context(program):
            assert not Participant.objects.filter(user__email=world.both.email).exists()
    connection.set_schema_to_public()
