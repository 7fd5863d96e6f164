"""With Object Storage configured (production), the branding a manager uploads goes to the bucket
under the programme's schema — nothing on the local disk, which is read-only in the pods — and
the public branding views serve it from there."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from conftest import host_client
from saas.tests.s3 import s3
from tenant_apps.programs.tests.test_branding import _png, _settings_data

__all__ = ["s3"]


@pytest.mark.django_db
def test_an_uploaded_logo_and_its_icons_go_to_the_bucket_and_are_served_from_it(
    world, manager_client, media, s3
):
    # given the manager uploads a logo, bigger than the one shown in pages, named logo.png
    logo = SimpleUploadedFile("logo.png", _png(960, 320), content_type="image/png")

    # when
    response = manager_client.post("/gestion/parametres/", {**_settings_data(), "logo": logo})

    # then the original, the logo shown in pages and the icons are in the bucket, under the
    # programme's schema, and nowhere else
    assert response.status_code == 302
    schema = world.program_a.schema_name
    assert s3.object_keys() == [
        f"{schema}/branding/icons/180.png",
        f"{schema}/branding/icons/192.png",
        f"{schema}/branding/icons/512-maskable.png",
        f"{schema}/branding/icons/512.png",
        f"{schema}/branding/logo-bounded.png",
        f"{schema}/branding/logo.png",
    ]
    # and the original is kept as uploaded (the icons are drawn again from it)
    original = s3.client().get_object(Bucket=s3.bucket, Key=f"{schema}/branding/logo.png")
    assert Image.open(io.BytesIO(original["Body"].read())).size == (960, 320)
    # and nothing was written to the local disk
    assert [path for path in media.rglob("*") if path.is_file()] == []
    # and anyone (login page, emails) gets the logo and the icons from the bucket
    anonymous, sizes = host_client(world.program_a), []
    for path, key in (
        ("/marque/logo.png", "branding/logo-bounded.png"),
        ("/icones/192.png", "branding/icons/192.png"),
    ):
        served = anonymous.get(path)
        assert served.status_code == 200 and served["Content-Type"] == "image/png"
        body = b"".join(served.streaming_content)
        stored = s3.client().get_object(Bucket=s3.bucket, Key=f"{schema}/{key}")["Body"].read()
        assert body == stored
        sizes.append(Image.open(io.BytesIO(body)).size)
    assert sizes == [(480, 160), (192, 192)]
