"""The one small error hierarchy. Services raise these; views show `message` on the form and the
API answers {"code", "message", "fields"} (saas.core.apis.exception_handler)."""

from django.utils.functional import Promise


class ApplicationError(Exception):
    code = "error"

    def __init__(
        self, message: str | Promise, *, fields: dict[str, list[str]] | None = None
    ) -> None:
        super().__init__(str(message))
        self.message = message
        self.fields = fields or {}


class ValidationFailed(ApplicationError):
    code = "invalid"


class NotAllowed(ApplicationError):
    code = "forbidden"


class Conflict(ApplicationError):
    code = "conflict"


class Throttled(ApplicationError):
    """Too many attempts: the person must wait `wait_seconds` before the next one."""

    code = "throttled"

    def __init__(self, message: str | Promise, *, wait_seconds: int) -> None:
        super().__init__(message)
        self.wait_seconds = wait_seconds
