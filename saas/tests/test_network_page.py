"""The network requirements for the client's IT (issue 15.15): public, generated from the
settings, on the platform's site and on every programme's."""

import pytest
from django.conf import settings
from django.test import override_settings

from conftest import host_client


@pytest.mark.django_db
@override_settings(WHEREBY_API_KEY="whereby-key")
def test_with_whereby_the_page_lists_the_platform_and_whereby_destinations(world):
    for host in (None, world.program_a):
        response = host_client(host).get("/reseau/")
        assert response.status_code == 200
        page = response.content.decode()
        assert f"<code>{settings.BASE_DOMAIN}</code>" in page
        assert f"<code>*.{settings.BASE_DOMAIN}</code>" in page
        for host_name in ("*.whereby.com", "*.sfu.whereby.com", "*.turn.whereby.com"):
            assert f"<code>{host_name}</code>" in page
        assert "443/UDP" in page and "443/TCP" in page
        assert "docs.whereby.com" in page


@pytest.mark.django_db
@override_settings(WHEREBY_API_KEY="")
def test_without_whereby_only_the_platform_is_listed(world):
    page = host_client(world.program_a).get("/reseau/").content.decode()
    assert "whereby" not in page.lower()
    assert f"<code>*.{settings.BASE_DOMAIN}</code>" in page
