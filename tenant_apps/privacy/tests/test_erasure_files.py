"""Erasure deletes every version of the person's files (the bucket is versioned: a plain delete
would only hide the current one), and only theirs."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django_tenants.utils import tenant_context

from conftest import PASSWORD, host_client, http_login
from saas.tests.s3 import s3
from tenant_apps.participants.models import Participant

__all__ = ["s3"]


@pytest.mark.django_db
def test_erasing_a_person_deletes_every_version_of_their_files_and_only_theirs(
    world, s3, django_capture_on_commit_callbacks
):
    # given a person's file replaced once then deleted (three stored versions), another file
    # of theirs, and a file of someone else
    with tenant_context(world.program_a):
        mentee = Participant.objects.get(user=world.mentee_a)
        other = Participant.objects.get(user=world.both)
        default_storage.save(f"{mentee.files_prefix}photo.jpg", ContentFile(b"v1"))
        default_storage.delete(f"{mentee.files_prefix}photo.jpg")
        default_storage.save(f"{mentee.files_prefix}photo.jpg", ContentFile(b"v2"))
        default_storage.save(f"{mentee.files_prefix}export.zip", ContentFile(b"zip"))
        default_storage.save(f"{other.files_prefix}photo.jpg", ContentFile(b"other"))
    schema = world.program_a.schema_name
    theirs = f"{schema}/participants/{mentee.pk}/"
    assert len(s3.versions(theirs)) == 4
    manager = host_client(world.program_a)
    http_login(manager, world.manager_a.email, PASSWORD, second_factor=True)
    url = f"/gestion/participants/{mentee.pk}/effacer/"

    # when the manager does not confirm, nothing goes
    with django_capture_on_commit_callbacks(execute=True):
        manager.post(url, {"confirm": ""})
    assert len(s3.versions(theirs)) == 4

    # when the manager confirms the erasure
    with django_capture_on_commit_callbacks(execute=True):
        manager.post(url, {"confirm": "EFFACER"})

    # then no version of the person's files is left, and the other person's file stays
    assert s3.versions(theirs) == []
    assert s3.versions() == [(f"{schema}/participants/{other.pk}/photo.jpg", False)]
