"""SCIM 2.0 provisioning of participants (RFC 7643/7644, the subset Entra ID and Okta use):
`/scim/v2/Users` — list with `filter=userName eq "…"` (ListResponse, startIndex/count), create,
read, PATCH (`active`, `name.givenName`, `name.familyName`, `displayName` ignored), DELETE
(deactivates). Authenticated by a programme API key with the write scope; creation goes
through the invitation service, so the programme's domain allow-list applies.

django-scim2 was not used: its adapters write the user model directly (our identity is shared
in `public`, the participant lives in the programme's schema, and every change must go
through the participants services for the allow-list, the audit log and the emails).
"""

import re
from typing import Any, cast

from django.db import transaction
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, parsers, renderers, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas.core.errors import ApplicationError, Conflict
from tenant_apps.api.authentication import ApiKeyAuthentication, ApiKeyRateThrottle
from tenant_apps.api.models import ApiKey
from tenant_apps.api.selectors import api_participant_by_email, api_participants
from tenant_apps.api.services import api_key_write_record, participant_directory_update
from tenant_apps.participants.models import Participant
from tenant_apps.participants.services import participant_invite

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
# RFC 7644 §3.4.2.2: attribute names and operators are case-insensitive, and an attribute may
# be written with its schema's URN ("urn:…:core:2.0:User:userName").
FILTER = re.compile(
    r'^\s*(?:urn:ietf:params:scim:schemas:core:2\.0:User:)?userName\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$',
    re.IGNORECASE,
)


class ScimError(exceptions.APIException):
    def __init__(self, status_code: int, detail: str, scim_type: str = "") -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.scim_type = scim_type


class ScimParser(parsers.JSONParser):
    media_type = "application/scim+json"


class ScimRenderer(renderers.JSONRenderer):
    media_type = "application/scim+json"


class HasWriteKey(BasePermission):
    """SCIM provisions people: every request needs a key with the write scope."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, ApiKey) and request.auth.can_write

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        return True


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"  # Entra ID sends "False" as a string
    raise ScimError(400, _("active must be true or false."), "invalidValue")


def _attribute(path: str) -> str:
    """An attribute path, lower-cased, without the core User schema's URN (RFC 7644 §3.10:
    "urn:ietf:params:scim:schemas:core:2.0:User:active" is "active")."""
    return path.strip().lower().removeprefix(USER_SCHEMA.lower() + ":")


def user_resource(participant: Participant, request: Request) -> dict[str, Any]:
    location = request.build_absolute_uri(f"/scim/v2/Users/{participant.pk}")
    name = {"formatted": participant.display_name}
    if participant.user.first_name:
        name["givenName"] = participant.user.first_name
    if participant.user.last_name:
        name["familyName"] = participant.user.last_name
    return {
        "schemas": [USER_SCHEMA],
        "id": str(participant.pk),
        "userName": participant.display_email,
        "displayName": participant.display_name,
        "name": name,
        "emails": [{"value": participant.display_email, "type": "work", "primary": True}],
        "active": participant.status in (Participant.Status.INVITED, Participant.Status.ACTIVE),
        "roles": [{"value": participant.role}],
        "meta": {
            "resourceType": "User",
            "created": participant.created_at.isoformat(),
            # annotated by api_participants() (the latest of the person's changes)
            "lastModified": participant.updated_at.isoformat(),  # type: ignore[attr-defined]
            "location": location,
        },
    }


@extend_schema(exclude=True)  # SCIM has its own schema (RFC 7643), not this OpenAPI one
class ScimApi(APIView):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasWriteKey]
    throttle_classes = [ApiKeyRateThrottle]
    parser_classes = [ScimParser, parsers.JSONParser]
    renderer_classes = [ScimRenderer]

    def handle_exception(self, exc: Exception) -> Response:
        """Errors in SCIM's own shape (RFC 7644 §3.12), whatever raised them."""
        if isinstance(exc, ApplicationError):
            scim = ScimError(
                409 if isinstance(exc, Conflict) else 400,
                str(exc.message),
                "uniqueness" if isinstance(exc, Conflict) else "invalidValue",
            )
            return self._error(scim)
        response = super().handle_exception(exc)
        detail = response.data.get("message") or response.data.get("detail") or ""
        error = ScimError(response.status_code, str(detail), getattr(exc, "scim_type", ""))
        scim_response = self._error(error)
        for header in ("WWW-Authenticate", "Retry-After"):
            if header in response:
                scim_response[header] = response[header]
        return scim_response

    def _error(self, error: ScimError) -> Response:
        body = {
            "schemas": [ERROR_SCHEMA],
            "status": str(error.status_code),
            "detail": str(error.detail),
        }
        if error.scim_type:
            body["scimType"] = error.scim_type
        return Response(body, status=error.status_code)

    def record(self, operation: str) -> None:
        key = cast(ApiKey, self.request.auth)  # HasWriteKey let only an ApiKey in
        api_key_write_record(
            key=key,
            method=self.request.method or "",
            operation=operation,
        )


def _participant(pk: str) -> Participant:
    participant = api_participants().filter(pk=pk).first() if pk.isdigit() else None
    if participant is None or participant.is_erased:
        raise ScimError(404, _("No such user."))
    return participant


