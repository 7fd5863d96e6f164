"""The programme site is installable: manifest, icons, service worker, offline page."""

import io
import json

import pytest
from PIL import Image

from conftest import host_client


@pytest.mark.django_db
def test_manifest_meets_installability_criteria(world):
    client = host_client(world.program_a)
    response = client.get("/manifest.webmanifest")
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "Programme A"
    assert manifest["short_name"] and len(manifest["short_name"]) <= 12
    assert manifest["display"] == "standalone"
    assert manifest["start_url"].startswith("/")
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    assert any(icon.get("purpose") == "maskable" for icon in manifest["icons"])
    for icon in manifest["icons"]:
        png = client.get(icon["src"])
        assert png.status_code == 200 and png["Content-Type"] == "image/png"
        image = Image.open(io.BytesIO(png.getvalue()))
        assert f"{image.width}x{image.height}" == icon["sizes"]


@pytest.mark.django_db
def test_pages_link_the_manifest_and_register_the_service_worker(world):
    client = host_client(world.program_a)
    page = client.get("/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert '<meta name="theme-color" content="#1d4e89">' in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "js/app.js" in page
    worker = client.get("/sw.js")
    assert worker["Content-Type"].startswith("application/javascript")
    assert "/hors-ligne/" in worker.content.decode()
    assert client.get("/hors-ligne/").status_code == 200


@pytest.mark.django_db
def test_icons_differ_between_programmes(world):
    a = host_client(world.program_a).get("/icones/192.png").getvalue()
    b = host_client(world.program_b).get("/icones/192.png").getvalue()
    assert a != b  # initials "PA" and "PB"
