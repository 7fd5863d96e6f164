from django.core.cache import cache
from django.db import connection, transaction

from tenant_apps.programs.icons import icons_generate
from tenant_apps.programs.models import ProgramSettings
from tenant_apps.programs.selectors import SETTINGS_CACHE_KEY


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
    if {"logo", "primary_color"} & set(form.changed_data):  # type: ignore[attr-defined]
        # Drawn once here, served as files: an icon request decodes nothing.
        icons_generate(name=connection.tenant.name, settings=settings)
    # Now and after commit: a request in between could cache the old values again.
    cache.delete(SETTINGS_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(SETTINGS_CACHE_KEY))
    return settings
