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
