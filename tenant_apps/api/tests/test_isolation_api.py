"""Every operation of the API router × every key that must not work, generated from the
router's URL patterns (a new endpoint is covered without editing a list)."""

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from audit.models import AuditEvent
from tenant_apps.api.models import ApiKey
from tenant_apps.api.tests.helpers import api_client, make_key
from tenant_apps.api.urls_v1 import router
from tenant_apps.matching.models import Match
from tenant_apps.participants.models import Participant
from tenant_apps.surveys.models import Survey
from tests.isolation import CONVERTER_RE

pytestmark = pytest.mark.django_db
SAFE = {"get", "head", "options"}


def _operations(ids: dict[str, int]) -> list[tuple[str, str]]:
    """(method, url) of every operation the router serves, ids filled with real rows of A."""
    operations = []
    for pattern in router.urls:
        route = "api/v1/" + str(pattern.pattern)
        url = "/" + CONVERTER_RE.sub(lambda m: str(ids[m.group("name")]), route)
        view: Any = pattern.callback  # a DRF viewset's view: its actions are an attribute
        for method in view.actions:
            operations.append((method, url))
    return operations


def _state(program):
    with tenant_context(program):
        state = (
            list(Participant.objects.order_by("pk").values_list("pk", "status", "capacity")),
            list(Match.objects.order_by("pk").values_list("pk", "status")),
            AuditEvent.objects.count(),
        )
    connection.set_schema_to_public()
    return state


def _setup(world):
    with tenant_context(world.program_a):
        mentee = Participant.objects.get(user=world.mentee_a)
        mentor = Participant.objects.get(user=world.both)
        match = Match.objects.create(mentee=mentee, mentor=mentor, status="active")
        ids = {
            "participant": mentor.pk,
            "match": match.pk,
            "survey": Survey.objects.order_by("pk").first().pk,
        }
    connection.set_schema_to_public()
    _key, other_programme = make_key(world.program_b, scope="write")
    revoked, raw_revoked = make_key(world.program_a, scope="write")
    expired, raw_expired = make_key(world.program_a, scope="write")
    _key, raw_read = make_key(world.program_a, scope="read")
    with tenant_context(world.program_a):
        ApiKey.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now())
        ApiKey.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(1))
    connection.set_schema_to_public()
    return (
        ids,
        {
            "no key": None,
            "key of another programme": other_programme,
            "revoked key": raw_revoked,
            "expired key": raw_expired,
        },
        raw_read,
    )


def test_every_api_operation_refuses_every_bad_key(world):
    # given every operation of the router and the keys that must not work on programme A
    ids, bad_keys, raw_read = _setup(world)
    operations = _operations(ids)
    assert len(operations) >= 9
    before = _state(world.program_a)
    problems = []
    # when each is used on each operation
    for method, url in operations:
        for who, raw in bad_keys.items():
            client = api_client(world.program_a, raw)
            response = getattr(client, method)(url, {}, content_type="application/json")
            shaped = method == "head" or set(response.json()) == {"code", "message", "fields"}
            if response.status_code != 401 or not shaped:
                problems.append(f"{method.upper()} {url} ({who}): {response.status_code}")
        if method not in SAFE:
            client = api_client(world.program_a, raw_read)
            response = getattr(client, method)(url, {}, content_type="application/json")
            if response.status_code != 403:
                problems.append(f"{method.upper()} {url} (read key): {response.status_code}")
    # then every one was refused and nothing changed in A
    assert problems == []
    assert _state(world.program_a) == before
    writes = [m for m, _url in operations if m not in SAFE]
    assert {"post", "patch"} <= set(writes)


def test_the_walk_reaches_every_operation_with_a_good_key(world):
    """So that a refusal above is not an accident of the URL: a valid read key gets 200 on
    every read operation built the same way."""
    ids, _bad, raw_read = _setup(world)
    client = api_client(world.program_a, raw_read)
    reads = [(m, url) for m, url in _operations(ids) if m == "get"]
    assert reads and all(client.get(url).status_code == 200 for _m, url in reads)
