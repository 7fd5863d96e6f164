"""Headers every answer carries, walked over every URL pattern of both URL worlds (the walk
reads the patterns from the resolver, so a new page is covered without editing a list)."""

import pytest
from django.conf import settings

from conftest import host_client, http_login
from saas.core.middleware import PERMISSIONS_POLICY_FEATURES, permissions_policy_parse
from tests.isolation import endpoints


def _policy(response) -> dict[str, str]:
    assert "Permissions-Policy" in response, response.request["PATH_INFO"]
    return permissions_policy_parse(response["Permissions-Policy"])


def _all_off(policy: dict[str, str]) -> list[str]:
    """The features that are not switched off."""
    return [f for f in PERMISSIONS_POLICY_FEATURES if policy.get(f) != "()"]


@pytest.mark.django_db
def test_every_page_switches_every_browser_feature_off(world):
    # given every URL of the public site and of a programme, as an anonymous visitor
    problems = []
    walked = 0
    for urlconf, program in (
        (settings.PUBLIC_SCHEMA_URLCONF, None),
        (settings.ROOT_URLCONF, world.program_a),
    ):
        client = host_client(program)
        client.raise_request_exception = False
        for endpoint in endpoints(urlconf):
            # when each is requested
            response = client.get(endpoint.url)
            walked += 1
            # then camera, microphone and every other feature are off
            if "Permissions-Policy" not in response:
                problems.append(f"{endpoint.url}: no Permissions-Policy")
            elif on := _all_off(_policy(response)):
                problems.append(f"{endpoint.url}: {on} not off")
    assert walked > 40
    assert problems == []


@pytest.mark.django_db
def test_every_page_a_manager_sees_switches_every_browser_feature_off(world, password):
    # given a manager of programme A, logged in with a second factor (full pages, not
    # redirects to the login page)
    client = host_client(world.program_a)
    http_login(client, world.manager_a.email, password, second_factor=True)
    client.raise_request_exception = False

    # when every programme URL is requested
    problems, statuses = [], set()
    for endpoint in endpoints(settings.ROOT_URLCONF):
        if endpoint.name in {"logout", "logout-everywhere"}:
            continue
        response = client.get(endpoint.url)
        statuses.add(response.status_code)
        if "Permissions-Policy" not in response:
            problems.append(f"{endpoint.url}: no Permissions-Policy")
        elif on := _all_off(_policy(response)):
            problems.append(f"{endpoint.url}: {on} not off")

    # then pages were really rendered, and none of them leaves a feature on
    assert 200 in statuses
    assert problems == []


@pytest.mark.django_db
def test_answers_before_any_view_carry_the_policy_too(world):
    from tenants.models import Program

    # an unknown host, an unknown path, and a paused programme's status page
    unknown_host = host_client(None).get("/", HTTP_HOST=f"nope.{settings.BASE_DOMAIN}")
    unknown_path = host_client(world.program_a).get("/nulle-part/")
    Program.objects.filter(pk=world.program_b.pk).update(status=Program.Status.PAUSED)
    paused = host_client(world.program_b).get("/")

    for response in (unknown_host, unknown_path, paused):
        assert response.status_code in (404, 503), response.status_code
        assert _all_off(_policy(response)) == []


def test_a_view_grant_is_kept_and_everything_else_stays_off(rf):
    from django.http import HttpResponse

    from saas.core.middleware import PermissionsPolicyMiddleware

    def video_page(request):
        response = HttpResponse("room")
        response["Permissions-Policy"] = 'camera=(self "https://binome.whereby.com")'
        return response

    response = PermissionsPolicyMiddleware(video_page)(rf.get("/"))

    policy = _policy(response)
    assert policy["camera"] == '(self "https://binome.whereby.com")'
    assert policy["microphone"] == "()"
    assert policy["geolocation"] == "()"
