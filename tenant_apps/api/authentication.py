"""`Authorization: Bearer <key>`: the programme's API keys, looked up in the schema of the
host — a key of another programme is not found here, and the console has no API."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions, throttling
from rest_framework.request import Request

from tenant_apps.api.models import ApiKey
from tenant_apps.api.services import api_key_authenticate


class ApiKeyUser:
    """Who acts through a key. Not a person: it is its own actor in the audit log
    (audit.log.AuditActor): no user id, role `api_key`, shown as "API key «name»"."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None
    id = None

    def __init__(self, key: ApiKey) -> None:
        self.api_key = key

    @property
    def audit_actor(self) -> tuple[str, str]:
        """(label, role) for audit.log: the key by its name, the same in every language."""
        return f"API key «{self.api_key.name}»", "api_key"

    def is_verified(self) -> bool:
        return False

    def __str__(self) -> str:
        return f"api key {self.api_key.prefix}"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[ApiKeyUser, ApiKey] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid API key."))
        try:
            raw = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid API key.")) from None
        key = api_key_authenticate(raw=raw)
        if key is None:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked API key."))
        return ApiKeyUser(key), key

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="api"'


class HasApiKeyScope(permissions.BasePermission):
    """Reads need a key; anything else needs a key with the write scope."""

    message = _("This API key may only read.")

    def has_permission(self, request: Request, view: Any) -> bool:
        key = request.auth
        if not isinstance(key, ApiKey):
            return False
        return request.method in permissions.SAFE_METHODS or key.can_write


class ApiKeyRateThrottle(throttling.SimpleRateThrottle):
    """API_KEY_RATE per key (600/min by default), counted in the default cache (Redis, keys
    prefixed with the schema). A refused request gets 429 and `Retry-After`."""

    scope = "api_key"

    def get_rate(self) -> str:
        from django.conf import settings

        return settings.API_KEY_RATE

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        key = request.auth
        if not isinstance(key, ApiKey):
            return None
        return f"throttle_api_key_{key.pk}"


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """The OpenAPI description of the key: an HTTP bearer token."""

    target_class = "tenant_apps.api.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A programme API key: `Authorization: Bearer bnm_…`",
        }
