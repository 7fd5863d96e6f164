"""Create, pause, resume and archive programmes.

Provisioning (measured, see bench/provisioning.py and README § Architecture): a pool of spare,
fully migrated schemas is kept ready by `program_pool_refill`; `program_create` claims one in
a single UPDATE, so a new programme does not wait for migrations. When the pool is empty it
falls back to plain migrate into a new schema. Spare schemas are Program rows (status
`spare`), so `migrate_schemas` keeps them up to date like every other programme.
"""

import logging
import re
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context, schema_exists, tenant_context

from audit.log import audit_exempt, audit_record, audit_unchanged, audited
from saas.core.errors import Conflict, ValidationFailed
from saas.core.storage import files_delete_prefix
from saas.core.tasks import enqueue_on_commit
from saas.core.tenancy import connection
from shared_apps.accounts.selectors import email_normalize
from tenant_apps.participants.models import Participant
from tenant_apps.participants.services import participant_invite
from tenant_apps.programs.services import program_settings_initialise
from tenants.models import Client, Domain, FailureCode, Program

ARCHIVE_UNDO_DAYS = 30

logger = logging.getLogger(__name__)

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
POOL_LOCK_ID = 0x42494E4F  # pg advisory lock: one refill at a time


@audit_exempt("pure: returns a random name, writes nothing")
def schema_name_generate() -> str:
    """`p_` + 12 hex digits: never typed by a person, never derived from a name."""
    return f"p_{secrets.token_hex(6)}"


@audit_exempt("clears a cache; the status change that calls it is audited")
def host_cache_clear(program: Program) -> None:
    """Forget the host -> programme entries of the middleware (status or domain changed)."""
    hosts = list(program.domains.values_list("domain", flat=True))
    caches["global"].delete_many([host_cache_key(host) for host in hosts])


@audit_exempt("pure: returns a cache key")
def host_cache_key(host: str) -> str:
    return f"host:{host}"


# --- Clients -----------------------------------------------------------------------------------


