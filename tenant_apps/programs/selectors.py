from tenant_apps.programs.models import ProgramSettings


def program_settings() -> ProgramSettings:
    return ProgramSettings.objects.get_or_create(id=1)[0]


def program_brand_color() -> str:
    """The programme's colour, cached per programme (schema-prefixed cache key)."""
    from django.core.cache import cache

    color = cache.get("program:brand-color")
    if color is None:
        color = program_settings().primary_color
        cache.set("program:brand-color", color, 300)
    return color
