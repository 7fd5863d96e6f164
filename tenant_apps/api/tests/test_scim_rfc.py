"""SCIM against the examples of the RFCs themselves (RFC 7644, the protocol; RFC 7643, the User).

Each payload below is the RFC's figure as printed (the page's left margin removed), cited by
section. The only change is the one the brief allows: a `userName` gets a domain of the
programme's allow-list, since the allow-list applies to SCIM too (the RFCs' own `bjensen` is
refused, see the first test). The RFC figures are Code Components of RFC 7643/7644
(Simplified BSD License, IETF Trust).

What we do not keep is accepted and ignored, as RFC 7644 §3.5.2 lets a service provider do:
`externalId`, `emails`, `nickname`, `addresses`; `meta.version` (ETags) is not produced.
"""

import json

import pytest
from django.core.cache import caches
from django.db import connection
from django_tenants.utils import tenant_context

from tenant_apps.api.tests.helpers import api_client, make_key
from tenant_apps.participants.models import Participant
from tenant_apps.programs.models import ProgramSettings
from tenant_apps.programs.selectors import SETTINGS_CACHE_KEY

pytestmark = pytest.mark.django_db
SCIM = "application/scim+json"
DOMAIN = "a.example"  # programme A's allow-list in these tests

# RFC 7644 §3.3 "Creating Resources": the request.
RFC7644_3_3_REQUEST = """
{
  "schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
  "userName":"bjensen",
  "externalId":"bjensen",
  "name":{
    "formatted":"Ms. Barbara J Jensen III",
    "familyName":"Jensen",
    "givenName":"Barbara"
  }
}
"""

# RFC 7644 §3.3: the server's answer (201, Location), the shape ours must have.
RFC7644_3_3_RESPONSE = """
{
  "schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
  "id":"2819c223-7f76-453a-919d-413861904646",
  "externalId":"bjensen",
  "meta":{
    "resourceType":"User",
    "created":"2011-08-01T21:32:44.882Z",
    "lastModified":"2011-08-01T21:32:44.882Z",
    "location":
"https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646",
    "version":"W\\/\\"e180ee84f0671b1\\""
  },
  "name":{
    "formatted":"Ms. Barbara J Jensen III",
    "familyName":"Jensen",
    "givenName":"Barbara"
  },
  "userName":"bjensen"
}
"""

# RFC 7644 §3.4.2 "Query Resources": a ListResponse.
RFC7644_3_4_2_LIST_RESPONSE = """
{
  "schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
  "totalResults":2,
  "Resources":[
    {
      "id":"2819c223-7f76-453a-919d-413861904646",
      "userName":"bjensen"
    },
    {
      "id":"c75ad752-64ae-4823-840d-ffa80929976c",
      "userName":"jsmith"
    }
  ]
}
"""

# RFC 7644 §3.4.2.2 "Filtering": the examples that concern userName.
RFC7644_3_4_2_2_FILTERS = [
    'userName eq "bjensen"',
    'userName Eq "john"',  # "the following two expressions will evaluate to the same
    'Username eq "john"',  #  logical value" (names and operators are case-insensitive)
]
RFC7644_3_4_2_2_QUALIFIED = 'urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"'

# RFC 7644 §3.5.2.1 "Add Operation": attributes added without a "path". As printed, the
# figure closes "value" but not the operation ("}]" after "nickname"): not valid JSON.
RFC7644_3_5_2_1_ADD_WITHOUT_PATH = """
{
  "schemas":
    ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
  "Operations":[{
    "op":"add",
    "value":{
      "emails":[
        {
          "value":"babs@jensen.org",
          "type":"home"
        }
      ],
      "nickname":"Babs"
  }]
}
"""

# RFC 7644 §3.5.2.3 "Replace Operation": a sub-attribute selected by a valuePath filter.
RFC7644_3_5_2_3_REPLACE_VALUE_PATH = """
{
  "schemas":
    ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
  "Operations": [{
    "op":"replace",
    "path":"addresses[type eq \\"work\\"].streetAddress",
    "value":"1010 Broadway Ave"
  }]
}
"""

# RFC 7644 §3.12 "HTTP Status and Error Response Handling": a 404.
RFC7644_3_12_NOT_FOUND = """
{
  "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
  "detail":"Resource 2819c223-7f76-453a-919d-413861904646 not found",
  "status": "404"
}
"""

