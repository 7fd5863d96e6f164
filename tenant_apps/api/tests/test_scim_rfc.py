"""SCIM against the examples of the RFCs themselves (RFC 7644, the protocol; RFC 7643, the core
schema), each cited by section beside it.

Every figure below is the RFC's as published, character for character (checked on 2026-12-01
against the RFCs' plain-text edition): RFC 7644 prints its figures three columns in, and those
three columns are removed here; RFC 7643 §8.1 is printed at the margin and is unchanged. The
figures are left untouched in this file: the one adaptation, done in the tests by `_adapted`
and nowhere else, gives a `userName` a domain of the programme's allow-list, since the
allow-list applies to SCIM too (the RFCs' own `bjensen` is refused, see the first test).
Figures quoted from RFC 7643 and RFC 7644, (c) 2015 IETF Trust and the persons identified as
the document authors.

What the RFCs allow us not to keep or produce: `externalId` ("Each resource MAY include a
non-empty "externalId" value", RFC 7643 §3.1), ETags and `meta.version` ("Service providers
MAY support weak ETags", RFC 7644 §3.14); on creation "the server is free to alter and/or
ignore POSTed content" (RFC 7644 §3.3). On PATCH the RFC grants no such freedom: accepting,
without effect, operations on attributes we do not keep (`emails`, `nickname`, `addresses`)
is our choice, and the §3.5.2.3 step of the PATCH test says where it departs from the RFC.
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

# RFC 7644 §3.3 "Creating Resources": the request ("POST /Users").
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

# RFC 7644 §3.3: the server's answer to it (201 Created, with a Location header).
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

# RFC 7644 §3.4.2 "Query Resources": the answer to "GET /Users?attributes=userName" ("id" is
# there because its "returned" characteristic is "always", as the RFC notes under it).
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

# RFC 7644 §3.4.2.2 "Filtering": the examples that concern userName, as printed after "filter=".
RFC7644_3_4_2_2_FILTERS = [
    'userName eq "bjensen"',  # the first of "the following are examples of valid filters"
    'userName Eq "john"',  # "Attribute names and attribute operators used in filters are case
    'Username eq "john"',  # insensitive. For example, the following two expressions will
]  # evaluate to the same logical value:"
RFC7644_3_4_2_2_QUALIFIED = 'urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"'  # ibid.

# RFC 7644 §3.5.2.1 "Add Operation": "how to add one or more attributes to a User resource
# without using a "path" attribute". As published, the figure is not valid JSON: after
# "nickname", "}]" closes "value" and the "Operations" array, but the operation object opened
# by "[{" is never closed (one "}" is missing).
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

# RFC 7644 §3.5.2.3 "Replace Operation": "how to change a specific sub-attribute
# "streetAddress" of complex attribute "emails" selected by a "valuePath" filter" (the RFC's
# sentence says "emails"; its figure's path is "addresses").
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

# RFC 7644 §3.12 "HTTP Status and Error Response Handling": "Example of an error in response
# to a non-existent GET request" (404 Not Found).
RFC7644_3_12_NOT_FOUND = """
{
  "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
  "detail":"Resource 2819c223-7f76-453a-919d-413861904646 not found",
  "status": "404"
}
"""

# RFC 7643 §8.1 "Minimal User Representation" (Figure 3). A representation, not a request: its
# "id" and "meta" are the server's (RFC 7643 §3.1: "id" "MUST NOT be specified by the client",
# "meta" "SHALL be ignored when provided by clients"; RFC 7644 §3.3: "readOnly" attributes in
# a request body "SHALL be ignored").
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
    # an attribute written with its schema's URN is the same attribute (RFC 7644 §3.10);
    # "sw" is not supported by our endpoint: 400 invalidFilter (§3.12, Table 9)
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

    # §3.5.2.1, add without a path. As published the figure is not JSON, and sent as is it
    # gets a 400 in SCIM's error format (§3.12)...
    with pytest.raises(json.JSONDecodeError):
        json.loads(RFC7644_3_5_2_1_ADD_WITHOUT_PATH)
    printed = scim.patch(url, RFC7644_3_5_2_1_ADD_WITHOUT_PATH, content_type=SCIM)
    assert printed.status_code == 400 and printed["Content-Type"].startswith(SCIM)
    assert printed.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert printed.json()["status"] == "400"
    # ...with the operation's missing "}" added (and nothing else) it parses, is accepted
    # and changes nothing we keep
    missing = '"nickname":"Babs"\n  }]'
    assert RFC7644_3_5_2_1_ADD_WITHOUT_PATH.count(missing) == 1
    closed = RFC7644_3_5_2_1_ADD_WITHOUT_PATH.replace(missing, '"nickname":"Babs"\n  }\n  }]')
    assert patch(json.loads(closed))["active"] is True
    # §3.5.2.3, replace through a valuePath filter, the figure as is: accepted (200) without
    # effect, we keep no addresses. Read strictly, the RFC expects a failure here: when "no
    # record match was made" (Barbara has no work address) "the service provider SHALL
    # indicate failure by returning HTTP status code 400 and a "scimType" error code of
    # "noTarget"" (§3.5.2.3), and an operation "not compatible with an attribute's mutability
    # or schema" SHALL get an error response (§3.5.2). This leniency is ours, not the RFC's.
    assert patch(json.loads(RFC7644_3_5_2_3_REPLACE_VALUE_PATH))["active"] is True
    assert _state(world.program_a, email) == ("invited", "Barbara Jensen")
    # Deactivation forms that are not RFC figures: path "active" with the boolean as a string
    # (and the op capitalised), no path with {"active": false}, and the path written with the
    # schema's URN (attribute notation, RFC 7644 §3.10)
    ops = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
    as_string = {"op": "Replace", "path": "active"}
    pathless = {"op": "replace"}
    qualified = {"op": "replace", "path": "urn:ietf:params:scim:schemas:core:2.0:User:active"}
    forms = [
        ({**as_string, "value": "False"}, {**as_string, "value": "True"}),
        ({**pathless, "value": {"active": False}}, {**pathless, "value": {"active": True}}),
        ({**qualified, "value": False}, {**qualified, "value": True}),
    ]
    for deactivate, reactivate in forms:
        assert patch({"schemas": [ops], "Operations": [deactivate]})["active"] is False
        assert _state(world.program_a, email)[0] == "deactivated"
        assert patch({"schemas": [ops], "Operations": [reactivate]})["active"] is True
        assert _state(world.program_a, email)[0] != "deactivated"
    # a path-less replace whose keys are dotted attribute paths (not an RFC figure)
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
