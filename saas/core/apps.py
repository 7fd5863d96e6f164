from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "saas.core"
    label = "core"

    def ready(self) -> None:
        # The `__unaccent` transform on text fields (accent-insensitive search), registered
        # once at start-up rather than by whichever module imports it first.
        from saas.core import search  # noqa: F401
