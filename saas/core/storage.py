"""File storage with the programme in every key, on disk or in Object Storage (S3 API).

Both backends put a programme's files under its schema name (`<schema>/branding/logo.png`), the
way django-tenants' TenantFileSystemStorage does on disk, so that a programme's files are one
prefix. `delete_prefix` removes everything under a prefix of the current programme — in the
bucket, every version of every object and its delete markers, since the bucket is versioned and
a plain delete only hides a file (RGPD erasure, programme deletion)."""

import shutil
from pathlib import Path

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django_tenants.files.storage import (
    TenantFileSystemStorage as BaseTenantFileSystemStorage,
)
from storages.backends.s3 import S3Storage

from saas.core.tenancy import connection

DELETE_BATCH = 1000  # S3 DeleteObjects takes at most 1000 keys


def _clean_prefix(prefix: str) -> str:
    """`prefix` as a relative folder ("" for the whole programme), refused if it could climb
    out of it."""
    parts = [part for part in prefix.replace("\\", "/").split("/") if part]
    if any(part in (".", "..") for part in parts):
        raise SuspiciousFileOperation(f"Invalid prefix: {prefix!r}")
    return "".join(f"{part}/" for part in parts)


class TenantFileSystemStorage(BaseTenantFileSystemStorage):  # type: ignore[misc]  # untyped base
    """django-tenants' storage (MEDIA_ROOT/<schema>/...), plus `delete_prefix`."""

    def delete_prefix(self, prefix: str) -> int:
        folder = Path(self.path(_clean_prefix(prefix) or "."))
        if not folder.is_dir():
            return 0
        count = sum(1 for path in folder.rglob("*") if path.is_file())
        shutil.rmtree(folder)
        return count


class TenantS3Storage(S3Storage):  # type: ignore[misc]  # django-storages ships no types
    """django-storages' S3 backend whose location is the current programme's schema."""

    @property
    def location(self) -> str:
        return connection.schema_name

    @location.setter
    def location(self, value: str) -> None:
        """The schema decides; a configured location is ignored."""

    def delete_prefix(self, prefix: str) -> int:
        key_prefix = f"{self.location}/{_clean_prefix(prefix)}"
        client = self.connection.meta.client
        pages = client.get_paginator("list_object_versions").paginate(
            Bucket=self.bucket_name, Prefix=key_prefix
        )
        versions = [
            {"Key": entry["Key"], "VersionId": entry["VersionId"]}
            for page in pages
            for entry in page.get("Versions", []) + page.get("DeleteMarkers", [])
        ]
        for start in range(0, len(versions), DELETE_BATCH):
            response = client.delete_objects(
                Bucket=self.bucket_name,
                Delete={"Objects": versions[start : start + DELETE_BATCH], "Quiet": True},
            )
            if response.get("Errors"):
                raise OSError(f"Object Storage refused to delete: {response['Errors'][:3]}")
        return len(versions)


def files_delete_prefix(*, prefix: str) -> int:
    """Delete every file (every stored version) under `prefix` in the current programme; ""
    means all of the programme's files. Returns how many objects or versions went."""
    deleted: int = default_storage.delete_prefix(prefix)  # type: ignore[attr-defined]
    return deleted
