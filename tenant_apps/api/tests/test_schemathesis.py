"""Property-based tests of the REST API against its own generated OpenAPI schema
(schemathesis): with a valid write key, a few generated requests per operation — never a
server error, every response conforms to the schema (status, content type, body)."""

import json
import time
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
import schemathesis
from django.db import connection
from django.test import Client
from django_tenants.utils import tenant_context
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core import NotSet
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from conftest import host_client
from tenant_apps.api.tests.helpers import make_key
from tenant_apps.matching.models import Match
from tenant_apps.participants.models import Participant

pytestmark = pytest.mark.django_db
MAX_EXAMPLES = 8
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _send(client: Client, case: schemathesis.Case) -> httpx.Response:
    """The generated request, sent through Django's test client (inside the test's transaction),
    answered as an httpx response for schemathesis's checks."""
    url = case.formatted_path
    if case.query:
        url += "?" + urlencode(case.query, doseq=True)
    kwargs: dict[str, Any] = {}
    if not isinstance(case.body, NotSet) and case.body is not None:
        kwargs = {"data": json.dumps(case.body), "content_type": "application/json"}
    response = client.generic(case.method.upper(), url, **kwargs)
    answer = httpx.Response(
        response.status_code,
        headers=list(response.items()),
        content=response.content,
        request=httpx.Request(case.method.upper(), f"http://testserver{url}"),
    )
    answer.elapsed = timedelta(0)
    return answer


def test_generated_requests_never_fail_and_conform_to_the_schema(world):
    # given the schema the programme serves and a write key of the programme
    raw_schema = host_client(world.program_a).get("/api/v1/schema/", {"format": "json"}).json()
    schema = schemathesis.openapi.from_dict(raw_schema)
    _key, raw = make_key(world.program_a, scope="write")
    with tenant_context(world.program_a):  # a pair, so that the ids exist too
        Match.objects.create(
            mentee=Participant.objects.get(user=world.mentee_a),
            mentor=Participant.objects.get(user=world.both),
            status="active",
        )
    connection.set_schema_to_public()
    client = host_client(world.program_a)
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 12
    started = time.monotonic()
    calls = 0

    # when each operation gets a few generated requests
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: schemathesis.Case) -> None:
            nonlocal calls
            calls += 1
            response = _send(client, case)
            # then no server error, and the answer is the one documented
            case.validate_response(response, checks=CHECKS)

        check()
    assert calls >= len(operations)
    assert time.monotonic() - started < 60
