from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from saas.core.errors import ApplicationError, Conflict, NotAllowed

_STATUS = {NotAllowed: status.HTTP_403_FORBIDDEN, Conflict: status.HTTP_409_CONFLICT}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every API error has the same shape: {"code", "message", "fields"}."""
    if isinstance(exc, ApplicationError):
        return Response(
            {"code": exc.code, "message": str(exc.message), "fields": exc.fields},
            status=_STATUS.get(type(exc), status.HTTP_400_BAD_REQUEST),
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = response.data if isinstance(response.data, dict) else {}
        response.data = {"code": "invalid", "message": str(exc.default_detail), "fields": fields}
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        response.data = {"code": code, "message": str(detail), "fields": {}}
    return response
