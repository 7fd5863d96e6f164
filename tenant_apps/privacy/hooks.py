"""The privacy hooks of every installed app (`<app>/privacy_hooks.py`, see
saas.core.personal_data), found through the app registry: the export's sources and the
erasure's rules. Privacy knows no other app's models: each app says how its own rows are
exported and erased."""

from functools import cache
from importlib import import_module
from types import ModuleType

from django.apps import apps
from django.utils.module_loading import module_has_submodule

from saas.core.personal_data import Erase, Source

MODULE = "privacy_hooks"


def hook_modules() -> dict[str, ModuleType]:
    """App label -> its privacy hooks module, in the order of INSTALLED_APPS."""
    return {
        config.label: import_module(f"{config.name}.{MODULE}")
        for config in apps.get_app_configs()
        if module_has_submodule(config.module, MODULE)
    }


def _merged(attribute: str) -> dict[str, object]:
    merged: dict[str, object] = {}
    for label, module in hook_modules().items():
        for model, rule in getattr(module, attribute, {}).items():
            if model in merged:
                raise ValueError(f"{model} is declared twice in the privacy hooks ({label})")
            merged[model] = rule
    return merged


@cache
def export_sources() -> dict[str, Source]:
    """Model label -> how one person's rows are found and read, from every app's EXPORT."""
    return _merged("EXPORT")  # type: ignore[return-value]


@cache
def erase_rules() -> dict[str, Erase | str]:
    """Model label -> its erasure step, or why its rows stay, from every app's ERASE."""
    return _merged("ERASE")  # type: ignore[return-value]


def erase_steps() -> list[Erase]:
    """The erasure steps in the order they run (by `order`, then the apps' order)."""
    steps = [rule for rule in erase_rules().values() if isinstance(rule, Erase)]
    return sorted(steps, key=lambda step: step.order)
