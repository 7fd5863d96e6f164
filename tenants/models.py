"""Client organisations and their programmes. A Program is a tenant: one PostgreSQL schema,
one sub-domain. These tables live in `public` and hold no programme data (DESIGN §2)."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin


class Client(models.Model):  # type: ignore[django-manager-missing]  # Program: untyped base
    """An organisation that runs programmes (Ucanss, a bank...). Not a tenant."""

    name = models.CharField(_("name"), max_length=200)
    # The controller of its programmes' data (RGPD art. 30.1.a): shown in every register.
    address = models.TextField(_("postal address"), blank=True, default="")
    dpo_name = models.CharField(
        _("data protection officer"), max_length=200, blank=True, default=""
    )
    dpo_email = models.EmailField(_("data protection officer's e-mail"), blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="client_name_unique_ci")]

    def __str__(self) -> str:
        return self.name


class Program(TenantMixin):
    """A mentoring programme: the tenant.

    Lifecycle: spare (a migrated schema waiting in the pool, no client) → provisioning → ready,
    with paused / archived set by the console, and failed (with the reason) if provisioning
    could not finish; a failed programme has no schema and no domain left behind.
    """

    class Status(models.TextChoices):
        SPARE = "spare", _("Spare schema")
        PROVISIONING = "provisioning", _("Provisioning")
        READY = "ready", _("Ready")
        PAUSED = "paused", _("Paused")
        ARCHIVED = "archived", _("Archived")
        FAILED = "failed", _("Failed")

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="programs", null=True, blank=True
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    slug = models.CharField(_("sub-domain"), max_length=63, null=True, blank=True, unique=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROVISIONING)
    failure_reason = models.TextField(blank=True)  # technical, for the logs; never shown
    failure_code = models.CharField(max_length=30, blank=True)  # what the console explains
    first_manager_email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # who changed the status (a super-admin's id, as in the audit log: no personal data here)
    status_changed_by_user_id = models.BigIntegerField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    archive_reason = models.TextField(blank=True)
    status_before_archive = models.CharField(max_length=20, blank=True)

    # Schemas are created and dropped by tenants.services only, never as a side effect of save().
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["status"], name="program_status_idx")]

    def __str__(self) -> str:
        return self.name or self.schema_name

    def url(self, path: str = "/") -> str:
        """Absolute URL of `path` on this programme's host."""
        port = f":{settings.SITE_PORT}" if settings.SITE_PORT else ""
        return f"{settings.SITE_SCHEME}://{self.host}{port}{path}"

    @property
    def host(self) -> str:
        return f"{self.slug}.{settings.BASE_DOMAIN}"

    @property
    def is_public(self) -> bool:
        return self.schema_name == "public"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.READY


def programs_with_data(*, client_id: int | None = None) -> list[Program]:
    """The programmes that hold people's data (ready, paused or archived), by organisation and
    name: those the registers and the technical FAQ speak of; only one organisation's with
    `client_id` (the client administrator's documents)."""
    programs = Program.objects.exclude(schema_name="public").filter(
        status__in=[Program.Status.READY, Program.Status.PAUSED, Program.Status.ARCHIVED]
    )
    if client_id is not None:
        programs = programs.filter(client_id=client_id)
    return list(programs.select_related("client").order_by("client__name", "name"))


class FailureCode(models.TextChoices):
    HOST_TAKEN = "host_taken", _("The address was taken by another programme meanwhile.")
    ERROR = "error", _("A technical error interrupted the creation.")


class Domain(DomainMixin):
    """The host a programme answers on: `<slug>.<BASE_DOMAIN>`."""


class SchemaMigrationState(models.Model):
    """The applied-migration fingerprint of each schema, kept by `migrate_schemas`
    (tenants.migration_executor): the md5 of the sorted `app.name` rows of the schema's own
    `django_migrations` that the code knows. A schema whose real fingerprint equals the code's
    head fingerprint has nothing to apply and is skipped. This row is a record, never the proof:
    the executor compares the real rows each run, and `migrations_check` reads them all."""

    schema_name = models.CharField(max_length=63, unique=True)
    fingerprint = models.CharField(max_length=32)
    migrated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.schema_name}: {self.fingerprint}"


class ProgramSnapshot(models.Model):
    """A programme's key figures on one day, written by the snapshot job
    (`tenants.snapshots`), which reads the programme's schema. Lives in `public` so that the
    client administrator's page and the console's platform totals never enter a programme
    schema at request time. Counts only: no person, no name, no identifier of anyone."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="snapshots")
    day = models.DateField()
    # {"registered": 12, "active": 9, ...}: the keys are tenants.snapshots.FIGURES.
    figures = models.JSONField(default=dict)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["program", "day"], name="program_snapshot_one_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.program_id} {self.day}"


class ClientAdministrator(models.Model):
    """A person who administers a client organisation (HR, the client's management): on the
    public domain, sees its programmes' aggregated figures, downloads their DPO documents and
    invites their managers. Never a participant's personal data."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="administrators")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="client_roles"
    )
    is_active = models.BooleanField(default=True)
    invited_at = models.DateTimeField(auto_now_add=True)
    # the super-admin who invited them (an id, as in the audit log)
    invited_by_user_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "user"], name="client_administrator_once")
        ]

    def __str__(self) -> str:
        return f"{self.client_id}:{self.user_id}"