# RFC 7643 §8.1 "Minimal User Representation" (read-only "id" and "meta" included: a server
# ignores them on creation, RFC 7643 §2.2 "mutability").
RFC7643_8_1_MINIMAL_USER = """
{
  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
  "id": "2819c223-7f76-453a-919d-413861904646",
  "userName": "bjensen@example.com",
  "meta": {
    "resourceType": "User",
    "created": "2010-01-23T04:56:22Z",
    "lastModified": "2011-05-13T04:42:34Z",
    "version": "W\\/\\"3694e05e9dff590\\"",
    "location":
     "https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646"
  }
}
"""


def _adapted(figure: str, old: str, new: str) -> dict:
    """The figure with its userName moved to the programme's domain (and nothing else)."""
    assert figure.count(old) == 1, old
    return json.loads(figure.replace(old, new))


def _shape(value, path=""):
    """{path: JSON type} of every member of a document (lists: their first item)."""
    if isinstance(value, dict):
        shape = {path: "object"} if path else {}
        for key, item in value.items():
            shape.update(_shape(item, f"{path}.{key}" if path else key))
        return shape
    if isinstance(value, list):
        return {path: "array", **(_shape(value[0], path + "[]") if value else {})}
    return {path: type(value).__name__}


def _state(program, email):
    with tenant_context(program):
        participant = Participant.objects.select_related("user").filter(user__email=email).first()
        state = None if participant is None else (participant.status, participant.display_name)
    connection.set_schema_to_public()
    return state


@pytest.fixture
def scim(world):
    with tenant_context(world.program_a):
        ProgramSettings.objects.update(allowed_email_domains=[DOMAIN])
        caches["default"].delete(SETTINGS_CACHE_KEY)
    connection.set_schema_to_public()
    _key, raw = make_key(world.program_a, scope="write")
    client = api_client(world.program_a, raw)
    client.defaults["HTTP_ACCEPT"] = SCIM
    return client


def _create(scim, body):
    return scim.post("/scim/v2/Users", json.dumps(body), content_type=SCIM)


def test_rfc7644_3_3_create_answers_the_rfcs_resource(world, scim):
    # the RFC's userName has no domain: the allow-list refuses it, in SCIM's error format
    refused = _create(scim, json.loads(RFC7644_3_3_REQUEST))
    assert refused.status_code == 400 and refused.json()["scimType"] == "invalidValue"
    # adapted to the programme's domain, the same payload creates Barbara (invited)
    email = f"bjensen@{DOMAIN}"
    created = _create(
        scim, _adapted(RFC7644_3_3_REQUEST, '"userName":"bjensen"', f'"userName":"{email}"')
    )
    assert created.status_code == 201, created.content
    assert created["Content-Type"].startswith(SCIM)
    assert _state(world.program_a, email) == ("invited", "Barbara Jensen")
    # the answer has every member of the RFC's answer, of the same type, but what we do not
    # keep (externalId) or produce (meta.version)
    user = created.json()
    expected = _shape(json.loads(RFC7644_3_3_RESPONSE))
    for unsupported in ("externalId", "meta.version"):
        expected.pop(unsupported)
    assert {path: _shape(user).get(path) for path in expected} == expected
    assert user["schemas"] == ["urn:ietf:params:scim:schemas:core:2.0:User"]
    assert (user["userName"], user["meta"]["resourceType"]) == (email, "User")
    assert (user["name"]["givenName"], user["name"]["familyName"]) == ("Barbara", "Jensen")
    assert created["Location"] == user["meta"]["location"]
    assert user["meta"]["location"].endswith(f"/scim/v2/Users/{user['id']}")


def test_rfc7643_8_1_minimal_user_is_created_with_our_own_id(world, scim):
    email = f"bjensen@{DOMAIN}"
    body = _adapted(RFC7643_8_1_MINIMAL_USER, '"bjensen@example.com"', f'"{email}"')
    created = _create(scim, body)
    assert created.status_code == 201, created.content
    user = created.json()
    # "id" and "meta" are the server's: the client's values are ignored
    assert user["id"] != body["id"] and user["id"].isdigit()
    assert not user["meta"]["created"].startswith("2010")
    assert _state(world.program_a, email) == ("invited", email)


