"""A real S3-compatible server for the tests: moto in server mode on 127.0.0.1, a versioned
bucket in it, and the settings that point the platform's storage at it."""

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

ACCESS_KEY, SECRET_KEY = "test-access-key", "test-secret-key"  # moto accepts any pair


@dataclass
class S3Server:
    endpoint_url: str
    bucket: str

    def client(self) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name="fr-par",
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )

    def object_keys(self, prefix: str = "") -> list[str]:
        listing = self.client().list_objects_v2(Bucket=self.bucket, Prefix=prefix)
        return sorted(entry["Key"] for entry in listing.get("Contents", []))

    def versions(self, prefix: str = "") -> list[tuple[str, bool]]:
        """(key, is_delete_marker) for every stored version under `prefix`."""
        listing = self.client().list_object_versions(Bucket=self.bucket, Prefix=prefix)
        return sorted(
            [(entry["Key"], False) for entry in listing.get("Versions", [])]
            + [(entry["Key"], True) for entry in listing.get("DeleteMarkers", [])]
        )

    def environment(self) -> dict[str, str]:
        """The variables that switch production's storage to this server (README)."""
        return {
            "AWS_STORAGE_BUCKET_NAME": self.bucket,
            "AWS_S3_ENDPOINT_URL": self.endpoint_url,
            "AWS_S3_REGION_NAME": "fr-par",
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        }

    def settings(self) -> dict[str, Any]:
        """The same, as Django settings for override_settings."""
        from django.conf import settings

        return {
            "AWS_STORAGE_BUCKET_NAME": self.bucket,
            "AWS_S3_ENDPOINT_URL": self.endpoint_url,
            "AWS_S3_REGION_NAME": "fr-par",
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "STORAGES": settings.STORAGES
            | {"default": {"BACKEND": "saas.core.storage.TenantS3Storage"}},
        }


@contextmanager
def s3_server() -> Iterator[S3Server]:
    """moto's S3 on a free loopback port, with a private, versioned bucket (as Terraform makes
    it)."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    # moto keeps its buckets per process: a new name per server
    bucket = f"binome-media-{secrets.token_hex(4)}"
    s3 = S3Server(endpoint_url=f"http://{host}:{port}", bucket=bucket)
    client = s3.client()
    client.create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "fr-par"}, ACL="private"
    )
    client.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    try:
        yield s3
    finally:
        server.stop()


@pytest.fixture
def s3(settings: Any) -> Iterator[S3Server]:
    """The platform's default storage in the bucket of a fresh loopback S3 server."""
    with s3_server() as server:
        for name, value in server.settings().items():
            setattr(settings, name, value)
        yield server