def _client_name_checked(name: str, *, exclude_id: int | None = None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationFailed(_("Enter a name."), fields={"name": [_("Enter a name.")]})
    others = Client.objects.filter(name__iexact=name)
    if exclude_id is not None:
        others = others.exclude(pk=exclude_id)
    if others.exists():
        message = _("An organisation with this name already exists.")
        raise Conflict(message, fields={"name": [message]})
    return name


@transaction.atomic
@audited
def client_create(
    *, name: str, address: str = "", dpo_name: str = "", dpo_email: str = ""
) -> Client:
    name = _client_name_checked(name)
    client = Client.objects.create(
        name=name,
        address=(address or "").strip(),
        dpo_name=" ".join((dpo_name or "").split()),
        dpo_email=(dpo_email or "").strip(),
    )
    audit_record(action="console.client_created", target=client, details={"name": client.name})
    return client


@transaction.atomic
@audited
def client_update(
    *, client: Client, name: str, address: str, dpo_name: str, dpo_email: str
) -> Client:
    """The controller's identity shown in every register of its programmes (art. 30.1.a)."""
    values = {
        "name": _client_name_checked(name, exclude_id=client.pk),
        "address": (address or "").strip(),
        "dpo_name": " ".join((dpo_name or "").split()),
        "dpo_email": (dpo_email or "").strip(),
    }
    changed = [field for field, value in values.items() if getattr(client, field) != value]
    for field in changed:
        setattr(client, field, values[field])
    if changed:
        client.save(update_fields=changed)
        audit_record(action="console.client_updated", target=client, details={"fields": changed})
    else:
        audit_unchanged()
    return client


# --- Programmes --------------------------------------------------------------------------------


def _slug_errors(slug: str) -> list[str]:
    if not SLUG_RE.match(slug):
        return [
            _(
                "Use 1 to 63 lower-case letters, digits or hyphens, starting and ending with a "
                "letter or digit."
            )
        ]
    if slug in settings.RESERVED_SLUGS or slug.startswith("xn--") or "--" in slug:
        return [_("This sub-domain is reserved.")]
    host = f"{slug}.{settings.BASE_DOMAIN}"
    if Program.objects.filter(slug=slug).exists() or Domain.objects.filter(domain=host).exists():
        return [_("This sub-domain is already used by another programme.")]
    return []


@audited
def program_create(*, client_id: int | None, name: str, slug: str, manager_email: str) -> Program:
    """Validate, reserve the programme (claiming a spare schema when there is one) and queue
    its provisioning. Bad input raises ValidationFailed and creates nothing."""
    name = " ".join((name or "").split())
    slug = (slug or "").strip().lower()
    manager_email = email_normalize(manager_email)
    errors: dict[str, list[str]] = {}
    client = Client.objects.filter(pk=client_id).first() if client_id else None
    if client is None:
        errors["client"] = [_("Choose an existing organisation.")]
    if not name:
        errors["name"] = [_("Enter a name.")]
    if slug_errors := _slug_errors(slug):
        errors["slug"] = slug_errors
    try:
        validate_email(manager_email)
    except DjangoValidationError:
        errors["manager_email"] = [_("Enter a valid email address.")]
    if errors:
        raise ValidationFailed(_("Please correct the errors below."), fields=errors)
    assert client is not None  # refused above otherwise

    try:
        with transaction.atomic():
            program = (
                Program.objects.select_for_update(skip_locked=True)
                .filter(status=Program.Status.SPARE)
                .order_by("pk")
                .first()
            ) or Program(schema_name=schema_name_generate())
            program.client = client
            program.name = name
            program.slug = slug
            program.first_manager_email = manager_email
            program.status = Program.Status.PROVISIONING
            program.status_changed_at = timezone.now()
            program.save()
            audit_record(
                action="console.program_created",
                target=program,
                details={"name": name, "slug": slug, "client_id": client.pk},
            )
            from tenants.tasks import program_pool_refill_task, program_provision_task

            enqueue_on_commit(program_provision_task, program_id=program.pk)
            if settings.PROGRAM_POOL_SIZE:
                enqueue_on_commit(program_pool_refill_task)
    except IntegrityError as exc:  # a concurrent creation took the slug
        message = _("This sub-domain is already used by another programme.")
        raise ValidationFailed(message, fields={"slug": [message]}) from exc
    return program


@audited
def program_provision(*, program_id: int) -> Program:
    """Make a reserved programme usable: schema (unless it came from the pool), domain, the
    programme's own first rows and the invitation of its first manager. Idempotent. On failure
    nothing is left behind — no schema, no domain —, the traceback goes to the logs and the
    console explains the cause (`failure_code`).

    Works the same eagerly inside a console request, in a worker or in a shell: nothing here
    depends on the request being served (links are built by `tenants.links.program_url`)."""
    program: Program = Program.objects.get(pk=program_id)
    if program.status != Program.Status.PROVISIONING:
        audit_unchanged()
        return program
    try:
        if not schema_exists(program.schema_name):
            program.create_schema(check_if_exists=True, verbosity=0)
        with transaction.atomic():
            Domain.objects.create(domain=program.host, tenant=program, is_primary=True)
            with tenant_context(program):
                _program_first_rows(program)
            program.status = Program.Status.READY
            program.ready_at = program.status_changed_at = timezone.now()
            program.failure_reason = program.failure_code = ""
            program.save(
                update_fields=[
                    "status",
                    "ready_at",
                    "status_changed_at",
                    "failure_reason",
                    "failure_code",
                ]
            )
            audit_record(action="console.program_ready", target=program)
    except Exception as exc:
        logger.exception(
            "provisioning of programme %s (%s) failed", program.pk, program.schema_name
        )
        _program_cleanup(program, exc=exc)
        return program
    return program


def _program_first_rows(program: Program) -> None:
    program_settings_initialise()
    participant_invite(email=program.first_manager_email, role=Participant.Role.MANAGER)


def _failure_code(program: Program, exc: Exception) -> str:
    if (
        isinstance(exc, IntegrityError)
        and Domain.objects.filter(domain=program.host).exclude(tenant=program).exists()
    ):
        return FailureCode.HOST_TAKEN
    return FailureCode.ERROR


@audit_exempt("deletes the files of a programme whose end its caller audits")
def program_files_delete(*, program: Program) -> int:
    """Delete every file of the programme — in the bucket, every version of every object under
    its schema's prefix. Returns how many objects or versions went."""
    with schema_context(program.schema_name):
        return files_delete_prefix(prefix="")


@transaction.atomic
def _program_cleanup(program: Program, *, exc: Exception) -> None:
    connection.set_schema_to_public()
    Domain.objects.filter(tenant=program).delete()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{program.schema_name}" CASCADE')  # generated name
    files_left = False
    try:  # a retry provisions the same schema name: it must not find files of this attempt
        program_files_delete(program=program)
    except Exception:
        logger.exception("files of %s could not be deleted", program.schema_name)
        files_left = True
    program.status = Program.Status.FAILED
    program.failure_code = _failure_code(program, exc)
    reason = f"{type(exc).__name__}: {exc}"
    if files_left:
        reason = f"{reason} (and its files could not be deleted)"
    program.failure_reason = reason[:2000]
    program.status_changed_at = timezone.now()
    program.save(update_fields=["status", "failure_code", "failure_reason", "status_changed_at"])
    audit_record(
        action="console.program_failed", target=program, details={"code": program.failure_code}
    )


@audit_exempt("a read: words for a failure already audited")
def program_failure_explanation(program: Program) -> str:
    """Why the creation failed, in the super-admin's language (never the raw exception)."""
    if program.failure_code == FailureCode.HOST_TAKEN:
        return _(
            "The address %(host)s is already used by another programme. Delete this programme "
            "to free its name, and create it again with another sub-domain."
        ) % {"host": program.host}
    return _(
        "A technical error interrupted the creation. Nothing was kept (no schema, no "
        "address); the details are in the server logs under reference %(reference)s. You can "
        "retry, or delete this programme to free its sub-domain."
    ) % {"reference": program.schema_name}


@transaction.atomic
@audited
def program_retry(*, program: Program) -> Program:
    """Queue provisioning again for a programme that failed. With eager tasks (`dev.py run`)
    it has already run when this returns: read `program.status` again to know the outcome."""
    program = Program.objects.select_for_update().get(pk=program.pk)
    if program.status != Program.Status.FAILED:
        raise Conflict(_("Only a programme whose creation failed can be retried."))
    program.status = Program.Status.PROVISIONING
    program.status_changed_at = timezone.now()
    program.save(update_fields=["status", "status_changed_at"])
    audit_record(action="console.program_retried", target=program)
    from tenants.tasks import program_provision_task

    enqueue_on_commit(program_provision_task, program_id=program.pk)
    return program


@transaction.atomic
@audited
def program_delete(*, program: Program) -> None:
    """Delete a programme whose creation failed (it has no schema, no address and no data):
    its sub-domain can be used again."""
    program = Program.objects.select_for_update().get(pk=program.pk)
    if program.status != Program.Status.FAILED:
        raise Conflict(_("Only a programme whose creation failed can be deleted."))
    audit_record(
        action="console.program_deleted",
        target=program,
        details={"name": program.name, "slug": program.slug},
    )
    Domain.objects.filter(tenant=program).delete()
    program.delete()


_TRANSITIONS = {
    "pause": ({Program.Status.READY}, Program.Status.PAUSED),
    "resume": ({Program.Status.PAUSED}, Program.Status.READY),
    "archive": ({Program.Status.READY, Program.Status.PAUSED}, Program.Status.ARCHIVED),
}


def _status_save(program: Program, *, by: Any, fields: list[str]) -> None:
    program.status_changed_at = timezone.now()
    program.status_changed_by_user_id = getattr(by, "pk", None)
    program.save(
        update_fields=["status", "status_changed_at", "status_changed_by_user_id", *fields]
    )
    # Now and after commit: a request between the two could cache the old status again.
    host_cache_clear(program)
    transaction.on_commit(lambda: host_cache_clear(program))


@transaction.atomic
@audited
def program_set_status(
    *, program: Program, action: str, by: Any = None, reason: str = ""
) -> Program:
    """pause / resume / archive. A paused programme refuses every page but health checks; an
    archived one too, and only a super-admin can restore it, within ARCHIVE_UNDO_DAYS days.
    Archiving needs a reason."""
    allowed_from, target = _TRANSITIONS[action]
    program = Program.objects.select_for_update().get(pk=program.pk)
    if program.status not in allowed_from:
        raise Conflict(
            _("A programme that is “%(status)s” cannot be changed this way.")
            % {"status": program.get_status_display()}
        )
    reason = " ".join((reason or "").split())[:1000]
    extra: list[str] = []
    details: dict[str, Any] = {"from": program.status}
    if action == "archive":
        if not reason:
            message = _("Say why the programme is archived.")
            raise ValidationFailed(message, fields={"reason": [message]})
        program.status_before_archive = program.status
        program.archived_at = timezone.now()
        program.archive_reason = reason
        extra = ["status_before_archive", "archived_at", "archive_reason"]
        details["reason"] = reason
    program.status = target
    _status_save(program, by=by, fields=extra)
    audit_record(action=f"console.program_{action}", target=program, details=details)
    return program


@audit_exempt("a read: computes a date")
def program_restore_deadline(program: Program) -> Any:
    """Until when an archived programme can still be restored (None if it is not archived)."""
    if program.status != Program.Status.ARCHIVED or program.archived_at is None:
        return None
    return program.archived_at + timedelta(days=ARCHIVE_UNDO_DAYS)


@transaction.atomic
@audited
def program_restore(*, program: Program, by: Any = None) -> Program:
    """Undo an archive within ARCHIVE_UNDO_DAYS days: back to the status it had before."""
    program = Program.objects.select_for_update().get(pk=program.pk)
    deadline = program_restore_deadline(program)
    if deadline is None:
        raise Conflict(_("Only an archived programme can be restored."))
    if timezone.now() > deadline:
        raise Conflict(
            _(
                "This programme was archived more than %(days)s days ago: it can no longer be "
                "restored."
            )
            % {"days": ARCHIVE_UNDO_DAYS}
        )
    program.status = program.status_before_archive or Program.Status.PAUSED
    program.archived_at = None
    program.status_before_archive = ""
    _status_save(program, by=by, fields=["archived_at", "status_before_archive"])
    audit_record(action="console.program_restored", target=program, details={"to": program.status})
    return program


# --- The pool of spare schemas -----------------------------------------------------------------


@audit_exempt("spare schemas belong to no programme and hold no data (operations only)")
def program_pool_refill(*, size: int | None = None) -> int:
    """Create spare schemas until `size` are waiting; returns how many were created. One
    refill at a time (advisory lock); safe to run from beat and after every claim."""
    size = settings.PROGRAM_POOL_SIZE if size is None else size
    created = 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [POOL_LOCK_ID])
        if not cursor.fetchone()[0]:
            return 0
    try:
        while Program.objects.filter(status=Program.Status.SPARE).count() < size:
            program = Program(schema_name=schema_name_generate(), status=Program.Status.SPARE)
            program.create_schema(check_if_exists=True, verbosity=0)
            program.save()
            created += 1
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [POOL_LOCK_ID])
    return created
