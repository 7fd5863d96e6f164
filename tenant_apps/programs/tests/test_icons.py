"""The logo cannot be a decompression bomb: its dimensions are checked before any pixel is
decoded, and the app icons are drawn once when the settings are saved, then served as stored
files (an anonymous icon request decodes nothing)."""

import io
import struct
import zlib

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django_tenants.utils import tenant_context
from PIL import Image

from conftest import host_client
from tenant_apps.programs.tests.test_branding import _png, _settings_data


def bomb_png(width: int, height: int) -> bytes:
    """A valid 1-bit PNG of width × height black pixels: a few kilobytes on disk, width × height
    bytes once decoded (12,000 × 8,000 = 96 megapixels in ~12 KB)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def test_the_crafted_logo_is_tiny_and_huge():
    png = bomb_png(12000, 8000)
    assert len(png) < 20_000
    assert Image.open(io.BytesIO(png)).size == (12000, 8000)


@pytest.mark.django_db
def test_a_logo_over_4096_pixels_is_refused_before_decoding(world, manager_client, media):
    # given a 96-megapixel PNG of a few kilobytes
    logo = SimpleUploadedFile("logo.png", bomb_png(12000, 8000), content_type="image/png")
    # when the manager uploads it
    response = manager_client.post("/gestion/parametres/", {**_settings_data(), "logo": logo})
    # then it is refused with a French message, and nothing was stored
    assert response.status_code == 200
    assert "4 096 × 4 096 pixels au plus" in response.content.decode()
    from tenant_apps.programs.models import ProgramSettings

    with tenant_context(world.program_a):
        assert not ProgramSettings.objects.get(id=1).logo
    assert not any(path.is_file() for path in media.rglob("*"))


@pytest.mark.django_db
def test_icons_are_drawn_at_upload_and_served_as_stored_files(
    world, manager_client, media, monkeypatch
):
    # given a logo saved by the manager
    logo = SimpleUploadedFile("logo.png", _png(600, 200), content_type="image/png")
    response = manager_client.post("/gestion/parametres/", {**_settings_data(), "logo": logo})
    assert response.status_code == 302
    # then the icons are stored through the default storage, in the programme's folder
    with tenant_context(world.program_a):
        stored = {
            name: default_storage.open(f"branding/icons/{name}.png").read()
            for name in ("180", "192", "512", "512-maskable")
        }
        path = default_storage.path("branding/icons/192.png")
    assert f"/{world.program_a.schema_name}/" in path
    connection.set_schema_to_public()
    # and an anonymous icon request serves those bytes without opening any image
    opened = []
    real_open = Image.open

    def spy(*args, **kwargs):
        opened.append(args)
        return real_open(*args, **kwargs)

    monkeypatch.setattr(Image, "open", spy)
    anonymous = host_client(world.program_a)
    for name, content in stored.items():
        served = anonymous.get(f"/icones/{name}.png")
        assert served.status_code == 200
        assert served["Content-Type"] == "image/png"
        assert "max-age=86400" in served["Cache-Control"]
        assert b"".join(served.streaming_content) == content
    assert opened == []
    monkeypatch.undo()
    assert real_open(io.BytesIO(stored["512"])).size == (512, 512)


@pytest.mark.django_db
def test_a_big_logo_stored_before_the_limit_is_never_decoded(world, media):
    # given a logo stored before dimensions were checked
    from tenant_apps.programs.icons import icons_generate
    from tenant_apps.programs.models import ProgramSettings

    with tenant_context(world.program_a):
        name = default_storage.save("branding/old.png", io.BytesIO(bomb_png(12000, 8000)))
        ProgramSettings.objects.filter(id=1).update(logo=name)
        # when its icons are drawn, the initials stand in for the logo
        icons_generate(name="Programme A", settings=ProgramSettings.objects.get(id=1))
        icon = Image.open(default_storage.open("branding/icons/192.png"))
        assert icon.getpixel((0, 0)) == (29, 78, 137)  # the programme's colour, not white
