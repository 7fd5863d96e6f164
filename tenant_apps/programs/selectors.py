from django.core.cache import cache

from tenant_apps.programs.models import ProgramSettings

SETTINGS_CACHE_KEY = "program:settings"  # the default cache prefixes keys with the schema
SETTINGS_CACHE_SECONDS = 300


def program_settings() -> ProgramSettings:
    return ProgramSettings.objects.get_or_create(id=1)[0]


def program_settings_cached() -> ProgramSettings:
    """The programme's settings for the hot path (every page reads the colour and the 2FA
    policy); cleared by program_settings_update."""
    settings = cache.get(SETTINGS_CACHE_KEY)
    if settings is None:
        settings = program_settings()
        cache.set(SETTINGS_CACHE_KEY, settings, SETTINGS_CACHE_SECONDS)
    return settings


def program_brand_color() -> str:
    return program_settings_cached().primary_color


def program_logo_path() -> str | None:
    """The path of the programme's logo on its own host, versioned so that a new logo shows at
    once; None without a logo."""
    settings = program_settings_cached()
    if not settings.logo:
        return None
    return f"/marque/logo.png?v={int(settings.updated_at.timestamp())}"
