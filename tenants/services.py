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

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context, schema_exists, tenant_context

from saas.core.audit import audit_record
from saas.core.errors import Conflict, ValidationFailed
from saas.core.storage import files_delete_prefix
from saas.core.tasks import enqueue_on_commit
from shared_apps.accounts.selectors import email_normalize
from tenants.models import Client, Domain, Program

logger = logging.getLogger(__name__)

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
POOL_LOCK_ID = 0x42494E4F  # pg advisory lock: one refill at a time


def schema_name_generate() -> str:
    """`p_` + 12 hex digits: never typed by a person, never derived from a name."""
    return f"p_{secrets.token_hex(6)}"


def host_cache_clear(program: Program) -> None:
    """Forget the host -> programme entries of the middleware (status or domain changed)."""
    hosts = list(program.domains.values_list("domain", flat=True))
    caches["global"].delete_many([host_cache_key(host) for host in hosts])


def host_cache_key(host: str) -> str:
    return f"host:{host}"


# --- Clients -----------------------------------------------------------------------------------


@transaction.atomic
def client_create(*, name: str) -> Client:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationFailed(_("Enter a name."), fields={"name": [_("Enter a name.")]})
    if Client.objects.filter(name__iexact=name).exists():
        message = _("An organisation with this name already exists.")
        raise Conflict(message, fields={"name": [message]})
    client = Client.objects.create(name=name)
    audit_record(action="console.client_created", target=client)
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
            audit_record(action="console.program_created", target=program)
            from tenants.tasks import program_pool_refill_task, program_provision_task

            enqueue_on_commit(program_provision_task, program_id=program.pk)
            if settings.PROGRAM_POOL_SIZE:
                enqueue_on_commit(program_pool_refill_task)
    except IntegrityError as exc:  # a concurrent creation took the slug
        message = _("This sub-domain is already used by another programme.")
        raise ValidationFailed(message, fields={"slug": [message]}) from exc
    return program


def program_provision(*, program_id: int) -> Program:
    """Make a reserved programme usable: schema (unless it came from the pool), domain, the
    programme's own first rows and the invitation of its first manager. Idempotent. On failure
    nothing is left behind — no schema, no domain — and the reason is kept on the row."""
    program = Program.objects.get(pk=program_id)
    if program.status != Program.Status.PROVISIONING:
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
            program.failure_reason = ""
            program.save(
                update_fields=["status", "ready_at", "status_changed_at", "failure_reason"]
            )
    except Exception as exc:
        logger.exception("provisioning of %s failed", program.schema_name)
        _program_cleanup(program, reason=f"{type(exc).__name__}: {exc}")
        return program
    return program


def _program_first_rows(program: Program) -> None:
    from tenant_apps.participants.models import Participant
    from tenant_apps.participants.services import participant_invite
    from tenant_apps.programs.services import program_settings_initialise

    program_settings_initialise()
    participant_invite(email=program.first_manager_email, role=Participant.Role.MANAGER)


def program_files_delete(*, program: Program) -> int:
    """Delete every file of the programme — in the bucket, every version of every object under
    its schema's prefix. Returns how many objects or versions went."""
    with schema_context(program.schema_name):
        return files_delete_prefix(prefix="")


def _program_cleanup(program: Program, *, reason: str) -> None:
    connection.set_schema_to_public()
    Domain.objects.filter(tenant=program).delete()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{program.schema_name}" CASCADE')  # generated name
    try:  # a retry provisions the same schema name: it must not find files of this attempt
        program_files_delete(program=program)
    except Exception:
        logger.exception("files of %s could not be deleted", program.schema_name)
        reason = f"{reason} (and its files could not be deleted)"
    program.status = Program.Status.FAILED
    program.failure_reason = reason[:2000]
    program.status_changed_at = timezone.now()
    program.save(update_fields=["status", "failure_reason", "status_changed_at"])


def program_retry(*, program: Program) -> Program:
    """Queue provisioning again for a programme that failed."""
    if program.status != Program.Status.FAILED:
        raise Conflict(_("Only a programme whose creation failed can be retried."))
    with transaction.atomic():
        program.status = Program.Status.PROVISIONING
        program.status_changed_at = timezone.now()
        program.save(update_fields=["status", "status_changed_at"])
        from tenants.tasks import program_provision_task

        enqueue_on_commit(program_provision_task, program_id=program.pk)
    return program


_TRANSITIONS = {
    "pause": ({Program.Status.READY}, Program.Status.PAUSED),
    "resume": ({Program.Status.PAUSED}, Program.Status.READY),
    "archive": ({Program.Status.READY, Program.Status.PAUSED}, Program.Status.ARCHIVED),
}


@transaction.atomic
def program_set_status(*, program: Program, action: str) -> Program:
    """pause / resume / archive. A paused programme refuses every page but health checks;
    an archived one cannot be resumed."""
    allowed_from, target = _TRANSITIONS[action]
    program = Program.objects.select_for_update().get(pk=program.pk)
    if program.status not in allowed_from:
        raise Conflict(
            _("A programme that is “%(status)s” cannot be changed this way.")
            % {"status": program.get_status_display()}
        )
    program.status = target
    program.status_changed_at = timezone.now()
    program.save(update_fields=["status", "status_changed_at"])
    audit_record(action=f"console.program_{action}", target=program)
    # Now and after commit: a request between the two could cache the old status again.
    host_cache_clear(program)
    transaction.on_commit(lambda: host_cache_clear(program))
    return program


# --- The pool of spare schemas -----------------------------------------------------------------


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
