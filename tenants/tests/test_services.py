"""Provisioning: plain migrate, the pool of spare schemas, and failures that leave nothing."""

import pytest
from django.db import connection
from django.test import override_settings
from django_tenants.utils import schema_exists, tenant_context

from saas.core.errors import ValidationFailed
from tenants.models import Client, Domain, Program
from tenants.services import (
    program_create,
    program_pool_refill,
    program_provision,
    program_retry,
    program_set_status,
)


@pytest.fixture
def client_org(db):
    return Client.objects.create(name="Org")


def _create(client_org, slug="new-prog", **kwargs):
    return program_create(
        client_id=client_org.pk, name="New", slug=slug, manager_email="m@org.example", **kwargs
    )


@pytest.mark.django_db
def test_schema_name_is_generated_not_typed(client_org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        program = _create(client_org, slug="my-programme")
    program.refresh_from_db()
    assert program.schema_name != "my-programme"
    assert program.schema_name.startswith("p_") and len(program.schema_name) == 14
    assert program.status == Program.Status.READY


@pytest.mark.django_db
def test_pool_refill_then_claim_uses_a_spare_schema(client_org, django_capture_on_commit_callbacks):
    # given two spare schemas, migrated ahead
    assert program_pool_refill(size=2) == 2
    spares = set(Program.objects.filter(status="spare").values_list("schema_name", flat=True))
    assert all(schema_exists(name) for name in spares)
    # when a programme is created
    with django_capture_on_commit_callbacks(execute=True):
        program = _create(client_org)
    # then it took one of them and is ready
    program.refresh_from_db()
    assert program.schema_name in spares
    assert program.status == Program.Status.READY
    assert Program.objects.filter(status="spare").count() == 1
    with tenant_context(program):
        from tenant_apps.participants.models import Participant

        assert Participant.objects.filter(role="manager").count() == 1
    # and a second refill tops the pool up again (idempotent when full)
    assert program_pool_refill(size=2) == 1
    assert program_pool_refill(size=2) == 0


@pytest.mark.django_db
def test_failed_provisioning_leaves_no_schema_and_no_domain(
    client_org, world, django_capture_on_commit_callbacks
):
    # given a programme reserved while another one grabbed its host meanwhile (a race)
    with django_capture_on_commit_callbacks(execute=False):
        program = _create(client_org, slug="raced")
    Domain.objects.create(domain=program.host, tenant=world.program_b, is_primary=False)
    # when provisioning runs
    program = program_provision(program_id=program.pk)
    # then the programme is failed with the reason, and nothing half-made remains
    connection.set_schema_to_public()
    program.refresh_from_db()
    assert program.status == Program.Status.FAILED
    assert "IntegrityError" in program.failure_reason
    assert not schema_exists(program.schema_name)
    assert not Domain.objects.filter(tenant=program).exists()


@pytest.mark.django_db
def test_failure_while_writing_the_first_rows_drops_the_schema(
    client_org, monkeypatch, django_capture_on_commit_callbacks
):
    # given the invitation email cannot be rendered (a broken template in a deploy)
    from django.template import TemplateDoesNotExist

    from tenant_apps.notifications import services as notification_services

    def broken(*args, **kwargs):
        raise TemplateDoesNotExist("notifications/email/invitation.txt")

    monkeypatch.setattr(notification_services, "render_to_string", broken)
    with django_capture_on_commit_callbacks(execute=True):
        program = _create(client_org, slug="broken-template")
    # then
    program.refresh_from_db()
    assert program.status == Program.Status.FAILED
    assert "TemplateDoesNotExist" in program.failure_reason
    assert not schema_exists(program.schema_name)
    assert not Domain.objects.filter(tenant=program).exists()
    # and once the cause is fixed, a retry makes it ready
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        program_retry(program=program)
    program.refresh_from_db()
    assert program.status == Program.Status.READY
    assert schema_exists(program.schema_name)


@pytest.mark.django_db
def test_provisioning_twice_is_harmless(client_org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        program = _create(client_org)
    again = program_provision(program_id=program.pk)
    assert again.status == Program.Status.READY
    assert Domain.objects.filter(tenant=program).count() == 1


@pytest.mark.django_db
def test_bad_input_creates_nothing(client_org, world):
    before = (Program.objects.count(), Domain.objects.count())
    with pytest.raises(ValidationFailed) as error:
        program_create(client_id=None, name="", slug="prog-a", manager_email="x")
    assert set(error.value.fields) == {"client", "name", "slug", "manager_email"}
    assert (Program.objects.count(), Domain.objects.count()) == before


@pytest.mark.django_db
def test_status_transitions(client_org, world):
    from saas.core.errors import Conflict

    program = world.program_b
    with pytest.raises(Conflict):
        program_set_status(program=program, action="resume")  # ready cannot be resumed
    assert program_set_status(program=program, action="pause").status == "paused"
    assert program_set_status(program=program, action="resume").status == "ready"
    assert program_set_status(program=program, action="archive", reason="Fin").status == "archived"
    for action in ("pause", "resume", "archive"):
        with pytest.raises(Conflict):
            program_set_status(program=program, action=action, reason="Fin")


@pytest.mark.django_db
def test_failed_provisioning_deletes_every_version_of_the_programmes_files(
    client_org, world, monkeypatch, django_capture_on_commit_callbacks
):
    # given files are in the bucket, and a programme fails after writing some (two versions)
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from saas.tests.s3 import s3_server
    from tenants import services

    def first_rows_then_failure(program):
        default_storage.save("branding/icons/192.png", ContentFile(b"first"))
        default_storage.save("branding/icons/192.png", ContentFile(b"second"))
        raise RuntimeError("broken deploy")

    monkeypatch.setattr(services, "_program_first_rows", first_rows_then_failure)
    with s3_server() as s3, override_settings(**s3.settings()):
        with tenant_context(world.program_b):
            default_storage.save("branding/icons/192.png", ContentFile(b"B"))
        # when
        with django_capture_on_commit_callbacks(execute=True):
            program = _create(client_org, slug="failing-files")
        # then the failed programme's files are gone, every version; B's stay
        program.refresh_from_db()
        assert program.status == Program.Status.FAILED
        assert "RuntimeError" in program.failure_reason
        assert s3.versions() == [(f"{world.program_b.schema_name}/branding/icons/192.png", False)]
