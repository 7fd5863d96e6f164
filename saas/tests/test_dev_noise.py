"""What a newcomer meets in `dev.py run` (DEBUG on): the product's own 404 page, never
Django's debug page listing every URL pattern of the site; a favicon on every host."""

import pytest

from conftest import host_client


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [True, False])
def test_an_unknown_address_gets_the_products_404_page_even_in_debug(world, settings, debug):
    # given the development settings' DEBUG
    settings.DEBUG = debug

    # when a visitor asks a programme and the console for addresses that do not exist, and
    # a view says "not found" itself (an icon size that does not exist)
    answers = [
        host_client(world.program_a).get("/nulle-part/"),
        host_client(None).get("/nulle-part/"),
        host_client(world.program_a).get("/icones/999.png"),
    ]

    # then each gets our page, in French, without the list of URL patterns
    for response in answers:
        page = response.content.decode()
        assert response.status_code == 404
        assert "Page introuvable" in page
        assert "URLconf" not in page
        assert "gestion/participants" not in page
        assert "Raised by" not in page


@pytest.mark.django_db
def test_a_missing_slash_still_redirects_in_debug(world, settings):
    settings.DEBUG = True
    response = host_client(world.program_a).get("/connexion")
    assert response.status_code == 301
    assert response["Location"] == "/connexion/"


@pytest.mark.django_db
def test_every_host_serves_a_favicon(world):
    for client in (host_client(None), host_client(world.program_a)):
        response = client.get("/favicon.ico")
        assert response.status_code == 200
        assert response["Content-Type"] == "image/x-icon"
        assert b"".join(response).startswith(b"\x00\x00\x01\x00")  # an ICO file
        assert "max-age=" in response["Cache-Control"]
