"""The participant's home ("Mon espace") as a guide: an extension point for the apps above.

Apps higher in the layers (mentoring, surveys...) cannot be imported from here; they register a
*provider* in their `AppConfig.ready()`:

    from tenant_apps.participants.home import home_providers_register
    home_providers_register(my_provider)

A provider is called with the participant and the current time and returns a list of items:

    {"kind": "next_step" | "waiting" | "info", "priority": int, "title": str, "body": str,
     "url": str, "action_label": str}

The home shows every item, highest priority first. Among the "next_step" items only the one
with the highest priority is *the* next step (shown in the guide card); the others are listed
with the rest. So an app that knows of something more pressing ("give your feedback", priority
above the mentoring's own next steps) overrides the guide by returning a higher priority.

Priorities used today (keep gaps): 100 complete the questionnaire · 90 answer a request ·
80 give feedback on a meeting (surveys) · 70 choose a mentor / wait · 60 propose the first
meeting · 50 plan the next meeting · 20 waiting items · 10 info.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tenant_apps.participants.models import Participant

KINDS = ("next_step", "waiting", "info")
Provider = Callable[[Participant, datetime], list[dict[str, Any]]]

_providers: list[Provider] = []


def home_providers_register(provider: Provider) -> None:
    """Add `provider` (idempotent: registering the same function twice keeps one)."""
    if provider not in _providers:
        _providers.append(provider)


def home_providers() -> list[Provider]:
    return list(_providers)


@dataclass(frozen=True)
class HomeItem:
    kind: str
    priority: int
    title: str
    body: str = ""
    url: str = ""
    action_label: str = ""


def _item(raw: dict[str, Any]) -> HomeItem:
    kind = raw.get("kind", "info")
    return HomeItem(
        kind=kind if kind in KINDS else "info",
        priority=int(raw.get("priority", 0)),
        title=str(raw.get("title", "")),
        body=str(raw.get("body", "")),
        url=str(raw.get("url", "")),
        action_label=str(raw.get("action_label", "")),
    )


@dataclass
class Home:
    next_step: HomeItem | None
    items: list[HomeItem]

    @property
    def waiting(self) -> list[HomeItem]:
        return [item for item in self.items if item.kind == "waiting"]

    @property
    def others(self) -> list[HomeItem]:
        return [item for item in self.items if item.kind != "waiting"]


def home_build(*, participant: Participant, now: datetime) -> Home:
    """Every provider's items, highest priority first; the first "next_step" is the guide."""
    items = [_item(raw) for provider in _providers for raw in provider(participant, now)]
    items.sort(key=lambda item: -item.priority)
    next_step = next((item for item in items if item.kind == "next_step"), None)
    return Home(next_step=next_step, items=[item for item in items if item is not next_step])
