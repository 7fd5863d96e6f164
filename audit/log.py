"""The audit log: one call, written in the same transaction as the action it records, into
the programme's schema (programme events) or `public` (platform events) — one model,
`audit.AuditEvent`, whose table exists in every schema.

    audit_record(action="participant.invited", target=participant, details={"role": "mentor"})

The actor, IP address and request id come from the request being served (the observability
context), unless given. Details must not repeat personal data (names, emails, free text):
ids and codes only, so that an erasure leaves nothing to find here.

**The rule** (enforced by tests/test_audit_rule.py): every public function of a services module
(`<app>/services.py` or `<app>/services/*.py`) carries one of two marks —

    @transaction.atomic
    @audited                      # changes programme or platform state: writes its audit row
    def program_pause(*, ...): ...

    @audit_exempt("pure computation, writes nothing")
    def criteria() -> ...: ...

An `@audited` service that returns without having called `audit_record()` (or
`audit_unchanged()` when it changed nothing) raises `AuditMissing`; put `@audited` under
`@transaction.atomic` so that the row commits with the change, or the change rolls back.

**Actors that are not people** (an API key...): the request's authenticated user object
implements `AuditActor` — an attribute `audit_actor = (label, role)`. The row then has no
user id, `actor_role=role` and `actor_label=label` ("API key «HR system»"), and the log
shows the label. Nothing else about the object is read.
"""

import functools
import io
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar, runtime_checkable

from django.apps import apps
from django.conf import settings
from django.db import transaction

from saas.core.exports import csv_writer
from saas.core.http import client_ip
from saas.core.observability import context as observability
from saas.core.tenancy import connection

F = TypeVar("F", bound=Callable[..., Any])

# The audit rows written during the innermost running @audited service (None outside one).
_recorded: ContextVar[list[str] | None] = ContextVar("audit_recorded", default=None)
_UNCHANGED = "<unchanged>"


class AuditMissing(RuntimeError):
    """An @audited service changed state without writing its audit row in its transaction."""


@dataclass(frozen=True)
class AuditPolicy:
    kind: str  # "audited" or "exempt"
    reason: str = ""


def audited(function: F) -> F:
    """Mark a service that changes programme or platform state. Each call must write at least
    one audit row with `audit_record()` (place `@audited` under `@transaction.atomic`, so the
    row commits with the change), or call `audit_unchanged()` when it turned out to change nothing;
    otherwise `AuditMissing` is raised (and the transaction rolled back)."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        outer = _recorded.get()
        token = _recorded.set([])
        try:
            result = function(*args, **kwargs)
            recorded = list(_recorded.get() or [])
        finally:
            _recorded.reset(token)
        if not recorded:
            raise AuditMissing(
                f"{function.__module__}.{function.__qualname__} returned without writing its "
                "audit row (audit_record) nor declaring audit_unchanged()"
            )
        if outer is not None:
            outer.extend(recorded)
        return result

    wrapper.audit_policy = AuditPolicy("audited")  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def audit_exempt(reason: str) -> Callable[[F], F]:
    """Mark a public service function that needs no audit row, saying why (pure computation,
    a read, a step audited by its caller, delivery of something already audited...)."""
    if len(reason.strip()) < 10:
        raise ValueError("say why this service needs no audit row")

    def mark(function: F) -> F:
        function.audit_policy = AuditPolicy("exempt", reason)  # type: ignore[attr-defined]
        return function

    return mark


def audit_unchanged() -> None:
    """Inside an @audited service: this call changed nothing, so no row is due."""
    if (recorded := _recorded.get()) is not None:
        recorded.append(_UNCHANGED)


def audit_policy(function: Callable[..., Any]) -> AuditPolicy | None:
    return getattr(function, "audit_policy", None)


def _model() -> Any:
    """The one model (audit.AuditEvent); its table is the current schema's."""
    return apps.get_model("audit", "AuditEvent")


def _is_public() -> bool:
    return connection.schema_name == settings.PUBLIC_SCHEMA_NAME


@runtime_checkable
class AuditActor(Protocol):
    """A request's authenticated principal that is not a person (e.g. tenant_apps.api's
    ApiKeyUser): `(label, role)` — the words the log shows and a short code (≤ 20 chars)."""

    audit_actor: tuple[str, str]


def _actor(request: Any) -> tuple[int | None, str, str]:
    """(user id, role, label) of whoever the request acts for."""
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return None, "", ""
    if isinstance(user, AuditActor):
        label, role = user.audit_actor
        return None, role, label
    if _is_public():
        return user.pk, "super-admin" if user.is_staff else "user", ""
    # Set by the programme's authentication backend; never queried from here.
    participant = user._state.fields_cache.get("participant")
    return user.pk, participant.role if participant is not None else "user", ""


def audit_record(
    *,
    action: str,
    target: Any = None,
    details: dict[str, Any] | None = None,
    actor_user_id: int | None = None,
    actor_role: str = "",
) -> Any:
    request = observability.current().request
    actor_label = ""
    if actor_user_id is None and request is not None:
        actor_user_id, actor_role, actor_label = _actor(request)
    fields: dict[str, Any] = {
        "action": action,
        "actor_user_id": actor_user_id,
        "actor_role": actor_role or ("system" if actor_user_id is None else ""),
        "actor_label": actor_label[:120],
        "target_type": target._meta.label_lower if target is not None else "",
        "target_id": str(target.pk) if target is not None else "",
        "ip": (client_ip(request) or None) if request is not None else None,
        "request_id": observability.current().request_id or "",
        "details": details or {},
    }
    model = _model()
    if (recorded := _recorded.get()) is not None:
        recorded.append(action)
    is_program = target is not None and target._meta.label_lower == "tenants.program"
    if _is_public() and is_program:
        fields["program_id"] = target.pk
    return model.objects.create(**fields)


def audit_count(*, action: str, count: int) -> int:
    """Inside an @audited batch service: one `action` row saying how many it handled, or none
    when it handled nothing. Returns `count`."""
    if count:
        audit_record(action=action, details={"count": count})
    else:
        audit_unchanged()
    return count


def audit_events(*, action: str = "", since: datetime | None = None) -> Any:
    queryset = _model().objects.all()
    if action:
        queryset = queryset.filter(action__startswith=action)
    if since is not None:
        queryset = queryset.filter(created_at__gte=since)
    return queryset


CSV_COLUMNS = [
    "created_at",
    "action",
    "actor_user_id",
    "actor_role",
    "actor_label",
    "target_type",
    "target_id",
    "ip",
    "request_id",
    "details",
]


def audit_csv(events: Any) -> str:
    buffer = io.StringIO()
    writer = csv_writer(buffer, delimiter=";")
    writer.writerow(CSV_COLUMNS)
    for event in events.iterator():
        writer.writerow(
            [
                event.created_at.isoformat(),
                event.action,
                event.actor_user_id or "",
                event.actor_role,
                event.actor_label,
                event.target_type,
                event.target_id,
                event.ip or "",
                event.request_id,
                event.details,
            ]
        )
    return buffer.getvalue()


@transaction.atomic
def audit_purge(*, before: datetime) -> int:
    """The only way rows leave the log: the retention job removing those older than `before`."""
    table = _model()._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL binome.audit_purge = 'on'")
        cursor.execute(f"DELETE FROM {table} WHERE created_at < %s", [before])  # noqa: S608
        count: int = cursor.rowcount
        cursor.execute("SET LOCAL binome.audit_purge = 'off'")
    return count
