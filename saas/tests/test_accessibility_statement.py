"""The accessibility statement (RGAA): one per programme and one for the platform, public,
linked from the footer of every page."""

import pytest
from django.conf import settings
from django.test import Client
from django_tenants.utils import tenant_context

from conftest import host_client, http_login
from saas.core.accessibility import AXE_CHECKED_PAGES
from tests.isolation import endpoints

FOOTER_LINK = '<a href="/accessibilite/">Accessibilité : non conforme</a>'


def _assert_statement(page: str) -> None:
    assert "<h1>Déclaration d’accessibilité</h1>" in page
    assert "<strong>non conforme</strong>" in page
    assert "RGAA 4.1.2" in page
    assert f"sur {AXE_CHECKED_PAGES} pages de la plateforme" in page
    assert "Non-conformités connues" in page
    assert "Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07" in page
    assert 'href="https://formulaire.defenseurdesdroits.fr/"' in page


@pytest.mark.django_db
def test_the_platform_statement_is_public(world):
    response = host_client(None).get("/accessibilite/")
    assert response.status_code == 200
    page = response.content.decode()
    _assert_statement(page)
    assert "la plateforme Binôme" in page
    assert f'href="mailto:{settings.PLATFORM_CONTACT_EMAIL}"' in page
    assert FOOTER_LINK in page


@pytest.mark.django_db
def test_a_programme_statement_names_who_runs_it_and_its_contact(world):
    from tenant_apps.programs.models import ProgramSettings
    from tenant_apps.programs.selectors import SETTINGS_CACHE_KEY

    with tenant_context(world.program_a):
        ProgramSettings.objects.filter(id=1).update(contact_email="mentorat@a.example")
    try:
        response = host_client(world.program_a).get("/accessibilite/")
    finally:
        with tenant_context(world.program_a):
            ProgramSettings.objects.filter(id=1).update(contact_email="")
            from django.core.cache import cache

            cache.delete(SETTINGS_CACHE_KEY)
    assert response.status_code == 200
    page = response.content.decode()
    _assert_statement(page)
    assert "Test organisation s’engage à rendre le site « Programme A » accessible" in page
    assert page.index('href="mailto:mentorat@a.example"') < page.index(
        f'href="mailto:{settings.PLATFORM_CONTACT_EMAIL}"'
    )


def _html_pages(client: Client, urlconf: str) -> list[tuple[str, str]]:
    """(url, html) of every pattern without parameters that answers a page to `client`."""
    pages = []
    client.raise_request_exception = False
    for endpoint in endpoints(urlconf):
        if "<" in endpoint.route:
            continue
        response = client.get(endpoint.url, follow=True)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            pages.append((endpoint.url, response.content.decode()))
    return pages


@pytest.mark.django_db
def test_every_page_links_the_statement_from_its_footer(world, password):
    # given anonymous visitors and a manager on a programme, visitors on the public site
    manager = host_client(world.program_a)
    http_login(manager, world.manager_a.email, password, second_factor=True)
    visits = [
        (host_client(world.program_a), settings.ROOT_URLCONF),
        (manager, settings.ROOT_URLCONF),
        (host_client(None), settings.PUBLIC_SCHEMA_URLCONF),
    ]
    # when they open every page
    missing, seen = [], 0
    for client, urlconf in visits:
        for url, page in _html_pages(client, urlconf):
            seen += 1
            footer = page.split('<footer class="site-footer"', 1)[-1]
            if FOOTER_LINK not in footer:
                missing.append(url)
    # then each footer links the statement
    assert seen >= 20
    assert missing == []


@pytest.mark.django_db
def test_an_unknown_host_links_the_platform_statement(world):
    page = Client(HTTP_HOST=f"nothing-here.{settings.BASE_DOMAIN}").get("/").content.decode()
    port = f":{settings.SITE_PORT}" if settings.SITE_PORT else ""
    assert (
        f'<a href="{settings.SITE_SCHEME}://{settings.BASE_DOMAIN}{port}/accessibilite/">'
        "Accessibilité : non conforme</a>"
    ) in page


@pytest.mark.django_db
def test_the_statement_is_wholly_in_french(world):
    # every sentence of the statement is translated (an untranslated one stays in English)
    page = host_client(world.program_a).get("/accessibilite/").content.decode()
    main = page.split("<main", 1)[1].split("</main>", 1)[0]
    for english in ("Manual checks", "Scope", "Automated checks", "Known", "the site"):
        assert english not in main
    assert "Vérifications manuelles" in main
