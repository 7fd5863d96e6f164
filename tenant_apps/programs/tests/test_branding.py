"""Branding: WCAG contrast of the programme's colour, text colour chosen from it, colours that
no text can be read on refused, and the logo shown in the header, on the login page and in
emails."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context
from PIL import Image

from conftest import host_client
from tenant_apps.programs.branding import (
    DARK_TEXT,
    LIGHT_TEXT,
    brand_colors,
    contrast_ratio,
    relative_luminance,
)
from tenant_apps.programs.tests.settings_form import SETTINGS


def test_relative_luminance_of_known_colours():
    assert relative_luminance("#ffffff") == pytest.approx(1.0)
    assert relative_luminance("#000000") == pytest.approx(0.0)
    assert relative_luminance("#808080") == pytest.approx(0.2159, abs=1e-4)
    assert relative_luminance("#FF0000") == pytest.approx(0.2126, abs=1e-4)


def test_contrast_ratio_of_known_pairs():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#000000") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert contrast_ratio("#1d4e89", "#ffffff") == pytest.approx(8.39, abs=0.01)
    # the light yellow of the walkthrough: unreadable under white text
    assert contrast_ratio("#f7e463", "#ffffff") == pytest.approx(1.29, abs=0.01)


def test_text_colour_is_white_on_dark_and_near_black_on_light():
    assert brand_colors("#1d4e89").text == LIGHT_TEXT
    assert brand_colors("#f7e463").text == DARK_TEXT
    assert contrast_ratio("#f7e463", DARK_TEXT) >= 4.5


def test_a_mid_tone_reaching_4_5_with_neither_text_colour_is_unusable():
    assert brand_colors("#777777").is_usable is False
    assert brand_colors("#1d4e89").is_usable is True
    assert brand_colors("#f7e463").is_usable is True


def test_links_on_white_keep_4_5_to_1():
    # a dark brand colour is its own link colour; a light one gives way to the text colour
    assert brand_colors("#1d4e89").link == "#1d4e89"
    light = brand_colors("#f7e463")
    assert contrast_ratio(light.link, "#ffffff") >= 4.5


def _settings_data(**overrides):
    return {**SETTINGS, **overrides}


@pytest.mark.django_db
def test_a_colour_no_text_can_be_read_on_is_refused_in_french(world, manager_client, media):
    # given a mid grey: 4.48:1 under white, 3.9:1 under near-black
    # when the manager saves it
    response = manager_client.post("/gestion/parametres/", _settings_data(primary_color="#777777"))
    # then the form says why, and nothing changed
    assert response.status_code == 200
    page = response.content.decode()
    assert "Aucun texte n’est lisible sur cette couleur" in page
    from tenant_apps.programs.models import ProgramSettings

    with tenant_context(world.program_a):
        assert ProgramSettings.objects.get(id=1).primary_color == "#1d4e89"


@pytest.mark.django_db
def test_a_light_colour_is_accepted_with_dark_text_applied(world, manager_client, media):
    response = manager_client.post("/gestion/parametres/", _settings_data(primary_color="#f7e463"))
    assert response.status_code == 302
    theme = manager_client.get("/theme.css").content.decode()
    assert "--brand: #f7e463;" in theme
    assert f"--brand-contrast: {DARK_TEXT};" in theme
    # the page loads the theme for this colour
    page = manager_client.get("/espace/").content.decode()
    assert '<link rel="stylesheet" href="/theme.css?v=f7e463">' in page


@pytest.mark.django_db
def test_the_default_theme_keeps_white_text(world):
    theme = host_client(world.program_a).get("/theme.css").content.decode()
    assert f"--brand-contrast: {LIGHT_TEXT};" in theme


def _png(width: int = 300, height: int = 100, colour: str = "#c0392b") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.django_db
def test_the_uploaded_logo_shows_in_the_header_login_page_and_emails(world, manager_client, media):
    # given the manager uploads a logo
    logo = SimpleUploadedFile("logo.png", _png(), content_type="image/png")
    response = manager_client.post("/gestion/parametres/", {**_settings_data(), "logo": logo})
    assert response.status_code == 302
    # then every page's header shows it, with the programme's name as its text
    anonymous = host_client(world.program_a)
    login_page = anonymous.get("/connexion/").content.decode()
    assert '<img class="brand-logo" src="/marque/logo.png?v=' in login_page
    assert 'alt="Programme A"' in login_page
    src = login_page.split('<img class="brand-logo" src="', 1)[1].split('"', 1)[0]
    served = anonymous.get(src)
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert "max-age" in served["Cache-Control"]
    assert Image.open(io.BytesIO(b"".join(served.streaming_content))).height <= 160
    # and emails carry it by absolute URL with the same text alternative
    from tenant_apps.notifications.services import email_queue

    with tenant_context(world.program_a):
        email = email_queue(
            to="someone@a.example",
            template="invitation",
            context={"link": "https://example.invalid/x", "name": "Camille"},
        )
    assert f'src="{world.program_a.url("/marque/logo.png")}?v=' in email.body_html
    assert 'alt="Programme A"' in email.body_html


@pytest.mark.django_db
def test_without_a_logo_the_header_shows_the_name(world):
    page = host_client(world.program_a).get("/connexion/").content.decode()
    assert "brand-logo" not in page
    assert host_client(world.program_a).get("/marque/logo.png").status_code == 404
