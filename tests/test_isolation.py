"""Tenant isolation, walked over every URL pattern automatically.

Every pattern of the programme URLconf must refuse (redirect to login, 401, 403, 404, 405, 410)
an anonymous visitor, a participant of another programme (session replayed from their own
programme, or forged in this programme's schema) — never a 200 or a 500. Views meant for
anonymous visitors carry @public_view and must just not fail. Same for the public URLconf and
a logged-in non-staff user.
"""

import sys
import types

import pytest
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.test import override_settings
from django.urls import clear_url_caches, path
from django_tenants.utils import tenant_context

from conftest import host_client, http_login
from tests.isolation import client_admin_problems, endpoints, refusal_problems

TENANT_URLCONF = settings.ROOT_URLCONF
PUBLIC_URLCONF = settings.PUBLIC_SCHEMA_URLCONF


def _visitors(world, password):
    """(label, client) pairs that must get nothing from programme A."""
    anonymous = host_client(world.program_a)

    replayed = host_client(world.program_b)
    http_login(replayed, world.mentee_b.email, password)
    replayed.defaults["HTTP_HOST"] = world.program_a.host  # same cookie, other programme

    forged = host_client(world.program_a)
    with tenant_context(world.program_a):  # a session row in A's schema for a non-member
        forged.force_login(
            world.mentee_b, backend="tenant_apps.participants.backends.ParticipantBackend"
        )
    return [
        ("anonymous", anonymous),
        ("participant of B, session replayed", replayed),
        ("participant of B, session forged in A", forged),
    ]


def _walk_tenant(world, password) -> tuple[int, list[str]]:
    problems: list[str] = []
    walked = 0
    for endpoint in endpoints(settings.ROOT_URLCONF):
        walked += 1
        for who, client in _visitors(world, password):
            problems += refusal_problems(client, endpoint, who=who)
    return walked, problems


@pytest.mark.django_db
def test_every_programme_url_refuses_outsiders(world, password):
    # given every pattern of the programme URLconf, discovered from the resolver
    # when anonymous visitors and participants of programme B request them on programme A
    walked, problems = _walk_tenant(world, password)

    # then every protected pattern refused them, and no public one failed
    assert walked >= 5
    assert problems == []


@pytest.mark.django_db
def test_every_public_url_refuses_non_staff(world, password):
    # given a participant with a valid password, who is not a super-admin
    anonymous = host_client(None)
    participant = host_client(None)
    participant.force_login(world.mentee_a, backend="shared_apps.accounts.backends.StaffBackend")
    problems: list[str] = []
    walked = 0
    # when they request every pattern of the public URLconf
    for endpoint in endpoints(PUBLIC_URLCONF):
        walked += 1
        problems += refusal_problems(anonymous, endpoint, who="anonymous")
        problems += refusal_problems(participant, endpoint, who="non-staff")
    # then everything but the public pages is refused
    assert walked >= 5
    assert problems == []


@pytest.mark.django_db
def test_every_public_url_refuses_a_client_administrator_of_another_organisation(world, password):
    # given the administrator (with their second factor) of an organisation that is not the
    # one running programmes A and B, whose figures exist as snapshots
    from shared_apps.accounts.models import User
    from tenants.models import ClientAdministrator
    from tenants.services import client_create
    from tenants.snapshots import snapshots_take

    snapshots_take()
    other = client_create(name="Another organisation")
    user = User.objects.create_user(email="client-admin@other.example", password=password)
    ClientAdministrator.objects.create(client=other, user=user)
    admin = host_client(None)
    http_login(admin, user.email, password, second_factor=True)
    forbidden = [
        world.program_a.name,
        world.program_b.name,
        world.mentee_a.email,
        world.mentee_b.email,
        world.manager_a.email,
    ]
    problems: list[str] = []
    walked = client_pages = 0
    # when they request every pattern of the public URLconf
    for endpoint in endpoints(PUBLIC_URLCONF):
        if endpoint.name in {"logout", "logout-everywhere"}:
            continue  # ends the session: the rest of the walk would be anonymous
        walked += 1
        client_pages += endpoint.is_client_admin_view
        problems += client_admin_problems(
            admin, endpoint, who="client administrator of another organisation", forbidden=forbidden
        )
    # then the console is refused, and their own pages show nothing of A and B
    assert client_pages >= 5
    assert problems == []
    # and the walk was made logged in from start to end
    assert admin.get("/client/").status_code == 200


def _urlconf_with(view) -> str:
    """A URLconf: the real programme patterns plus one more view."""
    module = types.ModuleType("tests._leaky_urls")
    module.urlpatterns = [  # type: ignore[attr-defined]  # a URLconf made on the fly
        *__import__(TENANT_URLCONF, fromlist=["urlpatterns"]).urlpatterns,
        path("fuite/<int:pk>/", view, name="leak"),
    ]
    sys.modules[module.__name__] = module
    return module.__name__


@pytest.mark.django_db
def test_walk_catches_a_new_view_that_opts_out_of_login(world, password):
    # given a new view that someone exempted from login without marking it public
    @login_not_required
    def leaky(request, pk):
        return HttpResponse("participant data")

    urlconf = _urlconf_with(leaky)
    with override_settings(ROOT_URLCONF=urlconf):
        clear_url_caches()
        try:
            # when the walk runs
            _walked, problems = _walk_tenant(world, password)
        finally:
            clear_url_caches()

    # then it found the new pattern and reported it for every kind of outsider
    assert any("/fuite/1/" in problem for problem in problems)
    assert len([p for p in problems if "/fuite/1/" in p]) == 6  # 3 visitors x GET/POST


@pytest.mark.django_db
def test_walk_catches_a_public_view_that_crashes(world, password):
    # given a page marked public that fails with a 500
    from saas.core.decorators import public_view

    @public_view
    def broken(request, pk):
        raise RuntimeError("boom")

    urlconf = _urlconf_with(broken)
    with override_settings(ROOT_URLCONF=urlconf):
        clear_url_caches()
        try:
            _walked, problems = _walk_tenant(world, password)
        finally:
            clear_url_caches()

    # then the walk reports it
    assert any("/fuite/1/" in problem and "500" in problem for problem in problems)
