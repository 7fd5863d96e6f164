"""Files in Object Storage (a real S3 server, moto's, on 127.0.0.1) or on disk: one prefix per
programme, private objects, and deletion of every version under a prefix."""

import pytest
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django_tenants.utils import tenant_context

from saas.core.storage import files_delete_prefix
from saas.tests.s3 import s3

__all__ = ["s3"]

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


def test_files_stay_on_disk_unless_a_bucket_is_configured(settings):
    assert settings.STORAGES["default"]["BACKEND"] == "saas.core.storage.TenantFileSystemStorage"
    assert settings.AWS_STORAGE_BUCKET_NAME == ""


@pytest.mark.django_db
def test_a_file_goes_to_the_bucket_under_its_programme_schema_and_is_private(world, s3):
    # given two programmes saving a file of the same name
    with tenant_context(world.program_a):
        default_storage.save("branding/logo.png", ContentFile(b"logo of A"))
    with tenant_context(world.program_b):
        default_storage.save("branding/logo.png", ContentFile(b"logo of B"))
        # then each programme reads its own
        with default_storage.open("branding/logo.png") as handle:
            assert handle.read() == b"logo of B"
    # and each is stored under its programme's schema
    schema_a, schema_b = world.program_a.schema_name, world.program_b.schema_name
    assert s3.object_keys() == sorted(
        [f"{schema_a}/branding/logo.png", f"{schema_b}/branding/logo.png"]
    )
    # and nobody but the key's owner may read it
    acl = s3.client().get_object_acl(Bucket=s3.bucket, Key=f"{schema_a}/branding/logo.png")
    assert [grant["Permission"] for grant in acl["Grants"]] == ["FULL_CONTROL"]
    assert ALL_USERS not in str(acl["Grants"])


@pytest.mark.django_db
def test_deleting_a_prefix_removes_every_version_and_delete_marker_and_nothing_else(world, s3):
    # given a person's file written, deleted and written again (two versions and a delete
    # marker), a second file of theirs, another person's file, and the same path in another
    # programme
    with tenant_context(world.program_a):
        default_storage.save("participants/7/photo.jpg", ContentFile(b"first"))
        default_storage.delete("participants/7/photo.jpg")
        default_storage.save("participants/7/photo.jpg", ContentFile(b"second"))
        default_storage.save("participants/7/notes/cv.pdf", ContentFile(b"cv"))
        default_storage.save("participants/70/photo.jpg", ContentFile(b"someone else"))
    with tenant_context(world.program_b):
        default_storage.save("participants/7/photo.jpg", ContentFile(b"other programme"))
    schema_a, schema_b = world.program_a.schema_name, world.program_b.schema_name
    assert s3.versions(f"{schema_a}/participants/7/") == [
        (f"{schema_a}/participants/7/notes/cv.pdf", False),
        (f"{schema_a}/participants/7/photo.jpg", False),
        (f"{schema_a}/participants/7/photo.jpg", False),
        (f"{schema_a}/participants/7/photo.jpg", True),
    ]

    # when the person's prefix is deleted
    with tenant_context(world.program_a):
        deleted = files_delete_prefix(prefix="participants/7")

    # then no version of their files remains, and everything else does
    assert deleted == 4
    assert s3.versions(f"{schema_a}/participants/7/") == []
    assert s3.versions() == sorted(
        [
            (f"{schema_a}/participants/70/photo.jpg", False),
            (f"{schema_b}/participants/7/photo.jpg", False),
        ]
    )


@pytest.mark.django_db
def test_deleting_a_whole_programme_leaves_the_others(world, s3):
    with tenant_context(world.program_a):
        default_storage.save("branding/icons/192.png", ContentFile(b"A"))
        default_storage.delete("branding/icons/192.png")
        default_storage.save("branding/icons/192.png", ContentFile(b"A again"))
    with tenant_context(world.program_b):
        default_storage.save("branding/icons/192.png", ContentFile(b"B"))
    with tenant_context(world.program_a):
        assert files_delete_prefix(prefix="") == 3  # two versions and a delete marker
    assert s3.versions() == [(f"{world.program_b.schema_name}/branding/icons/192.png", False)]


@pytest.mark.django_db
def test_a_prefix_that_climbs_out_of_the_programme_is_refused(world, s3):
    with tenant_context(world.program_b):
        default_storage.save("branding/logo.png", ContentFile(b"B"))
    with tenant_context(world.program_a), pytest.raises(SuspiciousFileOperation):
        files_delete_prefix(prefix=f"../{world.program_b.schema_name}")
    assert len(s3.versions()) == 1


@pytest.mark.django_db
def test_on_disk_a_prefix_is_deleted_in_the_programme_folder_only(world, settings, tmp_path):
    # given files on disk (the default storage) in two programmes
    settings.MEDIA_ROOT = str(tmp_path)
    default_storage.__dict__.pop("relative_media_root", None)
    try:
        with tenant_context(world.program_a):
            default_storage.save("participants/7/photo.jpg", ContentFile(b"a"))
            default_storage.save("participants/7/more/cv.pdf", ContentFile(b"b"))
            default_storage.save("participants/70/photo.jpg", ContentFile(b"c"))
        with tenant_context(world.program_b):
            default_storage.save("participants/7/photo.jpg", ContentFile(b"d"))
        # when
        with tenant_context(world.program_a):
            deleted = files_delete_prefix(prefix="participants/7/")
            missing = files_delete_prefix(prefix="participants/8/")
    finally:
        default_storage.__dict__.pop("relative_media_root", None)
    # then
    assert (deleted, missing) == (2, 0)
    remaining = sorted(
        str(path.relative_to(tmp_path)) for path in tmp_path.rglob("*") if path.is_file()
    )
    assert remaining == sorted(
        [
            f"{world.program_a.schema_name}/participants/70/photo.jpg",
            f"{world.program_b.schema_name}/participants/7/photo.jpg",
        ]
    )
