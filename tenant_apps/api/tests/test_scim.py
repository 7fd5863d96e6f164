"""SCIM 2.0: Entra ID's provisioning sequence, and the RFC 7644 shapes it relies on."""

import pytest
from django.core.cache import caches
from django.db import connection
from django_tenants.utils import tenant_context

from audit.models import AuditEvent
from tenant_apps.api.tests.helpers import api_client, make_key
from tenant_apps.notifications.models import Email
from tenant_apps.participants.models import Participant
from tenant_apps.programs.models import ProgramSettings
from tenant_apps.programs.selectors import SETTINGS_CACHE_KEY

pytestmark = pytest.mark.django_db
SCIM = "application/scim+json"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


def _participant(program, email):
    with tenant_context(program):
        participant = Participant.objects.select_related("user").filter(user__email=email).first()
        state = (
            None
            if participant is None
            else (
                participant.status,
                participant.display_name,
                Email.objects.filter(to=email, template="invitation").count(),
            )
        )
    connection.set_schema_to_public()
    return state


@pytest.fixture
def scim(world):
    _key, raw = make_key(world.program_a, scope="write")
    client = api_client(world.program_a, raw)
    client.defaults["HTTP_ACCEPT"] = SCIM
    return client


def test_entra_id_provisioning_sequence(world, scim):
    email = "alex.martin@a.example"
    # 1. Entra looks the person up by userName: nobody yet
    found = scim.get("/scim/v2/Users", {"filter": f'userName eq "{email}"'})
    assert found.status_code == 200
    assert found.json() == {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": 0,
        "startIndex": 1,
        "itemsPerPage": 0,
        "Resources": [],
    }
    assert _participant(world.program_a, email) is None
    # 2. creates them
    created = scim.post(
        "/scim/v2/Users",
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "externalId": "alex.martin",
            "userName": email,
            "active": True,
            "displayName": "Alex Martin",
            "emails": [{"primary": True, "type": "work", "value": email}],
            "name": {"formatted": "Alex Martin", "familyName": "Martin", "givenName": "Alex"},
        },
        content_type=SCIM,
    )
    assert created.status_code == 201, created.content
    assert created["Content-Type"].startswith(SCIM)
    user = created.json()
    assert user["userName"] == email and user["active"] is True
    assert created["Location"].endswith(f"/scim/v2/Users/{user['id']}")
    assert _participant(world.program_a, email) == ("invited", "Alex Martin", 1)
    # 3. finds them by filter
    found = scim.get("/scim/v2/Users", {"filter": f'userName eq "{email.upper()}"'}).json()
    assert found["totalResults"] == 1 and found["Resources"][0]["id"] == user["id"]
    # 4. patches attributes (Entra's casing and its unsupported attributes)
    patched = scim.patch(
        f"/scim/v2/Users/{user['id']}",
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                {"op": "Replace", "path": "name.familyName", "value": "Durand"},
                {"op": "Add", "path": "title", "value": "Engineer"},
            ],
        },
        content_type=SCIM,
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["displayName"] == "Alex Durand"
    assert _participant(world.program_a, email) == ("invited", "Alex Durand", 1)
    # 5. deactivates them (Entra sends the boolean as a string)
    deactivated = scim.patch(
        f"/scim/v2/Users/{user['id']}",
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "Replace", "path": "active", "value": "False"}],
        },
        content_type=SCIM,
    )
    assert deactivated.status_code == 200 and deactivated.json()["active"] is False
    assert _participant(world.program_a, email) == ("deactivated", "Alex Durand", 1)
    with tenant_context(world.program_a):
        operations = list(
            AuditEvent.objects.filter(action="api.write")
            .order_by("pk")
            .values_list("details__operation", flat=True)
        )
    assert operations == ["scim.users.create", "scim.users.patch", "scim.users.patch"]


def test_the_domain_allow_list_applies(world, scim):
    with tenant_context(world.program_a):
        ProgramSettings.objects.update(allowed_email_domains=["a.example"])
        caches["default"].delete(SETTINGS_CACHE_KEY)
    connection.set_schema_to_public()
    refused = scim.post(
        "/scim/v2/Users", {"userName": "someone@elsewhere.example"}, content_type=SCIM
    )
    assert refused.status_code == 400
    assert refused.json()["schemas"] == [ERROR] and refused.json()["status"] == "400"
    assert refused.json()["scimType"] == "invalidValue"
    assert _participant(world.program_a, "someone@elsewhere.example") is None


def test_errors_in_the_scim_shape(world, scim):
    missing = scim.get("/scim/v2/Users/999999")
    assert missing.status_code == 404 and missing.json()["schemas"] == [ERROR]
    bad_filter = scim.get("/scim/v2/Users", {"filter": 'emails co "x"'})
    assert bad_filter.status_code == 400 and bad_filter.json()["scimType"] == "invalidFilter"
    exists = scim.post("/scim/v2/Users", {"userName": world.mentee_a.email}, content_type=SCIM)
    assert exists.status_code == 409 and exists.json()["scimType"] == "uniqueness"
    # a read key, another programme's key, no key: refused, in SCIM's shape
    _key, read = make_key(world.program_a, scope="read")
    _key, other = make_key(world.program_b, scope="write")
    assert api_client(world.program_a, read).get("/scim/v2/Users").status_code == 403
    refused = api_client(world.program_a, other).get("/scim/v2/Users")
    assert refused.status_code == 401 and refused.json()["schemas"] == [ERROR]
    assert api_client(world.program_a, None).get("/scim/v2/Users").status_code == 401


def test_list_pages_with_start_index_and_count(world, scim):
    first = scim.get("/scim/v2/Users", {"startIndex": 1, "count": 1}).json()
    second = scim.get("/scim/v2/Users", {"startIndex": 2, "count": 1}).json()
    assert first["totalResults"] == second["totalResults"] >= 2
    assert first["itemsPerPage"] == second["itemsPerPage"] == 1
    assert first["Resources"][0]["id"] != second["Resources"][0]["id"]
