"""The programme's settings on the hot path: every page of a programme reads them (colour,
logo, 2FA policy, the home page's texts), from the cache, once per request; the public home
page runs no query for them once the cache is warm; a change shows on the next page."""

import pytest
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from conftest import PASSWORD, host_client, http_login
from saas.core.tenancy import connection
from tenant_apps.programs import selectors
from tenant_apps.programs.models import Question
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


def _question_form(label: str) -> dict[str, str]:
    return {
        "label": label,
        "mentor_label": "",
        "help_text": "",
        "kind": "text",
        "choices_text": "",
        "audience": "both",
        "criterion": "",
        "weight": "0",
        "hard_rule": "",
    }


@pytest.mark.django_db
def test_the_questionnaire_is_cached_and_a_managers_change_shows_on_the_next_page(
    world, manager_client
):
    # given a participant whose profile page was served once (the questionnaire cached)
    client = host_client(world.program_a)
    http_login(client, "mentee-a@a.example", PASSWORD)
    assert client.get("/profil/").status_code == 200
    # then the next one reads no question row
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/profil/").status_code == 200
    connection.set_schema_to_public()
    assert not [q for q in captured if 'FROM "programs_question"' in q["sql"]]

    # when the manager adds a question, the participant's next page asks it
    form = _question_form("Votre ville de travail")
    assert manager_client.post("/gestion/questionnaire/nouvelle/", form).status_code == 302
    assert "Votre ville de travail" in client.get("/profil/").content.decode()
    # when they reword it, the next page shows the new words
    connection.set_schema_to_public()
    with tenant_context(world.program_a):
        question = Question.objects.get(label="Votre ville de travail")
    connection.set_schema_to_public()
    reworded = _question_form("Votre ville")
    assert (
        manager_client.post(f"/gestion/questionnaire/{question.pk}/", reworded).status_code == 302
    )
    page = client.get("/profil/").content.decode()
    assert "Votre ville" in page and "Votre ville de travail" not in page
    # and when they archive it, it is no longer asked
    manager_client.post(f"/gestion/questionnaire/{question.pk}/archiver/")
    assert "Votre ville" not in client.get("/profil/").content.decode()
