import copy
from typing import Any

from django.db import models, transaction

from audit.log import audit_exempt, audit_record, audit_unchanged, audited
from saas.core.tenancy import connection
from tenant_apps.programs.icons import icons_generate
from tenant_apps.programs.models import ProgramSettings
from tenant_apps.programs.selectors import program_settings_forget


@audit_exempt("the first rows of a new programme; audited as console.program_ready")
@transaction.atomic
def program_settings_initialise(
    *, allowed_email_domains: list[str] | None = None
) -> ProgramSettings:
    """The first rows of a new programme's schema (idempotent)."""
    settings, _ = ProgramSettings.objects.get_or_create(
        id=1, defaults={"allowed_email_domains": allowed_email_domains or []}
    )
    return settings


BRANDING_FIELDS = ("primary_color", "logo")
RETENTION_FIELDS = (
    "retention_inactive_warn_months",
    "retention_inactive_erase_months",
    "retention_after_end_months",
    "retention_unverified_days",
    "retention_invited_days",
    "retention_deactivated_months",
    "retention_outbox_days",
)
AUDITED_ELSEWHERE = {
    "allowed_email_domains",
    "is_registration_open",
    "two_factor_policy",
    "updated_at",
    *BRANDING_FIELDS,
    *RETENTION_FIELDS,
}


def _value(settings: ProgramSettings, field: str) -> Any:
    value = getattr(settings, field)
    if field == "logo":
        return value.name if value else ""
    return value


def _program_settings_audit(*, before: ProgramSettings, after: ProgramSettings) -> None:
    """One audit row per kind of change, in words the log can show (codes and values that are
    not personal data: domains, booleans, policies, colours, periods)."""
    old_domains = set(before.allowed_email_domains or [])
    new_domains = set(after.allowed_email_domains or [])
    if old_domains != new_domains:
        audit_record(
            action="programs.domains_changed",
            details={
                "added": sorted(new_domains - old_domains),
                "removed": sorted(old_domains - new_domains),
            },
        )
    if before.is_registration_open != after.is_registration_open:
        audit_record(
            action="programs.registration_opened"
            if after.is_registration_open
            else "programs.registration_closed"
        )
    if before.two_factor_policy != after.two_factor_policy:
        audit_record(
            action="programs.two_factor_policy_changed",
            details={"from": before.two_factor_policy, "to": after.two_factor_policy},
        )
    branding = [f for f in BRANDING_FIELDS if _value(before, f) != _value(after, f)]
    if branding:
        audit_record(action="programs.branding_changed", details={"fields": branding})
    retention = {
        f: [_value(before, f), _value(after, f)]
        for f in RETENTION_FIELDS
        if _value(before, f) != _value(after, f)
    }
    if retention:
        audit_record(action="programs.retention_changed", details={"changes": retention})
    others = [
        field.name
        for field in ProgramSettings._meta.concrete_fields
        if field.name not in AUDITED_ELSEWHERE
        and field.name != "id"
        and _value(before, field.name) != _value(after, field.name)
    ]
    if others:
        audit_record(action="programs.settings_changed", details={"fields": others})


# What a manager may change on the settings page (in the page's order); the rest (id,
# timestamps) is not theirs.
EDITABLE_FIELDS = (
    "is_registration_open",
    "registration_roles",
    "allowed_email_domains",
    "allow_email_subdomains",
    "two_factor_policy",
    "primary_color",
    "logo",
    "language",
    "contact_email",
    "matching_mode",
    "matching_objective",
    "request_expiry_days",
    "privacy_intro",
    *RETENTION_FIELDS,
    "ends_on",
)


@transaction.atomic
@audited
def program_settings_update(
    *, program_settings: ProgramSettings, data: dict[str, Any]
) -> ProgramSettings:
    """Apply the manager's settings (validated by the caller; only the fields given change),
    with one audit row per kind of change. `logo` is an uploaded file, False to remove the
    logo, or the current file to keep it. Returns the saved settings."""
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable here: {', '.join(sorted(unknown))}")
    settings = ProgramSettings.objects.select_for_update().get(pk=program_settings.pk)
    before = copy.copy(settings)
    for field, value in data.items():
        # As a model form would: a file field understands "keep", "clear" and a new upload.
        model_field = ProgramSettings._meta.get_field(field)
        assert isinstance(model_field, models.Field)  # EDITABLE_FIELDS: the model's own fields
        model_field.save_form_data(settings, value)
    settings.save()
    _program_settings_audit(before=before, after=settings)
    audit_unchanged()  # saving the settings as they were is not a change
    if any(_value(before, field) != _value(settings, field) for field in BRANDING_FIELDS):
        # Drawn once here, served as files: an icon request decodes nothing.
        icons_generate(name=connection.tenant.name, settings=settings)
    # Now and after commit: a request in between could cache the old values again.
    program_settings_forget()
    transaction.on_commit(program_settings_forget)
    return settings
