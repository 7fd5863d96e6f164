from django.core.cache import cache

from saas.core.observability import context
from saas.core.tenancy import connection
from tenant_apps.programs.models import ProgramSettings

SETTINGS_CACHE_KEY = "program:settings"  # the default cache prefixes keys with the schema
SETTINGS_CACHE_SECONDS = 300
# Where a request keeps the settings it already read (per schema): a page reads them two to
# four times (the colour and the logo of every page, the 2FA policy, the home page's texts).
REQUEST_MEMO_ATTRIBUTE = "_program_settings_memo"


def program_settings() -> ProgramSettings:
    return ProgramSettings.objects.get_or_create(id=1)[0]


def program_settings_cached() -> ProgramSettings:
    """The programme's settings for the hot path (every page reads the colour and the 2FA
    policy): from the cache (cleared by program_settings_update), read once per request — the
    request being served keeps them (outside a request, every call asks the cache)."""
    request = context.current().request
    memo: dict[str, ProgramSettings] | None = (
        getattr(request, REQUEST_MEMO_ATTRIBUTE, None) if request is not None else None
    )
    if memo is None and request is not None:
        memo = {}
        setattr(request, REQUEST_MEMO_ATTRIBUTE, memo)
    schema = connection.schema_name
    if memo is not None and schema in memo:
        return memo[schema]
    settings = cache.get(SETTINGS_CACHE_KEY)
    if settings is None:
        settings = program_settings()
        cache.set(SETTINGS_CACHE_KEY, settings, SETTINGS_CACHE_SECONDS)
    if memo is not None:
        memo[schema] = settings
    return settings


def program_settings_forget() -> None:
    """After a change: neither the cache nor the request being served keeps the old values."""
    cache.delete(SETTINGS_CACHE_KEY)
    request = context.current().request
    if request is not None and hasattr(request, REQUEST_MEMO_ATTRIBUTE):
        delattr(request, REQUEST_MEMO_ATTRIBUTE)


def program_brand_color() -> str:
    return program_settings_cached().primary_color


def program_logo_path() -> str | None:
    """The path of the programme's logo on its own host, versioned so that a new logo shows at
    once; None without a logo."""
    settings = program_settings_cached()
    if not settings.logo:
        return None
    return f"/marque/logo.png?v={int(settings.updated_at.timestamp())}"
