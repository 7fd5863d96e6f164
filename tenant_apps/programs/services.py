from django.db import transaction

from tenant_apps.programs.models import ProgramSettings


@transaction.atomic
def program_settings_initialise(
    *, allowed_email_domains: list[str] | None = None
) -> ProgramSettings:
    """The first rows of a new programme's schema (idempotent)."""
    settings, _ = ProgramSettings.objects.get_or_create(
        id=1, defaults={"allowed_email_domains": allowed_email_domains or []}
    )
    return settings


@transaction.atomic
def program_settings_update(*, form: object) -> ProgramSettings:
    """Save the manager's settings form (validated by the caller)."""
    settings: ProgramSettings = form.save(commit=False)  # type: ignore[attr-defined]
    settings.allowed_email_domains = form.cleaned_data["allowed_email_domains_text"]  # type: ignore[attr-defined]
    settings.save()
    return settings