def test_rfc7644_3_4_2_2_filters_and_the_list_response(world, scim):
    email = f"bjensen@{DOMAIN}"
    created = _create(
        scim, _adapted(RFC7644_3_3_REQUEST, '"userName":"bjensen"', f'"userName":"{email}"')
    )
    user_id = created.json()["id"]
    rfc_list = json.loads(RFC7644_3_4_2_LIST_RESPONSE)
    for expression in RFC7644_3_4_2_2_FILTERS:
        expression = expression.replace('"bjensen"', f'"{email}"')
        found = scim.get("/scim/v2/Users", {"filter": expression})
        assert found.status_code == 200, (expression, found.content)
        body = found.json()
        # the ListResponse's members, as in §3.4.2
        assert body["schemas"] == rfc_list["schemas"]
        assert {"totalResults", "Resources"} <= set(body)
        assert isinstance(body["totalResults"], int) and isinstance(body["Resources"], list)
        expected = [user_id] if email in expression else []
        assert [r["id"] for r in body["Resources"]] == expected, expression
        assert body["totalResults"] == len(expected)
        for resource in body["Resources"]:
            assert set(rfc_list["Resources"][0]) <= set(resource)  # id, userName
    # an attribute written with its schema's URN is the same attribute; "sw" is not supported
    qualified = RFC7644_3_4_2_2_QUALIFIED.replace(' sw "J"', f' eq "{email}"')
    assert scim.get("/scim/v2/Users", {"filter": qualified}).json()["totalResults"] == 1
    starts = scim.get("/scim/v2/Users", {"filter": RFC7644_3_4_2_2_QUALIFIED})
    assert starts.status_code == 400 and starts.json()["scimType"] == "invalidFilter"


def test_rfc7644_3_5_2_patch_forms_are_accepted(world, scim):
    email = f"bjensen@{DOMAIN}"
    created = _create(
        scim, _adapted(RFC7644_3_3_REQUEST, '"userName":"bjensen"', f'"userName":"{email}"')
    )
    url = f"/scim/v2/Users/{created.json()['id']}"

    def patch(body):
        response = scim.patch(url, json.dumps(body), content_type=SCIM)
        assert response.status_code == 200, (body, response.content)
        return response.json()

    # §3.5.2.1, add without a path: the figure is not JSON as printed; closed, it is
    # accepted and changes nothing we keep
    with pytest.raises(json.JSONDecodeError):
        json.loads(RFC7644_3_5_2_1_ADD_WITHOUT_PATH)
    closed = RFC7644_3_5_2_1_ADD_WITHOUT_PATH.replace(
        '"nickname":"Babs"\n  }]', '"nickname":"Babs"\n  }\n  }]'
    )
    assert patch(json.loads(closed))["active"] is True
    # §3.5.2.3, replace through a valuePath filter: accepted, nothing we keep
    assert patch(json.loads(RFC7644_3_5_2_3_REPLACE_VALUE_PATH))["active"] is True
    assert _state(world.program_a, email) == ("invited", "Barbara Jensen")
    # the forms identity providers send to deactivate: Entra ID (path "active", the boolean
    # as a string), Okta (no path, {"active": false}), and the path with the schema's URN
    ops = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
    entra = {"op": "Replace", "path": "active"}  # the boolean as a string
    okta = {"op": "replace"}  # no path: {"active": false}
    qualified = {"op": "replace", "path": "urn:ietf:params:scim:schemas:core:2.0:User:active"}
    forms = [
        ({**entra, "value": "False"}, {**entra, "value": "True"}),
        ({**okta, "value": {"active": False}}, {**okta, "value": {"active": True}}),
        ({**qualified, "value": False}, {**qualified, "value": True}),
    ]
    for deactivate, reactivate in forms:
        assert patch({"schemas": [ops], "Operations": [deactivate]})["active"] is False
        assert _state(world.program_a, email)[0] == "deactivated"
        assert patch({"schemas": [ops], "Operations": [reactivate]})["active"] is True
        assert _state(world.program_a, email)[0] != "deactivated"
    # Entra ID's path-less replace with dotted names
    renamed = patch(
        {
            "schemas": [ops],
            "Operations": [
                {
                    "op": "replace",
                    "value": {"name.givenName": "Babs", "name.familyName": "Jensen-Smith"},
                }
            ],
        }
    )
    assert renamed["name"]["givenName"] == "Babs"
    assert _state(world.program_a, email)[1] == "Babs Jensen-Smith"


def test_rfc7644_3_12_error_format(world, scim):
    rfc_error = json.loads(RFC7644_3_12_NOT_FOUND)
    missing = scim.get("/scim/v2/Users/2819")
    assert missing.status_code == 404 and missing["Content-Type"].startswith(SCIM)
    error = missing.json()
    assert set(error) == set(rfc_error)  # schemas, detail, status
    assert error["schemas"] == rfc_error["schemas"]
    assert error["status"] == rfc_error["status"] == "404"  # a string, as in the RFC
    assert isinstance(error["detail"], str) and error["detail"]
