from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache

from saas.core.observability import context
from saas.core.tenancy import connection
from tenant_apps.programs.models import ProgramSettings, Question

T = TypeVar("T")

SETTINGS_CACHE_KEY = "program:settings"  # the default cache prefixes keys with the schema
SETTINGS_CACHE_SECONDS = 300
# Where a request keeps the settings it already read (per schema): a page reads them two to
# four times (the colour and the logo of every page, the 2FA policy, the home page's texts).
REQUEST_MEMO_ATTRIBUTE = "_program_settings_memo"
QUESTIONNAIRE_CACHE_KEY = "program:questionnaire"
QUESTIONNAIRE_CACHE_SECONDS = 300
QUESTIONNAIRE_MEMO_ATTRIBUTE = "_program_questionnaire_memo"


def program_settings() -> ProgramSettings:
    return ProgramSettings.objects.get_or_create(id=1)[0]


def _cached_per_request(*, key: str, seconds: int, memo_attribute: str, load: Callable[[], T]) -> T:
    """`load()` of the current programme, from the programme's cache (`key`, `seconds`), read
    once per request: the request being served keeps it per schema (outside a request, every
    call asks the cache)."""
    request = context.current().request
    memo: dict[str, Any] | None = (
        getattr(request, memo_attribute, None) if request is not None else None
    )
    if memo is None and request is not None:
        memo = {}
        setattr(request, memo_attribute, memo)
    schema = connection.schema_name
    if memo is not None and schema in memo:
        return memo[schema]
    value = cache.get(key)
    if value is None:
        value = load()
        cache.set(key, value, seconds)
    if memo is not None:
        memo[schema] = value
    return value


def _forget(*, key: str, memo_attribute: str) -> None:
    cache.delete(key)
    request = context.current().request
    if request is not None and hasattr(request, memo_attribute):
        delattr(request, memo_attribute)


def program_settings_cached() -> ProgramSettings:
    """The programme's settings for the hot path (every page reads the colour and the 2FA
    policy): from the cache (cleared by program_settings_update), read once per request — the
    request being served keeps them (outside a request, every call asks the cache)."""
    return _cached_per_request(
        key=SETTINGS_CACHE_KEY,
        seconds=SETTINGS_CACHE_SECONDS,
        memo_attribute=REQUEST_MEMO_ATTRIBUTE,
        load=program_settings,
    )


def program_settings_forget() -> None:
    """After a change: neither the cache nor the request being served keeps the old values."""
    _forget(key=SETTINGS_CACHE_KEY, memo_attribute=REQUEST_MEMO_ATTRIBUTE)


def questionnaire_cached() -> list[Question]:
    """The registration questionnaire's questions in use (not archived), in order, for the hot
    path (the home page's guide, the profile, the manager's dashboard): from the programme's
    cache (cleared by the questionnaire's services, tenant_apps/programs/questionnaire.py),
    read once per request. Filter the list in Python; write through the services only."""
    return _cached_per_request(
        key=QUESTIONNAIRE_CACHE_KEY,
        seconds=QUESTIONNAIRE_CACHE_SECONDS,
        memo_attribute=QUESTIONNAIRE_MEMO_ATTRIBUTE,
        load=lambda: list(Question.objects.filter(is_archived=False)),
    )


def questionnaire_forget() -> None:
    """After a change of the questionnaire: neither the cache nor the request keeps it."""
    _forget(key=QUESTIONNAIRE_CACHE_KEY, memo_attribute=QUESTIONNAIRE_MEMO_ATTRIBUTE)


def program_brand_color() -> str:
    return program_settings_cached().primary_color


def program_logo_path() -> str | None:
    """The path of the programme's logo on its own host, versioned so that a new logo shows at
    once; None without a logo."""
    settings = program_settings_cached()
    if not settings.logo:
        return None
    return f"/marque/logo.png?v={int(settings.updated_at.timestamp())}"