def _names(resource: dict[str, Any]) -> tuple[str | None, str | None]:
    raw_name = resource.get("name")
    name: dict[str, Any] = raw_name if isinstance(raw_name, dict) else {}
    given, family = name.get("givenName"), name.get("familyName")
    return (
        given if isinstance(given, str) else None,
        family if isinstance(family, str) else None,
    )


@extend_schema(exclude=True)
class ScimUsersApi(ScimApi):
    def get(self, request: Request) -> Response:
        queryset = api_participants().exclude(status=Participant.Status.ERASED).order_by("pk")
        expression = request.query_params.get("filter")
        if expression is not None:
            match = FILTER.match(expression)
            if match is None:
                raise ScimError(
                    400, _('Only the filter userName eq "…" is supported.'), "invalidFilter"
                )
            user_name = match.group(1).replace('\\"', '"').strip().lower()
            queryset = queryset.filter(user__email=user_name)
        try:
            start = max(int(request.query_params.get("startIndex", 1)), 1)
            count = min(max(int(request.query_params.get("count", 100)), 0), 200)
        except ValueError:
            raise ScimError(
                400, _("startIndex and count must be numbers."), "invalidValue"
            ) from None
        total = queryset.count()
        page = list(queryset[start - 1 : start - 1 + count])
        return Response(
            {
                "schemas": [LIST_SCHEMA],
                "totalResults": total,
                "startIndex": start,
                "itemsPerPage": len(page),
                "Resources": [user_resource(p, request) for p in page],
            }
        )

    def post(self, request: Request) -> Response:
        resource = request.data if isinstance(request.data, dict) else {}
        user_name = resource.get("userName")
        if not isinstance(user_name, str) or not user_name.strip():
            raise ScimError(400, _("userName is required."), "invalidValue")
        if api_participant_by_email(email=user_name.strip().lower()) is not None:
            raise ScimError(409, _("A user with this userName exists."), "uniqueness")
        raw_roles = resource.get("roles")
        roles: list[Any] = raw_roles if isinstance(raw_roles, list) else []
        role = next(
            (
                r.get("value")
                for r in roles
                if isinstance(r, dict) and r.get("value") in ("mentee", "mentor")
            ),
            Participant.Role.MENTEE,
        )
        first_name, last_name = _names(resource)
        with transaction.atomic():
            participant = participant_invite(
                email=user_name.strip(),
                role=str(role),
                first_name=first_name or "",
                last_name=last_name or "",
            )
            if "active" in resource and not _as_bool(resource["active"]):
                participant_directory_update(participant=participant, is_active=False)
            self.record("scim.users.create")
        participant = _participant(str(participant.pk))
        response = Response(user_resource(participant, request), status=status.HTTP_201_CREATED)
        response["Location"] = user_resource(participant, request)["meta"]["location"]
        return response


@extend_schema(exclude=True)
class ScimUserApi(ScimApi):
    def get(self, request: Request, participant: int) -> Response:
        return Response(user_resource(_participant(str(participant)), request))

    def patch(self, request: Request, participant: int) -> Response:
        target = _participant(str(participant))
        body = request.data if isinstance(request.data, dict) else {}
        operations = body.get("Operations")
        if not isinstance(operations, list):
            raise ScimError(400, _("Operations are required."), "invalidSyntax")
        changes: dict[str, Any] = {}
        for operation in operations:
            if not isinstance(operation, dict):
                raise ScimError(400, _("Operations are required."), "invalidSyntax")
            op = str(operation.get("op", "")).lower()
            if op not in ("replace", "add"):
                continue  # "remove" of an attribute we do not keep changes nothing
            value = operation.get("value")
            where = str(operation.get("path") or "")
            # Without a path (RFC 7644 §3.5.2.1 and §3.5.2.3; Okta's {"active": false}, Entra's
            # dotted keys) the value holds the attributes themselves.
            values = value if not where and isinstance(value, dict) else {where: value}
            for attribute, item in values.items():
                key = _attribute(str(attribute))
                if key == "active":
                    changes["is_active"] = _as_bool(item)
                elif key == "name.givenname" and isinstance(item, str):
                    changes["first_name"] = item
                elif key == "name.familyname" and isinstance(item, str):
                    changes["last_name"] = item
                elif key == "name" and isinstance(item, dict):
                    first_name, last_name = _names({"name": item})
                    changes.update(
                        {
                            k: v
                            for k, v in (("first_name", first_name), ("last_name", last_name))
                            if v is not None
                        }
                    )
        with transaction.atomic():
            updated = participant_directory_update(participant=target, **changes)
            self.record("scim.users.patch")
        return Response(user_resource(_participant(str(updated.pk)), request))

    def delete(self, request: Request, participant: int) -> Response:
        target = _participant(str(participant))
        with transaction.atomic():
            participant_directory_update(participant=target, is_active=False)
            self.record("scim.users.delete")
        return Response(status=status.HTTP_204_NO_CONTENT)


def _api(view: Any) -> Any:
    view.login_required = False
    view.otp_exempt = True
    return view


urlpatterns = [
    path("scim/v2/Users", _api(ScimUsersApi.as_view()), name="scim-users"),
    path("scim/v2/Users/<int:participant>", _api(ScimUserApi.as_view()), name="scim-user"),
]
