"""The programme's settings on the hot path: every page of a programme reads them (colour,
logo, 2FA policy, the home page's texts), from the cache, once per request; the public home
page runs no query for them once the cache is warm; a change shows on the next page."""

import pytest
from django.test.utils import CaptureQueriesContext

from conftest import PASSWORD, host_client, http_login
from saas.core.tenancy import connection
from tenant_apps.programs import selectors
from tenant_apps.programs.selectors import SETTINGS_CACHE_KEY


class CountingCache:
    """The default cache, counting the reads of the settings key."""

    def __init__(self, cache: object) -> None:
        self.cache = cache
        self.settings_reads = 0

    def get(self, key: str, *args: object, **kwargs: object) -> object:
        if key == SETTINGS_CACHE_KEY:
            self.settings_reads += 1
        return self.cache.get(key, *args, **kwargs)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self.cache, name)


@pytest.fixture
def counting_cache(monkeypatch: pytest.MonkeyPatch) -> CountingCache:
    counting = CountingCache(selectors.cache)
    monkeypatch.setattr(selectors, "cache", counting)
    return counting


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/espace/", "/profil/"])
def test_a_participant_page_reads_the_settings_once(world, counting_cache, path):
    # given a participant signed in, caches warm
    client = host_client(world.program_a)
    http_login(client, "mentee-a@a.example", PASSWORD)
    assert client.get(path).status_code == 200
    counting_cache.settings_reads = 0

    # when
    response = client.get(path)

    # then the page (colour, logo, 2FA policy) asked the cache once
    assert response.status_code == 200
    assert counting_cache.settings_reads == 1


@pytest.mark.django_db
def test_the_public_home_page_runs_no_settings_query_once_cached(world, counting_cache):
    # given the home page served once
    client = host_client(world.program_a)
    assert client.get("/").status_code == 200
    counting_cache.settings_reads = 0

    # when
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/")
    connection.set_schema_to_public()

    # then
    assert response.status_code == 200
    assert not [q for q in captured if "programsettings" in q["sql"]]
    assert counting_cache.settings_reads == 1
